/**
 * EBS volumes and snapshots, as EC2 has them. A volume is created (empty, or from a snapshot the
 * caller may use) in a zone, attached to one running instance of the same zone at a time through
 * its node controller (attaching → attached, the volume in-use; detaching → available), and
 * deleted only when available. A snapshot of an available or in-use volume copies it into Walrus
 * in the background (pending → completed, with progress) and can be shared with other accounts or
 * made public (createVolumePermission).
 */
import { type CloudContext, type RequestContext } from '../../context';
import { ServiceError } from '../../errors';
import { log } from '../../listen';
import * as ids from '../../ids';
import { isCloudAdmin } from '../../iam/principals';
import { applyFilters, filtersParam, listParam, requireParam } from '../../query-params';
import { type Instance } from '../instances/store';
import { registerResourceKind } from '../resources';
import { tagSet } from '../tags/filters';
import { type Tag } from '../tags/store';
import { type Snapshot, type Volume } from '../../storage/store';

/** The seeds' limit for EBS volumes and images: 1 TiB. */
export const MAX_VOLUME_GIB = 1024;

registerResourceKind(['vol'], (ctx, id) => ctx.cloud.volumes.volume(id)?.accountId, 'InvalidVolume.NotFound');
registerResourceKind(['snap'], (ctx, id) => ctx.cloud.volumes.snapshot(id)?.accountId, 'InvalidSnapshot.NotFound');

const VOLUME_ID = /^vol-[0-9A-Fa-f]{8}$/;
const SNAPSHOT_ID = /^snap-[0-9A-Fa-f]{8}$/;
const DEVICE = /^\/dev\/(sd[b-z]|xvd[b-z]|vd[b-z]|hd[b-z])[1-9]?$/;

const volumeNotFound = (id: string) => new ServiceError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
const snapshotNotFound = (id: string) =>
  new ServiceError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
const incorrectState = (message: string) => new ServiceError('IncorrectState', message);

/** One of the caller's volumes. */
export function ownVolume(ctx: RequestContext, id: string): Volume {
  if (!VOLUME_ID.test(id)) throw new ServiceError('InvalidVolumeID.Malformed', `Invalid id: "${id}"`);
  const v = ctx.cloud.volumes.volume(id);
  if (!v || v.status === 'deleted' || v.accountId !== ctx.principal.account.id) throw volumeNotFound(id);
  return v;
}

/** Whether an account may make volumes of a snapshot: its own, shared with it, or public. */
function mayUse(ctx: RequestContext, s: Snapshot): boolean {
  const me = ctx.principal.account.id;
  if (s.accountId === me || isCloudAdmin(ctx)) return true;
  const granted = ctx.cloud.volumes.permissions(s.id);
  return granted.includes('all') || granted.includes(me);
}

export function usableSnapshot(ctx: RequestContext, id: string): Snapshot {
  if (!SNAPSHOT_ID.test(id)) throw new ServiceError('InvalidSnapshotID.Malformed', `Invalid id: "${id}"`);
  const s = ctx.cloud.volumes.snapshot(id);
  if (!s || !mayUse(ctx, s)) throw snapshotNotFound(id);
  return s;
}

function ownSnapshot(ctx: RequestContext, id: string): Snapshot {
  const s = usableSnapshot(ctx, id);
  if (s.accountId !== ctx.principal.account.id) throw snapshotNotFound(id);
  return s;
}

function zoneParam(ctx: RequestContext, name = 'AvailabilityZone'): string {
  const zone = requireParam(ctx.params, name);
  if (!ctx.cloud.compute.zones().includes(zone))
    throw new ServiceError('InvalidParameterValue', `Invalid availability zone: [${zone}]`);
  return zone;
}

function sizeParam(ctx: RequestContext, snapshot?: Snapshot): number {
  const raw = ctx.params.Size;
  if (raw === undefined || raw === '') {
    if (snapshot) return snapshot.volumeSizeGiB;
    throw new ServiceError('MissingParameter', 'The request must contain the parameter size or snapshotId');
  }
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > MAX_VOLUME_GIB)
    throw new ServiceError(
      'InvalidParameterValue',
      `Volume size ${raw} is not an integer from 1 to ${MAX_VOLUME_GIB} (GiB)`,
    );
  if (snapshot && size < snapshot.volumeSizeGiB) {
    throw new ServiceError(
      'InvalidParameterValue',
      `Volume of ${size}GiB is too small; minimum is ${snapshot.volumeSizeGiB}GiB (the size of ${snapshot.id})`,
    );
  }
  return size;
}

/**
 * Creates a volume record (creating) and, in the background, its file, then fills it (from a
 * snapshot, an imported image): it turns available, or error. Shared with RunInstances (EBS root
 * and -b volumes) and ImportVolume.
 */
export function createVolumeRecord(
  ctx: RequestContext,
  zone: string,
  sizeGiB: number,
  opts: { snapshot?: Snapshot; fill?: (v: Volume) => Promise<void>; accountId?: string } = {},
): { volume: Volume; ready: Promise<void> } {
  const { snapshot, fill } = opts;
  const v: Volume = {
    id: ids.resourceId('vol'),
    accountId: opts.accountId ?? ctx.principal.account.id,
    zone,
    sizeGiB,
    snapshotId: snapshot?.id,
    status: 'creating',
    created: new Date().toISOString(),
  };
  const { volumes, storage } = ctx.cloud;
  volumes.insertVolume(v);
  const ready = (async () => {
    await storage.create(zone, v.id, sizeGiB);
    if (snapshot) await storage.restore(zone, v.id, snapshot.id);
    await fill?.(v);
  })().then(
    () => {
      if (volumes.volume(v.id)?.status !== 'creating')
        throw new Error(`${v.id} was deleted while it was being created`);
      volumes.setVolumeStatus(v.id, 'available');
    },
    (e: Error) => {
      log(`${v.id}: creation failed: ${e.message}`);
      if (volumes.volume(v.id)?.status === 'creating') volumes.setVolumeStatus(v.id, 'error');
      throw e;
    },
  );
  ready.catch(() => undefined);
  return { volume: v, ready };
}

/** Each resource's tags, for one describe. */
const tagsOf = (ctx: RequestContext, ids: string[]) => ctx.cloud.tags.forResources(ctx.principal.account.id, ids);

const volumeXml = (v: Volume, tags: Map<string, Tag[]>) => ({
  volumeId: v.id,
  size: v.sizeGiB,
  snapshotId: v.snapshotId ?? '',
  availabilityZone: v.zone,
  status: v.status,
  createTime: v.created,
  attachmentSet: v.attachment
    ? [
        {
          volumeId: v.id,
          instanceId: v.attachment.instanceId,
          device: v.attachment.device,
          status: v.attachment.status,
          attachTime: v.attachment.time,
          deleteOnTermination: v.attachment.deleteOnTermination,
        },
      ]
    : [],
  tagSet: tagSet(tags.get(v.id)),
  volumeType: 'standard',
});

export function createVolume(ctx: RequestContext) {
  const zone = zoneParam(ctx);
  const snapshot = ctx.params.SnapshotId ? usableSnapshot(ctx, ctx.params.SnapshotId) : undefined;
  if (snapshot && snapshot.status !== 'completed')
    throw incorrectState(`Snapshot '${snapshot.id}' is not completed (it is ${snapshot.status}).`);
  const { volume: v } = createVolumeRecord(ctx, zone, sizeParam(ctx, snapshot), { snapshot });
  return {
    volumeId: v.id,
    size: v.sizeGiB,
    snapshotId: v.snapshotId ?? '',
    availabilityZone: v.zone,
    status: v.status,
    createTime: v.created,
    volumeType: 'standard',
  };
}

export function describeVolumes(ctx: RequestContext) {
  const wanted = listParam(ctx.params, 'VolumeId');
  const verbose = wanted.includes('verbose') && isCloudAdmin(ctx);
  const idsWanted = wanted.filter((w) => w !== 'verbose');
  let found = ctx.cloud.volumes.volumes(verbose ? undefined : ctx.principal.account.id);
  if (idsWanted.length) {
    for (const id of idsWanted) if (!found.some((v) => v.id === id)) throw volumeNotFound(id);
    found = found.filter((v) => idsWanted.includes(v.id));
  }
  found = applyFilters(found, filtersParam(ctx.params), {
    'volume-id': (v) => v.id,
    status: (v) => v.status,
    'availability-zone': (v) => v.zone,
    size: (v) => String(v.sizeGiB),
    'snapshot-id': (v) => v.snapshotId,
    'attachment.instance-id': (v) => v.attachment?.instanceId,
    'attachment.device': (v) => v.attachment?.device,
    'attachment.status': (v) => v.attachment?.status,
  });
  const tags = tagsOf(
    ctx,
    found.map((v) => v.id),
  );
  return { volumeSet: found.map((v) => volumeXml(v, tags)) };
}

export async function deleteVolume(ctx: RequestContext) {
  const v = ownVolume(ctx, requireParam(ctx.params, 'VolumeId'));
  if (v.attachment || v.status === 'in-use')
    throw new ServiceError(
      'VolumeInUse',
      `Volume ${v.id} is currently attached to ${v.attachment?.instanceId ?? 'an instance'}`,
    );
  if (v.status !== 'available' && v.status !== 'error')
    throw incorrectState(`Volume '${v.id}' is ${v.status}, not available.`);
  await destroyVolume(ctx.cloud, v);
  return { return: true };
}

/** Removes a volume's file and marks it deleted (describes no longer list it). */
export async function destroyVolume(cloud: CloudContext, v: Volume): Promise<void> {
  cloud.volumes.setVolumeStatus(v.id, 'deleting');
  await cloud.storage.remove(v.zone, v.id);
  cloud.volumes.setVolumeStatus(v.id, 'deleted');
}

function ownRunningInstance(ctx: RequestContext, id: string): Instance {
  const i = ctx.cloud.instances.list({ accountId: ctx.principal.account.id, ids: [id] })[0];
  if (!i) throw new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  if (i.state !== 'running' || !i.node) throw incorrectState(`Instance '${i.id}' is ${i.state}, not running.`);
  return i;
}

/** Links a volume into an instance through its node; on failure the volume is available again. */
export function attachToInstance(
  ctx: RequestContext,
  v: Volume,
  i: Instance,
  device: string,
  deleteOnTermination = false,
): Promise<void> {
  const { volumes, storage, compute } = ctx.cloud;
  const attachment = {
    instanceId: i.id,
    device,
    status: 'attaching' as const,
    time: new Date().toISOString(),
    deleteOnTermination,
  };
  volumes.transaction(() => {
    volumes.setAttachment(v.id, attachment);
    volumes.setVolumeStatus(v.id, 'in-use');
  });
  return compute.nodes
    .attachVolume(i.node!, { instanceId: i.id, volumeId: v.id, device, path: storage.volumePath(v.zone, v.id) })
    .then(
      () => volumes.setAttachment(v.id, { ...attachment, status: 'attached' }),
      (e: Error) => {
        log(`${v.id}: attaching to ${i.id} failed: ${e.message}`);
        volumes.transaction(() => {
          volumes.setAttachment(v.id, undefined);
          volumes.setVolumeStatus(v.id, 'available');
        });
      },
    );
}

export function attachVolume(ctx: RequestContext) {
  const v = ownVolume(ctx, requireParam(ctx.params, 'VolumeId'));
  const i = ownRunningInstance(ctx, requireParam(ctx.params, 'InstanceId'));
  const device = requireParam(ctx.params, 'Device');
  if (!DEVICE.test(device))
    throw new ServiceError(
      'InvalidParameterValue',
      `Value (${device}) for parameter device is invalid. ${device} is not a valid EBS device name (such as /dev/sdf).`,
    );
  if (v.attachment) throw new ServiceError('VolumeInUse', `${v.id} is already attached to an instance`);
  if (v.status !== 'available') throw incorrectState(`Volume '${v.id}' is ${v.status}, not available.`);
  if (v.zone !== i.zone)
    throw new ServiceError(
      'InvalidVolume.ZoneMismatch',
      `The volume '${v.id}' is not in the same availability zone as instance '${i.id}'`,
    );
  if (ctx.cloud.volumes.attachedTo(i.id).some((a) => a.attachment?.device === device)) {
    throw new ServiceError('InvalidParameterValue', `Attachment point ${device} is already in use`);
  }
  void attachToInstance(ctx, v, i, device);
  return { volumeId: v.id, instanceId: i.id, device, status: 'attaching', attachTime: new Date().toISOString() };
}

/** Takes a volume out of its instance; it is available again once the node has let it go. */
export function detachFromInstance(ctx: RequestContext, v: Volume): Promise<void> {
  const { volumes, compute } = ctx.cloud;
  const a = v.attachment!;
  volumes.setAttachment(v.id, { ...a, status: 'detaching' });
  const i = ctx.cloud.instances.get(a.instanceId);
  const release = () =>
    volumes.transaction(() => {
      volumes.setAttachment(v.id, undefined);
      volumes.setVolumeStatus(v.id, 'available');
    });
  if (!i?.node || i.state === 'terminated') {
    release();
    return Promise.resolve();
  }
  return compute.nodes
    .detachVolume(i.node, { instanceId: i.id, volumeId: v.id, device: a.device })
    .then(release, (e: Error) => {
      log(`${v.id}: detaching from ${i.id} failed: ${e.message}`);
      volumes.setAttachment(v.id, a);
    });
}

export function detachVolume(ctx: RequestContext) {
  const v = ownVolume(ctx, requireParam(ctx.params, 'VolumeId'));
  const a = v.attachment;
  if (!a) throw incorrectState(`Volume '${v.id}' is not attached.`);
  const instanceId = ctx.params.InstanceId;
  if (instanceId && instanceId !== a.instanceId)
    throw new ServiceError(
      'InvalidAttachment.NotFound',
      `Volume '${v.id}' is not attached to instance '${instanceId}'`,
    );
  if (ctx.params.Device && ctx.params.Device !== a.device)
    throw new ServiceError('InvalidAttachment.NotFound', `Volume '${v.id}' is not attached at ${ctx.params.Device}`);
  if (a.status === 'detaching' && ctx.params.Force !== 'true')
    throw incorrectState(`Volume '${v.id}' is already detaching.`);
  void detachFromInstance(ctx, v);
  return { volumeId: v.id, instanceId: a.instanceId, device: a.device, status: 'detaching', attachTime: a.time };
}

/** What happens to an instance's volumes when it terminates: detached, deleted if so marked. */
/**
 * Detaches an ended instance's volumes; those marked delete-on-termination are deleted unless
 * `keep` (the instance ended without anyone asking: its user's data stays).
 */
export async function releaseVolumes(
  cloud: CloudContext,
  instanceId: string,
  opts: { keep?: boolean } = {},
): Promise<void> {
  for (const v of cloud.volumes.attachedTo(instanceId)) {
    const dot = v.attachment!.deleteOnTermination && !opts.keep;
    cloud.volumes.transaction(() => {
      cloud.volumes.setAttachment(v.id, undefined);
      cloud.volumes.setVolumeStatus(v.id, 'available');
    });
    if (dot) await destroyVolume(cloud, v);
  }
}

// Snapshots

const snapshotXml = (s: Snapshot, tags: Map<string, Tag[]>) => ({
  snapshotId: s.id,
  volumeId: s.volumeId,
  status: s.status,
  startTime: s.started,
  progress: `${s.progress}%`,
  ownerId: s.accountId,
  volumeSize: s.volumeSizeGiB,
  description: s.description,
  tagSet: tagSet(tags.get(s.id)),
});

/** Starts a snapshot of a volume; copying into Walrus goes on in the background. */
export function snapshotVolume(ctx: RequestContext, v: Volume, description: string): Snapshot {
  const s: Snapshot = {
    id: ids.resourceId('snap'),
    accountId: v.accountId,
    volumeId: v.id,
    volumeSizeGiB: v.sizeGiB,
    status: 'pending',
    progress: 0,
    description,
    started: new Date().toISOString(),
  };
  ctx.cloud.volumes.insertSnapshot(s);
  copySnapshot(ctx.cloud, s, v);
  return s;
}

/**
 * Copies a pending snapshot's volume into Walrus (again, from its start, when a restart cut an
 * earlier copy short): it ends completed, or error; images made from it (CreateImage) follow.
 */
export function copySnapshot(cloud: CloudContext, s: Snapshot, v: Volume): void {
  const { volumes, storage } = cloud;
  void storage
    .snapshot(v.zone, v.id, s.id, (p) => volumes.setSnapshotProgress(s.id, 'pending', Math.min(p, 99)))
    .then(
      () => {
        volumes.setSnapshotProgress(s.id, 'completed', 100);
        settleImagesOf(cloud, s.id, true);
      },
      (e: Error) => {
        log(`${s.id}: snapshot failed: ${e.message}`);
        volumes.setSnapshotProgress(s.id, 'error', 0);
        settleImagesOf(cloud, s.id, false);
      },
    );
}

/** An EBS image waiting for its root snapshot is available once that is complete, failed if it failed. */
function settleImagesOf(cloud: CloudContext, snapshotId: string, completed: boolean): void {
  for (const image of cloud.images.inState('pending')) {
    const root =
      image.rootDeviceType === 'ebs' && image.blockDeviceMappings.find((m) => m.deviceName === image.rootDeviceName);
    if (!root || root.snapshotId !== snapshotId) continue;
    if (completed) cloud.images.setState(image.id, 'available');
    else cloud.images.setState(image.id, 'failed', `the snapshot ${snapshotId} failed`);
  }
}

export function createSnapshot(ctx: RequestContext) {
  const v = ownVolume(ctx, requireParam(ctx.params, 'VolumeId'));
  if (v.status !== 'available' && v.status !== 'in-use')
    throw incorrectState(`Volume '${v.id}' is ${v.status}: a snapshot needs an available or in-use volume.`);
  const description = ctx.params.Description ?? '';
  if (description.length > 255)
    throw new ServiceError('InvalidParameterValue', 'The description is longer than 255 characters');
  return snapshotXml(snapshotVolume(ctx, v, description), new Map());
}

export function describeSnapshots(ctx: RequestContext) {
  const me = ctx.principal.account.id;
  const wanted = listParam(ctx.params, 'SnapshotId');
  const owners = listParam(ctx.params, 'Owner').map((o) => (o === 'self' ? me : o));
  const restorableBy = listParam(ctx.params, 'RestorableBy').map((o) => (o === 'self' ? me : o));
  let found = ctx.cloud.volumes.allSnapshots().filter((s) => mayUse(ctx, s));
  if (wanted.length) {
    for (const id of wanted) if (!found.some((s) => s.id === id)) throw snapshotNotFound(id);
    found = found.filter((s) => wanted.includes(s.id));
  }
  if (owners.length) found = found.filter((s) => owners.includes(s.accountId));
  if (restorableBy.length) {
    found = found.filter((s) => {
      const granted = ctx.cloud.volumes.permissions(s.id);
      return restorableBy.some((r) => r === s.accountId || granted.includes(r) || granted.includes('all'));
    });
  }
  found = applyFilters(found, filtersParam(ctx.params), {
    'snapshot-id': (s) => s.id,
    'volume-id': (s) => s.volumeId,
    status: (s) => s.status,
    'owner-id': (s) => s.accountId,
    description: (s) => s.description,
    'volume-size': (s) => String(s.volumeSizeGiB),
  });
  const tags = tagsOf(
    ctx,
    found.map((s) => s.id),
  );
  return { snapshotSet: found.map((s) => snapshotXml(s, tags)) };
}

export function deleteSnapshot(ctx: RequestContext) {
  const s = ownSnapshot(ctx, requireParam(ctx.params, 'SnapshotId'));
  if (s.status === 'pending') throw incorrectState(`Snapshot '${s.id}' is still being created.`);
  ctx.cloud.storage.deleteSnapshot(s.id);
  ctx.cloud.volumes.deleteSnapshot(s.id);
  return { return: true };
}

function attributeParam(ctx: RequestContext): void {
  const a = ctx.params.Attribute ?? 'createVolumePermission';
  if (a !== 'createVolumePermission')
    throw new ServiceError(
      'InvalidParameterValue',
      `Value (${a}) for parameter attribute is invalid. Only createVolumePermission is supported.`,
    );
}

export function describeSnapshotAttribute(ctx: RequestContext) {
  const s = ownSnapshot(ctx, requireParam(ctx.params, 'SnapshotId'));
  attributeParam(ctx);
  const permissions = ctx.cloud.volumes.permissions(s.id).map((g) => (g === 'all' ? { group: 'all' } : { userId: g }));
  return { snapshotId: s.id, createVolumePermission: permissions };
}

/** Grantees from CreateVolumePermission.Add/Remove.N.UserId|Group, or UserId.N/UserGroup.N with OperationType. */
function grantees(ctx: RequestContext, op: 'Add' | 'Remove'): string[] {
  const out: string[] = [];
  const re = new RegExp(`^CreateVolumePermission\\.${op}\\.\\d+\\.(UserId|Group)$`);
  for (const [k, v] of Object.entries(ctx.params))
    if (re.test(k) && v) out.push(k.endsWith('Group') ? v.toLowerCase() : v);
  if ((ctx.params.OperationType ?? '').toLowerCase() === op.toLowerCase()) {
    out.push(...listParam(ctx.params, 'UserId'), ...listParam(ctx.params, 'UserGroup').map((g) => g.toLowerCase()));
  }
  for (const g of out) {
    if (g !== 'all' && !/^\d{12}$/.test(g))
      throw new ServiceError('InvalidParameterValue', `Invalid user or group: ${g} (an account id, or the group all)`);
  }
  return out;
}

export function modifySnapshotAttribute(ctx: RequestContext) {
  const s = ownSnapshot(ctx, requireParam(ctx.params, 'SnapshotId'));
  attributeParam(ctx);
  const add = grantees(ctx, 'Add');
  const remove = grantees(ctx, 'Remove');
  if (!add.length && !remove.length)
    throw new ServiceError('MissingParameter', 'The request must name accounts or the group all to add or remove');
  ctx.cloud.volumes.setPermissions(s.id, add, remove);
  return { return: true };
}

export function resetSnapshotAttribute(ctx: RequestContext) {
  const s = ownSnapshot(ctx, requireParam(ctx.params, 'SnapshotId'));
  attributeParam(ctx);
  ctx.cloud.volumes.resetPermissions(s.id);
  return { return: true };
}
