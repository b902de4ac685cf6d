/**
 * Recovery of the background jobs a crash (kill -9, power loss) cut short: each one resumes or
 * ends in its error state, from which it can be cleaned up; none stays half-way.
 *   - a pending snapshot is copied again from its volume (error when the volume is gone), and
 *     the image waiting for it (CreateImage) follows it;
 *   - a volume being created (empty, from a snapshot, by an import) ends in error, deletable, and
 *     its import task cancelled with the reason;
 *   - a bundle task not yet ended fails with the reason;
 *   - images being unbundled are resumed by the registrar;
 *   - an instance being terminated or stopped ends terminated (its delete-on-termination volumes
 *     go, as its user asked) or stopped; its node is told again by the instance monitor, which
 *     stops on a node whatever it runs that the cloud has ended;
 *   - instances that may never have been handed to their node are confirmed by the instance
 *     monitor's next look at the node, or lost;
 *   - a volume being attached or detached is attached or detached again (its node asked again);
 *   - the cluster's bookkeeping follows the instances: a place on a node or an address held by
 *     no pending or running instance (a launch or a termination cut in half) is given back, and
 *     volumes still attached to an instance that ended are detached and kept.
 * A front end starting alone recovers every job in flight, before it answers requests; the one
 * leading recovers those of a front end that died while others ran, as it finds them (jobs.ts),
 * and leaves the bookkeeping alone (the live front ends' launches hold places not yet recorded).
 */
import type { CloudContext } from './context';
import type { ImageRegistrar } from './ec2/images/registrar';
import type { InstanceMonitor } from './ec2/instances/monitor';
import { STOPPED } from './ec2/instances/store';

export interface RecoveryParts {
  cloud: CloudContext;
  registrar: ImageRegistrar;
  monitor: InstanceMonitor;
  log(line: string): void;
}

/** Which jobs are recovered: every one in flight (`all`), or those taken over from dead front ends. */
export type RecoveryScope = { all: true } | { taken: ReadonlySet<string> };

interface Scoped extends RecoveryParts {
  mine(id: string | undefined): boolean;
  /** What cut the jobs short, as the log and the error messages say it. */
  cause: string;
  interrupted: string;
}

export async function recoverJobs(parts: RecoveryParts, scope: RecoveryScope): Promise<void> {
  const all = 'all' in scope;
  const s: Scoped = {
    ...parts,
    mine: (id) => all || (id !== undefined && scope.taken.has(id)),
    cause: all ? 'a restart' : 'the death of the front end running it',
    interrupted: all
      ? 'interrupted: the cloud restarted while it was in progress'
      : 'interrupted: the front end running it stopped answering',
  };
  await recoverVolumeJobs(s);
  await recoverInstances(s);
  await parts.registrar.resumePending((id) => s.mine(id));
  parts.monitor.confirmPending((await parts.cloud.instances.list({ states: ['pending'] })).filter((i) => s.mine(i.id)));
  if (all) await recoverBookkeeping(s);
}

async function recoverInstances({ cloud, log, mine, cause }: Scoped): Promise<void> {
  // Their place and addresses were given back as they entered these states (the address may be
  // another instance's by now); what a crash kept is found by recoverBookkeeping as held by no instance.
  for (const i of await cloud.instances.list({ states: ['shutting-down', 'stopping'] })) {
    if (!mine(i.id)) continue;
    if (i.state === 'shutting-down') {
      log(`${i.id}: its termination was cut short by ${cause}; terminated`);
      void cloud.ec2.instances.finishTermination(i);
    } else {
      log(`${i.id}: its stop was cut short by ${cause}; stopped`);
      await cloud.instances.update(i.id, STOPPED);
    }
  }
}

async function recoverBookkeeping({ cloud, log }: Scoped): Promise<void> {
  // Volumes still attached to an instance that ended (its end was cut short before it let them
  // go): detached and kept, whatever delete-on-termination said (recovery deletes nothing).
  for (const [instanceId] of await cloud.volumes.attachments()) {
    const i = await cloud.instances.get(instanceId);
    if (i && i.state !== 'terminated') continue;
    log(`${instanceId}: ended with volumes still attached; they are detached and kept`);
    await cloud.ec2.volumes.releaseVolumesOf(instanceId, { keep: true });
  }
  const live = await cloud.instances.list({ states: ['pending', 'running'] });
  const placed = new Set(live.map((i) => i.placementId));
  for (const id of await cloud.cluster.controller.placementIds()) {
    if (placed.has(id)) continue;
    log(`cluster: a place on a node held by no instance (placement ${id}) given back`);
    await cloud.cluster.controller.releaseInstance({ id });
  }
  const addressed = new Set(live.map((i) => i.privateIp));
  for (const ip of await cloud.cluster.network.leasedAddresses()) {
    if (addressed.has(ip)) continue;
    log(`cluster: address ${ip}, held by no instance, given back`);
    await cloud.cluster.network.releaseInstanceAddresses({ privateIp: ip });
  }
}

async function recoverVolumeJobs({ cloud, log, mine, cause, interrupted }: Scoped): Promise<void> {
  const { volumes } = cloud;
  for (const s of (await volumes.allSnapshots()).filter((x) => x.status === 'pending' && mine(x.id))) {
    const v = await volumes.volume(s.volumeId);
    if (v && (v.status === 'available' || v.status === 'in-use')) {
      log(`${s.id}: the snapshot of ${v.id} was cut short by ${cause}; copying it again`);
      await volumes.setSnapshotProgress(s.id, 'pending', 0);
      cloud.ec2.snapshots.copySnapshot(s, v);
    } else {
      log(`${s.id}: the snapshot was cut short by ${cause} and its volume is gone; it ends in error`);
      await volumes.setSnapshotProgress(s.id, 'error', 0);
      for (const image of await cloud.images.inState('pending')) {
        if (image.rootDeviceType === 'ebs' && image.blockDeviceMappings.some((m) => m.snapshotId === s.id))
          await cloud.images.setState(image.id, 'failed', `the snapshot ${s.id} failed`);
      }
    }
  }
  for (const v of (await volumes.volumes()).filter((x) => x.attachment && x.attachment.status !== 'attached')) {
    if (!mine(v.id)) continue;
    const what = v.attachment!.status === 'attaching' ? 'attaching' : 'detaching';
    log(`${v.id}: ${what} it to ${v.attachment!.instanceId} was cut short by ${cause}; asked of its node again`);
    void cloud.ec2.volumes
      .resumeAttachment(v)
      .catch((e: Error) => log(`${v.id}: ${what} it again failed: ${e.message}`));
  }
  for (const v of (await volumes.volumes()).filter((x) => x.status === 'creating' && mine(x.id))) {
    log(`${v.id}: its creation was cut short by ${cause}; it ends in error (delete it and create it again)`);
    await volumes.setVolumeStatus(v.id, 'error');
  }
  for (const t of [...(await volumes.tasksIn('active')), ...(await volumes.tasksIn('cancelling'))]) {
    if (!mine(t.volumeId)) continue;
    log(`${t.id}: the import was cut short by ${cause}; cancelled`);
    await volumes.setTaskState(t.id, 'cancelled', `import ${interrupted}`);
  }
  for (const t of (await cloud.bundleTasks.unfinished()).filter((x) => mine(x.id))) {
    log(`${t.id}: the bundle task was cut short by ${cause}; failed`);
    await cloud.bundleTasks.update(t.id, 'failed', t.progress, interrupted);
  }
}
