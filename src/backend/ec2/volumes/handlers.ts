/**
 * The EC2 volume and snapshot actions on the wire: Query parameters in, a typed call to the
 * volume service (service.ts, where the rules live), the answer's elements out.
 */
import { type QueryCall } from '../../query-service';
import { ServiceError } from '../../errors';
import { filtersParam, listParam, requireParam } from '../../query-params';
import { tagSet } from '../tags/filters';
import { type Tag } from '../tags/store';
import { type Snapshot, type Volume } from '../../storage/store';
import { MAX_VOLUME_GIB } from './service';
import type { VolumeService } from './service';
import type { TagService } from '../tags/service';

/** Size (GiB), when given: a whole number (the service checks the range). */
function sizeParam(ctx: QueryCall): number | undefined {
  const raw = ctx.params.Size;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw))
    throw new ServiceError(
      'InvalidParameterValue',
      `Volume size ${raw} is not an integer from 1 to ${MAX_VOLUME_GIB} (GiB)`,
    );
  return Number(raw);
}

const attachmentXml = (v: Volume) =>
  v.attachment
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
    : [];

const volumeXml = (v: Volume, tags: Map<string, Tag[]>) => ({
  volumeId: v.id,
  size: v.sizeGiB,
  snapshotId: v.snapshotId ?? '',
  availabilityZone: v.zone,
  status: v.status,
  createTime: v.created,
  attachmentSet: attachmentXml(v),
  tagSet: tagSet(tags.get(v.id)),
  volumeType: 'standard',
});

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

function attributeParam(ctx: QueryCall): void {
  const a = ctx.params.Attribute ?? 'createVolumePermission';
  if (a !== 'createVolumePermission')
    throw new ServiceError(
      'InvalidParameterValue',
      `Value (${a}) for parameter attribute is invalid. Only createVolumePermission is supported.`,
    );
}

/** Grantees from CreateVolumePermission.Add/Remove.N.UserId|Group, or UserId.N/UserGroup.N with OperationType. */
function grantees(ctx: QueryCall, op: 'Add' | 'Remove'): string[] {
  const out: string[] = [];
  const re = new RegExp(`^CreateVolumePermission\\.${op}\\.\\d+\\.(UserId|Group)$`);
  for (const [k, v] of Object.entries(ctx.params))
    if (re.test(k) && v) out.push(k.endsWith('Group') ? v.toLowerCase() : v);
  if ((ctx.params.OperationType ?? '').toLowerCase() === op.toLowerCase()) {
    out.push(...listParam(ctx.params, 'UserId'), ...listParam(ctx.params, 'UserGroup').map((g) => g.toLowerCase()));
  }
  return out;
}

/** The actions, given the services they call. */
export function volumeActions(volumeService: VolumeService, tagService: TagService) {
  /** Each resource's tags, for one describe. */
  const tagsOf = (ctx: QueryCall, ids: string[]) => tagService.of(ctx.principal, ids);

  return {
    CreateVolume: (ctx: QueryCall) => {
      const v = volumeService.create(ctx.principal, {
        zone: requireParam(ctx.params, 'AvailabilityZone'),
        sizeGiB: sizeParam(ctx),
        snapshotId: ctx.params.SnapshotId || undefined,
      });
      return {
        volumeId: v.id,
        size: v.sizeGiB,
        snapshotId: v.snapshotId ?? '',
        availabilityZone: v.zone,
        status: v.status,
        createTime: v.created,
        volumeType: 'standard',
      };
    },
    DescribeVolumes: (ctx: QueryCall) => {
      const wanted = listParam(ctx.params, 'VolumeId');
      const found = volumeService.describe(ctx.principal, {
        ids: wanted.filter((w) => w !== 'verbose'),
        verbose: wanted.includes('verbose'),
        filters: filtersParam(ctx.params),
      });
      const tags = tagsOf(
        ctx,
        found.map((v) => v.id),
      );
      return { volumeSet: found.map((v) => volumeXml(v, tags)) };
    },
    DeleteVolume: async (ctx: QueryCall) => {
      await volumeService.delete(ctx.principal, requireParam(ctx.params, 'VolumeId'));
      return { return: true };
    },
    AttachVolume: (ctx: QueryCall) => {
      const a = volumeService.attach(ctx.principal, {
        volumeId: requireParam(ctx.params, 'VolumeId'),
        instanceId: requireParam(ctx.params, 'InstanceId'),
        device: requireParam(ctx.params, 'Device'),
      });
      return {
        volumeId: ctx.params.VolumeId,
        instanceId: a.instanceId,
        device: a.device,
        status: a.status,
        attachTime: a.time,
      };
    },
    DetachVolume: (ctx: QueryCall) => {
      const a = volumeService.detach(ctx.principal, {
        volumeId: requireParam(ctx.params, 'VolumeId'),
        instanceId: ctx.params.InstanceId || undefined,
        device: ctx.params.Device || undefined,
        force: ctx.params.Force === 'true',
      });
      return {
        volumeId: ctx.params.VolumeId,
        instanceId: a.instanceId,
        device: a.device,
        status: 'detaching',
        attachTime: a.time,
      };
    },
    CreateSnapshot: (ctx: QueryCall) => {
      const s = volumeService.createSnapshot(ctx.principal, {
        volumeId: requireParam(ctx.params, 'VolumeId'),
        description: ctx.params.Description ?? '',
      });
      return snapshotXml(s, new Map());
    },
    DescribeSnapshots: (ctx: QueryCall) => {
      const found = volumeService.describeSnapshots(ctx.principal, {
        ids: listParam(ctx.params, 'SnapshotId'),
        owners: listParam(ctx.params, 'Owner'),
        restorableBy: listParam(ctx.params, 'RestorableBy'),
        filters: filtersParam(ctx.params),
      });
      const tags = tagsOf(
        ctx,
        found.map((s: Snapshot) => s.id),
      );
      return { snapshotSet: found.map((s) => snapshotXml(s, tags)) };
    },
    DeleteSnapshot: (ctx: QueryCall) => {
      volumeService.deleteSnapshot(ctx.principal, requireParam(ctx.params, 'SnapshotId'));
      return { return: true };
    },
    DescribeSnapshotAttribute: (ctx: QueryCall) => {
      attributeParam(ctx);
      const { snapshotId, grantees } = volumeService.snapshotPermissions(
        ctx.principal,
        requireParam(ctx.params, 'SnapshotId'),
      );
      return {
        snapshotId,
        createVolumePermission: grantees.map((g) => (g === 'all' ? { group: 'all' } : { userId: g })),
      };
    },
    ModifySnapshotAttribute: (ctx: QueryCall) => {
      const id = requireParam(ctx.params, 'SnapshotId');
      attributeParam(ctx);
      volumeService.modifySnapshotPermissions(ctx.principal, id, grantees(ctx, 'Add'), grantees(ctx, 'Remove'));
      return { return: true };
    },
    ResetSnapshotAttribute: (ctx: QueryCall) => {
      const id = requireParam(ctx.params, 'SnapshotId');
      attributeParam(ctx);
      volumeService.resetSnapshotPermissions(ctx.principal, id);
      return { return: true };
    },
  };
}
