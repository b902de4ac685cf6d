/**
 * Instances and their EBS volumes. An EBS-backed image's root mapping (and any other EBS mapping
 * of the image or of RunInstances' BlockDeviceMapping) becomes a volume of the instance's own,
 * made from the snapshot in the instance's zone and attached under the mapping's device before
 * the node boots it; the root one is its root disk. Stopping such an instance keeps its volumes
 * and gives back its place on the node and its addresses; starting it places it again (on any
 * node of its zone) and boots it from the same volumes.
 */
import { type RequestContext } from '../../context';
import { invalidParameter, ServiceError } from '../../errors';
import { type Image } from '../images/store';
import { MAX_VOLUME_GIB } from '../volumes/service';
import { type Instance } from './store';

/** A volume an instance is to be launched with. */
export interface VolumeMapping {
  device: string;
  snapshotId?: string;
  sizeGiB?: number;
  deleteOnTermination: boolean;
}

/** What the node links into the instance's folder. */
export interface NodeVolume {
  device: string;
  path: string;
  root?: boolean;
}

/** BlockDeviceMapping.N.* of a request, as mappings (ephemeral and none entries carry no volume). */
function requestMappings(params: Record<string, string>): Map<string, VolumeMapping | null> {
  const out = new Map<string, VolumeMapping | null>();
  for (let n = 1; params[`BlockDeviceMapping.${n}.DeviceName`] !== undefined; n++) {
    const p = (k: string) => params[`BlockDeviceMapping.${n}.${k}`];
    const device = p('DeviceName');
    if (p('NoDevice') !== undefined || p('VirtualName') !== undefined) {
      out.set(device, null);
      continue;
    }
    const size = p('Ebs.VolumeSize');
    out.set(device, {
      device,
      snapshotId: p('Ebs.SnapshotId') || undefined,
      sizeGiB: size ? Number(size) : undefined,
      deleteOnTermination: p('Ebs.DeleteOnTermination') !== 'false',
    });
  }
  return out;
}

/** The volumes a launch of this image makes: the image's EBS mappings, then the request's (which win). */
export function launchMappings(ctx: RequestContext, image: Image): VolumeMapping[] {
  const byDevice = new Map<string, VolumeMapping | null>();
  for (const m of image.blockDeviceMappings) {
    if (m.snapshotId || m.volumeSize)
      byDevice.set(m.deviceName, {
        device: m.deviceName,
        snapshotId: m.snapshotId,
        sizeGiB: m.volumeSize,
        deleteOnTermination: m.deleteOnTermination ?? true,
      });
  }
  for (const [device, m] of requestMappings(ctx.params)) byDevice.set(device, m);
  const mappings = [...byDevice.values()].filter((m): m is VolumeMapping => m !== null);
  if (image.rootDeviceType === 'ebs' && !mappings.some((m) => m.device === image.rootDeviceName)) {
    throw invalidParameter(
      'BlockDeviceMapping',
      image.rootDeviceName,
      `The EBS image ${image.id} has no volume for its root device.`,
    );
  }
  const fromImage = new Set(image.blockDeviceMappings.map((m) => m.snapshotId).filter(Boolean));
  for (const m of mappings) {
    // The image's own snapshots come with the permission to launch it; others must be usable.
    const snapshot = m.snapshotId
      ? fromImage.has(m.snapshotId)
        ? ctx.cloud.volumes.snapshot(m.snapshotId)
        : ctx.cloud.ec2.volumes.usableSnapshot(ctx.principal, m.snapshotId)
      : undefined;
    if (m.snapshotId && !snapshot)
      throw new ServiceError('InvalidSnapshot.NotFound', `The snapshot '${m.snapshotId}' does not exist.`);
    if (snapshot && snapshot.status !== 'completed')
      throw new ServiceError('IncorrectState', `Snapshot '${snapshot.id}' is not completed.`);
    m.sizeGiB ??= snapshot?.volumeSizeGiB;
    if (
      !m.sizeGiB ||
      !Number.isInteger(m.sizeGiB) ||
      m.sizeGiB > MAX_VOLUME_GIB ||
      (snapshot && m.sizeGiB < snapshot.volumeSizeGiB)
    ) {
      throw invalidParameter(
        'BlockDeviceMapping',
        m.device,
        `The volume size must be a whole number of GiB from the snapshot's size to ${MAX_VOLUME_GIB}.`,
      );
    }
  }
  return mappings;
}

/**
 * Makes an instance's volumes and attaches them (in the records) once they are ready; resolves
 * with what the node is to link. The instance's account owns them.
 */
export async function prepareVolumes(
  ctx: RequestContext,
  i: Instance,
  mappings: VolumeMapping[],
): Promise<NodeVolume[]> {
  const made = mappings.map((m) => {
    const snapshot = m.snapshotId ? ctx.cloud.volumes.snapshot(m.snapshotId) : undefined;
    return { m, ...ctx.cloud.ec2.volumes.newVolume(i.accountId, i.zone, m.sizeGiB!, { snapshot }) };
  });
  await Promise.all(made.map((x) => x.ready));
  const { volumes, storage } = ctx.cloud;
  const time = new Date().toISOString();
  volumes.transaction(() => {
    for (const { m, volume } of made) {
      volumes.setAttachment(volume.id, {
        instanceId: i.id,
        device: m.device,
        status: 'attached',
        time,
        deleteOnTermination: m.deleteOnTermination,
      });
      volumes.setVolumeStatus(volume.id, 'in-use');
    }
  });
  return made.map(({ m, volume }) => ({
    device: m.device,
    path: storage.volumePath(i.zone, volume.id),
    root: m.device === i.rootDeviceName && i.rootDeviceType === 'ebs',
  }));
}

/** The volumes attached to a stopped instance, to boot it again. */
export function attachedVolumes(ctx: RequestContext, i: Instance): NodeVolume[] {
  return ctx.cloud.volumes.attachedTo(i.id).map((v) => ({
    device: v.attachment!.device,
    path: ctx.cloud.storage.volumePath(v.zone, v.id),
    root: v.attachment!.device === i.rootDeviceName && i.rootDeviceType === 'ebs',
  }));
}
