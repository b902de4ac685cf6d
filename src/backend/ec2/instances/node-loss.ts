/**
 * When a node controller lost an instance (it restarted without it, or is gone for good) the
 * instance's user asked for nothing: whatever happens to the instance, their data stays. An
 * EBS-backed instance is stopped, its volumes kept attached, to be started again; an
 * instance-store one, whose disks were the node's, ends terminated, its volumes detached and kept
 * (delete-on-termination is for a termination somebody asked for). Either way its capacity and
 * addresses are given back, so that the instance, address and capacity records agree again.
 */
import type { ClusterServices } from '../../cluster';
import { endInstance, giveBack, type InstanceEnding } from './lifecycle';
import { type Instance, STOPPED } from './store';

/**
 * An instance its node no longer runs: stopped (EBS, with its root volume to start from again)
 * or terminated, its data kept either way.
 */
export async function loseInstance(d: InstanceEnding, i: Instance, why: string): Promise<void> {
  const stateReason = `Server.InternalError: ${why}`;
  // The record first: a crash in between leaves a place or an address that recovery gives back.
  if (i.rootDeviceType === 'ebs' && (await d.volumes.rootVolumeOf(i))) {
    await d.instances.update(i.id, { ...STOPPED, stateReason });
    await giveBack(d.compute, i);
    return;
  }
  await endInstance(d, i, { stateReason, keepVolumes: true });
}

/**
 * The same node controller (same data folder) answering at a new address: the cloud's own node,
 * restarted with the cloud after a crash. Its instances, placements and registration follow it;
 * the instance monitor then finds out which instances it still runs.
 */
export async function nodeMoved(
  d: { cluster: ClusterServices; instances: InstanceEnding['instances'] },
  from: string,
  to: string,
): Promise<number> {
  const [fh, fp] = from.split(':');
  const [th, tp] = to.split(':');
  await d.cluster.controller.nodes.move({ host: fh, port: Number(fp) }, { host: th, port: Number(tp) });
  return d.instances.moveNode(from, to);
}
