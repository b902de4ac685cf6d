/**
 * The EC2 volume and snapshot actions on the wire: the request its model reads in, a typed call
 * to the volume or snapshot service (service.ts, snapshots.ts: where the rules live), the answer's
 * elements out.
 */
import type { CreateVolumePermissionModifications, Ec2Operations } from '../../../shared/wire/ec2';
import { ServiceError } from '../../errors';
import { filtersOf, required } from '../../query-params';
import type { Actions } from '../../query-service';
import { type Snapshot, type Volume } from '../../storage/store';
import { tagSet } from '../tags/filters';
import type { TagService } from '../tags/service';
import { type Tag } from '../tags/store';
import type { VolumeService } from './service';
import type { SnapshotService } from './snapshots';

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

function checkAttribute(attribute: string | undefined): void {
  const a = attribute ?? 'createVolumePermission';
  if (a !== 'createVolumePermission')
    throw new ServiceError(
      'InvalidParameterValue',
      `Value (${a}) for parameter attribute is invalid. Only createVolumePermission is supported.`,
    );
}

/** Grantees from CreateVolumePermission.Add/Remove.N.UserId|Group, or UserId.N/UserGroup.N with OperationType. */
function grantees(
  input: {
    CreateVolumePermission?: CreateVolumePermissionModifications;
    OperationType?: string;
    UserIds?: string[];
    GroupNames?: string[];
  },
  op: 'Add' | 'Remove',
): string[] {
  const out = (input.CreateVolumePermission?.[op] ?? []).flatMap((g) => [
    ...(g.UserId ? [g.UserId] : []),
    ...(g.Group ? [g.Group.toLowerCase()] : []),
  ]);
  if ((input.OperationType ?? '').toLowerCase() === op.toLowerCase())
    out.push(...(input.UserIds ?? []), ...(input.GroupNames ?? []).map((g) => g.toLowerCase()));
  return out;
}

type VolumeActions = Actions<
  Ec2Operations,
  | 'CreateVolume'
  | 'DescribeVolumes'
  | 'DeleteVolume'
  | 'AttachVolume'
  | 'DetachVolume'
  | 'CreateSnapshot'
  | 'DescribeSnapshots'
  | 'DeleteSnapshot'
  | 'DescribeSnapshotAttribute'
  | 'ModifySnapshotAttribute'
  | 'ResetSnapshotAttribute'
>;

/** The actions, given the services they call. */
export function volumeActions(volumes: VolumeService, snapshots: SnapshotService, tags: TagService): VolumeActions {
  return {
    CreateVolume: async ({ principal, input }) => {
      const wanted = tags.specified(input.TagSpecifications, ['volume']);
      const v = await volumes.create(principal, {
        zone: required(input.AvailabilityZone, 'AvailabilityZone'),
        sizeGiB: input.Size,
        snapshotId: input.SnapshotId || undefined,
      });
      await tags.tagCreated(principal, [v.id], wanted.get('volume'));
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
    DescribeVolumes: async ({ principal, input }) => {
      const wanted = input.VolumeIds ?? [];
      const found = await volumes.describe(principal, {
        ids: wanted.filter((w) => w !== 'verbose'),
        verbose: wanted.includes('verbose'),
        filters: filtersOf(input.Filters),
      });
      const t = await tags.of(
        principal,
        found.map((v) => v.id),
      );
      return { volumeSet: found.map((v) => volumeXml(v, t)) };
    },
    DeleteVolume: async ({ principal, input }) => {
      await volumes.delete(principal, required(input.VolumeId, 'VolumeId'));
      return { return: true };
    },
    AttachVolume: async ({ principal, input }) => {
      const volumeId = required(input.VolumeId, 'VolumeId');
      const a = await volumes.attach(principal, {
        volumeId,
        instanceId: required(input.InstanceId, 'InstanceId'),
        device: required(input.Device, 'Device'),
      });
      return { volumeId, instanceId: a.instanceId, device: a.device, status: a.status, attachTime: a.time };
    },
    DetachVolume: async ({ principal, input }) => {
      const volumeId = required(input.VolumeId, 'VolumeId');
      const a = await volumes.detach(principal, {
        volumeId,
        instanceId: input.InstanceId || undefined,
        device: input.Device || undefined,
        force: input.Force === true,
      });
      return { volumeId, instanceId: a.instanceId, device: a.device, status: 'detaching', attachTime: a.time };
    },
    CreateSnapshot: async ({ principal, input }) => {
      const wanted = tags.specified(input.TagSpecifications, ['snapshot']);
      const s = await snapshots.createSnapshot(principal, {
        volumeId: required(input.VolumeId, 'VolumeId'),
        description: input.Description ?? '',
      });
      await tags.tagCreated(principal, [s.id], wanted.get('snapshot'));
      return snapshotXml(s, await tags.of(principal, [s.id]));
    },
    DescribeSnapshots: async ({ principal, input }) => {
      const found = await snapshots.describeSnapshots(principal, {
        ids: input.SnapshotIds ?? [],
        owners: input.OwnerIds ?? [],
        restorableBy: input.RestorableByUserIds ?? [],
        filters: filtersOf(input.Filters),
      });
      const t = await tags.of(
        principal,
        found.map((s: Snapshot) => s.id),
      );
      return { snapshotSet: found.map((s) => snapshotXml(s, t)) };
    },
    DeleteSnapshot: async ({ principal, input }) => {
      await snapshots.deleteSnapshot(principal, required(input.SnapshotId, 'SnapshotId'));
      return { return: true };
    },
    DescribeSnapshotAttribute: async ({ principal, input }) => {
      // Snapshots here carry no product codes: the attribute is answered, and empty.
      if (input.Attribute !== 'productCodes') checkAttribute(input.Attribute);
      const { snapshotId, grantees: who } = await snapshots.snapshotPermissions(
        principal,
        required(input.SnapshotId, 'SnapshotId'),
      );
      if (input.Attribute === 'productCodes') return { snapshotId, productCodes: [] };
      return {
        snapshotId,
        createVolumePermission: who.map((g) => (g === 'all' ? { group: 'all' } : { userId: g })),
      };
    },
    ModifySnapshotAttribute: async ({ principal, input }) => {
      const id = required(input.SnapshotId, 'SnapshotId');
      checkAttribute(input.Attribute);
      await snapshots.modifySnapshotPermissions(principal, id, grantees(input, 'Add'), grantees(input, 'Remove'));
      return { return: true };
    },
    ResetSnapshotAttribute: async ({ principal, input }) => {
      const id = required(input.SnapshotId, 'SnapshotId');
      checkAttribute(input.Attribute);
      await snapshots.resetSnapshotPermissions(principal, id);
      return { return: true };
    },
  };
}
