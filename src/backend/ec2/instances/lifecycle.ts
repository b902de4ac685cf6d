/**
 * How an instance ends, in one place for every way it can: a termination somebody asked for, a
 * boot that failed, a node that lost it, a restart that cut a termination short. The record is
 * written first (a crash in between leaves a place or an address that recovery finds held by no
 * instance), then what it held is given back, then its volumes are detached.
 */
import type { VolumeService } from '../volumes/service';
import type { ComputeServices } from './services';
import type { Instance, InstanceStore } from './store';

export interface InstanceEnding {
  instances: InstanceStore;
  compute: ComputeServices;
  volumes: VolumeService;
  log(line: string): void;
}

/** Gives back what an instance held: its place on the node and its addresses. */
export async function giveBack(compute: ComputeServices, i: Instance): Promise<void> {
  if (i.placementId !== undefined) await compute.unplace(i.placementId);
  if (i.privateIp)
    await compute.releaseAddresses({ mac: i.mac ?? '', privateIp: i.privateIp, publicIp: i.publicIp, vlan: i.vlan });
}

export interface EndOptions {
  /** Why it ended when nobody asked (EC2's state reason). */
  stateReason?: string;
  /** Nobody asked for the end: its volumes are detached and kept, delete-on-termination or not. */
  keepVolumes?: boolean;
  /** Its place and addresses were given back already (as it entered shutting-down). */
  gaveBack?: boolean;
}

/** The instance is terminated: the record, then its place and addresses, then its volumes. */
export async function endInstance(d: InstanceEnding, i: Instance, opts: EndOptions = {}): Promise<void> {
  await d.instances.update(i.id, {
    state: 'terminated',
    endedTime: new Date().toISOString(),
    ...(opts.stateReason ? { stateReason: opts.stateReason } : {}),
  });
  if (!opts.gaveBack) await giveBack(d.compute, i);
  await d.volumes
    .releaseVolumesOf(i.id, { keep: opts.keepVolumes })
    .catch((e: Error) => d.log(`${i.id}: releasing volumes failed: ${e.message}`));
}
