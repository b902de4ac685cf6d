/**
 * Start-up recovery of the background jobs a crash (kill -9, power loss) cut short: each one
 * resumes or ends in its error state, from which it can be cleaned up; none stays half-way.
 *   - a pending snapshot is copied again from its volume (error when the volume is gone), and
 *     the image waiting for it (CreateImage) follows it;
 *   - a volume being created (empty, from a snapshot, by an import) ends in error, deletable, and
 *     its import task cancelled with the reason;
 *   - a bundle task not yet ended fails with the reason;
 *   - images being unbundled are resumed by the registrar (ImageRegistrar.resumePending);
 *   - an instance being terminated or stopped ends terminated (its delete-on-termination volumes
 *     go, as its user asked) or stopped; its node is told again by the instance monitor, which
 *     stops on a node whatever it runs that the cloud has ended;
 *   - instances that were never handed to their node are found by the instance monitor's first
 *     look at the node (InstanceMonitor: confirm what was pending at start);
 *   - the cluster's bookkeeping follows the instances: a place on a node or an address held by
 *     no pending or running instance (a launch or a termination cut in half) is given back.
 * Runs once, before the cloud answers requests.
 */
import type { CloudContext } from './context';
import { STOPPED } from './ec2/instances/store';

const INTERRUPTED = 'interrupted: the cloud restarted while it was in progress';

export async function recoverJobs(cloud: CloudContext, log: (line: string) => void): Promise<void> {
  await recoverVolumeJobs(cloud, log);
  await recoverInstances(cloud, log);
}

async function recoverInstances(cloud: CloudContext, log: (line: string) => void): Promise<void> {
  // Their place and addresses were given back as they entered these states (the address may be
  // another instance's by now); what a crash kept is found below as held by no instance.
  for (const i of await cloud.instances.list({ states: ['shutting-down', 'stopping'] })) {
    if (i.state === 'shutting-down') {
      log(`${i.id}: its termination was cut short by a restart; terminated`);
      void cloud.ec2.instances.finishTermination(i);
    } else {
      log(`${i.id}: its stop was cut short by a restart; stopped`);
      await cloud.instances.update(i.id, STOPPED);
    }
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

async function recoverVolumeJobs(cloud: CloudContext, log: (line: string) => void): Promise<void> {
  const { volumes } = cloud;
  for (const s of (await volumes.allSnapshots()).filter((x) => x.status === 'pending')) {
    const v = await volumes.volume(s.volumeId);
    if (v && (v.status === 'available' || v.status === 'in-use')) {
      log(`${s.id}: the snapshot of ${v.id} was cut short by a restart; copying it again`);
      await volumes.setSnapshotProgress(s.id, 'pending', 0);
      cloud.ec2.volumes.copySnapshot(s, v);
    } else {
      log(`${s.id}: the snapshot was cut short by a restart and its volume is gone; it ends in error`);
      await volumes.setSnapshotProgress(s.id, 'error', 0);
      for (const image of await cloud.images.inState('pending')) {
        if (image.rootDeviceType === 'ebs' && image.blockDeviceMappings.some((m) => m.snapshotId === s.id))
          await cloud.images.setState(image.id, 'failed', `the snapshot ${s.id} failed`);
      }
    }
  }
  for (const v of (await volumes.volumes()).filter((x) => x.status === 'creating')) {
    log(`${v.id}: its creation was cut short by a restart; it ends in error (delete it and create it again)`);
    await volumes.setVolumeStatus(v.id, 'error');
  }
  for (const t of [...(await volumes.tasksIn('active')), ...(await volumes.tasksIn('cancelling'))]) {
    log(`${t.id}: the import was cut short by a restart; cancelled`);
    await volumes.setTaskState(t.id, 'cancelled', `import ${INTERRUPTED}`);
  }
  for (const t of await cloud.bundleTasks.unfinished()) {
    log(`${t.id}: the bundle task was cut short by a restart; failed`);
    await cloud.bundleTasks.update(t.id, 'failed', t.progress, INTERRUPTED);
  }
}
