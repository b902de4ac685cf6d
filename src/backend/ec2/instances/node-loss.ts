/**
 * When a node controller lost an instance (it restarted without it, or is gone for good) the
 * instance's user asked for nothing: whatever happens to the instance, their data stays. An
 * EBS-backed instance is stopped, its volumes kept attached, to be started again; an
 * instance-store one, whose disks were the node's, ends terminated, its volumes detached and kept
 * (delete-on-termination is for a termination somebody asked for). Either way its capacity and
 * addresses are given back, so that the instance, address and capacity records agree again.
 */
import type { CloudContext } from '../../context';
import { endInstance, giveBack } from './lifecycle';
import { type Instance, STOPPED } from './store';

/**
 * An instance its node no longer runs: stopped (EBS, with its root volume to start from again)
 * or terminated, its data kept either way.
 */
export async function loseInstance(cloud: CloudContext, i: Instance, why: string): Promise<void> {
  const stateReason = `Server.InternalError: ${why}`;
  // The record first: a crash in between leaves a place or an address that recovery gives back.
  const bootable = cloud.volumes.attachedTo(i.id).some((v) => v.attachment!.device === i.rootDeviceName);
  if (i.rootDeviceType === 'ebs' && bootable) {
    cloud.instances.update(i.id, { ...STOPPED, stateReason });
    giveBack(cloud.compute, i);
    return;
  }
  await endInstance(cloud, i, { stateReason, keepVolumes: true });
}

/**
 * The same node controller (same data folder) answering at a new address: the cloud's own node,
 * restarted with the cloud after a crash. Its instances, placements and registration follow it;
 * the instance monitor then finds out which instances it still runs.
 */
export function nodeMoved(cloud: CloudContext, from: string, to: string): number {
  const [fh, fp] = from.split(':');
  const [th, tp] = to.split(':');
  cloud.cluster.controller.nodes.move({ host: fh, port: Number(fp) }, { host: th, port: Number(tp) });
  return cloud.instances.moveNode(from, to);
}
