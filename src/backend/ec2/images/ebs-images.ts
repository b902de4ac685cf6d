/**
 * EBS-backed images (seed 000, "Create an EBS Image"): registered from a snapshot rather than a
 * bundle, either with block device mappings (`-b /dev/sda1=snap-...[:SIZE[:DELETE]]` and
 * `--root-device-name`) or, the older way, with the root snapshot alone; `--kernel windows`
 * marks a Windows image. CreateImage makes one from an EBS-backed instance: a snapshot of its
 * root volume, the image pending until the snapshot completes.
 */
import { type RequestContext } from '../../context';
import { invalidParameter, ServiceError } from '../../errors';
import * as ids from '../../ids';
import { requireParam } from '../../query-params';
import { type BlockDeviceMapping, type Image } from './store';

/** The seeds' limit for EBS images: 1 TiB. */
const EBS_IMAGE_LIMIT_GIB = 1024;

function mappingsParam(params: Record<string, string>): BlockDeviceMapping[] {
  const out: BlockDeviceMapping[] = [];
  for (let n = 1; params[`BlockDeviceMapping.${n}.DeviceName`] !== undefined; n++) {
    const p = (k: string) => params[`BlockDeviceMapping.${n}.${k}`];
    const size = p('Ebs.VolumeSize');
    out.push({
      deviceName: p('DeviceName'),
      virtualName: p('VirtualName'),
      noDevice: p('NoDevice') !== undefined,
      snapshotId: p('Ebs.SnapshotId') || undefined,
      volumeSize: size ? Number(size) : undefined,
      deleteOnTermination:
        p('Ebs.DeleteOnTermination') === undefined ? undefined : p('Ebs.DeleteOnTermination') !== 'false',
    });
  }
  return out;
}

function insertImage(ctx: RequestContext, image: Image): void {
  try {
    ctx.cloud.images.insert(image);
  } catch (e) {
    if (/UNIQUE/.test(String(e)))
      throw new ServiceError('InvalidAMIName.Duplicate', `AMI name ${image.name} is already in use`);
    throw e;
  }
}

/** RegisterImage without ImageLocation: an EBS-backed machine image from a root snapshot. */
export function registerEbsImage(ctx: RequestContext): string {
  const p = ctx.params;
  const name = requireParam(p, 'Name');
  const rootDeviceName = p.RootDeviceName || '/dev/sda1';
  const mappings = mappingsParam(p);
  const root = mappings.find((m) => m.deviceName === rootDeviceName);
  if (!root?.snapshotId)
    throw new ServiceError(
      'MissingParameter',
      `An EBS image needs a snapshot for its root device ${rootDeviceName} (-b ${rootDeviceName}=snap-...)`,
    );
  for (const m of mappings) {
    if (!m.snapshotId) continue;
    const snapshot = ctx.cloud.ec2.volumes.usableSnapshot(ctx.principal, m.snapshotId);
    if (snapshot.status !== 'completed')
      throw new ServiceError('IncorrectState', `Snapshot '${snapshot.id}' is not completed.`);
    const size = m.volumeSize ?? snapshot.volumeSizeGiB;
    if (!Number.isInteger(size) || size < snapshot.volumeSizeGiB || size > EBS_IMAGE_LIMIT_GIB) {
      throw invalidParameter(
        'BlockDeviceMapping',
        m.deviceName,
        `The volume size must be a whole number of GiB ` +
          `from ${snapshot.volumeSizeGiB} to ${EBS_IMAGE_LIMIT_GIB} (EBS images are limited to 1 TiB).`,
      );
    }
    m.volumeSize = size;
  }
  const windows = p.KernelId === 'windows' || p.Platform === 'windows';
  const image: Image = {
    id: ids.resourceId('emi'),
    accountId: ctx.principal.account.id,
    type: 'machine',
    name,
    description: p.Description,
    architecture: p.Architecture ?? 'x86_64',
    kernelId: windows ? undefined : p.KernelId,
    ramdiskId: windows ? undefined : p.RamdiskId,
    platform: windows ? 'windows' : undefined,
    rootDeviceType: 'ebs',
    rootDeviceName,
    virtualizationType: p.VirtualizationType ?? (windows ? 'hvm' : 'paravirtual'),
    state: 'available',
    isPublic: false,
    blockDeviceMappings: mappings,
    created: new Date().toISOString(),
  };
  if (image.kernelId && ctx.cloud.images.get(image.kernelId)?.type !== 'kernel')
    throw invalidParameter('KernelId', image.kernelId, 'It is not a kernel image of this cloud.');
  if (image.ramdiskId && ctx.cloud.images.get(image.ramdiskId)?.type !== 'ramdisk')
    throw invalidParameter('RamdiskId', image.ramdiskId, 'It is not a ramdisk image of this cloud.');
  insertImage(ctx, image);
  return image.id;
}

/** CreateImage: an EBS-backed instance's root volume, snapshotted, as a new image. */
export function createImage(ctx: RequestContext) {
  const instanceId = requireParam(ctx.params, 'InstanceId');
  const name = requireParam(ctx.params, 'Name');
  const i = ctx.cloud.instances.list({ accountId: ctx.principal.account.id, ids: [instanceId] })[0];
  if (!i) throw new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
  if (i.rootDeviceType !== 'ebs')
    throw new ServiceError(
      'InvalidParameterValue',
      `Instance ${i.id} is not EBS-backed: bundle an instance-store instance with euca-bundle-instance instead.`,
    );
  if (i.state !== 'running' && i.state !== 'stopped')
    throw new ServiceError(
      'IncorrectInstanceState',
      `Instance ${i.id} is ${i.state}: CreateImage needs it running or stopped.`,
    );
  const volumes = ctx.cloud.volumes.attachedTo(i.id);
  const root = volumes.find((v) => v.attachment?.device === i.rootDeviceName);
  if (!root) throw new ServiceError('IncorrectInstanceState', `Instance ${i.id} has no root volume attached.`);
  const source = ctx.cloud.images.get(i.imageId);
  const imageId = ids.resourceId('emi');
  // The image is pending until its snapshot completes (copySnapshot settles it).
  const snapshot = ctx.cloud.ec2.volumes.snapshot(root, `Created by CreateImage(${i.id}) for ${name}`);
  const image: Image = {
    id: imageId,
    accountId: ctx.principal.account.id,
    type: 'machine',
    name,
    description: ctx.params.Description,
    architecture: i.architecture,
    kernelId: i.kernelId,
    ramdiskId: i.ramdiskId,
    platform: i.platform,
    rootDeviceType: 'ebs',
    rootDeviceName: i.rootDeviceName!,
    virtualizationType: source?.virtualizationType ?? 'paravirtual',
    state: 'pending',
    isPublic: false,
    blockDeviceMappings: [
      { deviceName: i.rootDeviceName!, snapshotId: snapshot.id, volumeSize: root.sizeGiB, deleteOnTermination: true },
    ],
    created: new Date().toISOString(),
  };
  insertImage(ctx, image);
  return { imageId: image.id };
}
