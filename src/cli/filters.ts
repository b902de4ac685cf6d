/**
 * The filters each describe command takes, as euca2ools 3 declares them: a --filter whose name is
 * none of its command's is an argument error (exit 2) before anything is sent, as euca2ools
 * refuses it, and a value of the wrong type or outside a filter's choices likewise. `tag:KEY`
 * stands for every tag:NAME filter. The cloud refuses a name it does not know, too
 * (InvalidParameterValue), for programs that skip these checks.
 */
import { UsageError } from '../shared/errors';

export interface FilterSpec {
  name: string;
  /** The value must be a whole number. */
  type?: 'int';
  /** The value must be one of these. */
  choices?: readonly string[];
}

const f = (...names: string[]): FilterSpec[] => names.map((name) => ({ name }));

export const ADDRESS_FILTERS = f(
  'allocation-id',
  'association-id',
  'domain',
  'instance-id',
  'network-interface-id',
  'network-interface-owner-id',
  'private-ip-address',
  'public-ip',
);
export const ZONE_FILTERS = f('message', 'region-name', 'state', 'zone-name');
export const BUNDLE_TASK_FILTERS = f(
  'bundle-id',
  'error-code',
  'error-message',
  'instance-id',
  'progress',
  's3-bucket',
  's3-prefix',
  'start-time',
  'state',
  'update-time',
);
export const GROUP_FILTERS: FilterSpec[] = [
  ...f(
    'description',
    'group-id',
    'group-name',
    'ip-permission.cidr',
    'ip-permission.from-port',
    'ip-permission.group-name',
    'ip-permission.group-id',
    'ip-permission.protocol',
    'ip-permission.to-port',
    'ip-permission.user-id',
    'owner-id',
    'tag-key',
    'tag-value',
  ),
  { name: 'tag:KEY' },
  ...f('vpc-id'),
];
export const IMAGE_FILTERS: FilterSpec[] = [
  ...f(
    'architecture',
    'block-device-mapping.delete-on-termination',
    'block-device-mapping.device-name',
    'block-device-mapping.snapshot-id',
    'block-device-mapping.volume-size',
    'block-device-mapping.volume-type',
    'description',
    'hypervisor',
    'image-id',
    'image-type',
    'is-public',
    'kernel-id',
    'manifest-location',
    'name',
    'owner-alias',
    'owner-id',
    'platform',
    'product-code',
    'product-code.type',
    'ramdisk-id',
    'root-device-name',
    'root-device-type',
    'state',
    'state-reason-code',
    'state-reason-message',
    'tag-key',
    'tag-value',
  ),
  { name: 'tag:KEY' },
  ...f('virtualization-type'),
];
export const INSTANCE_STATUS_FILTERS: FilterSpec[] = [
  ...f('availability-zone'),
  { name: 'event.code', choices: ['instance-reboot', 'instance-retirement', 'instance-stop', 'system-maintenance'] },
  ...f('event.description', 'event.not-after', 'event.not-before'),
  { name: 'instance-state-code', type: 'int' },
  ...f('instance-state-name'),
  {
    name: 'instance-status.status',
    choices: ['ok', 'impaired', 'initializing', 'insufficient-data', 'not-applicable'],
  },
  { name: 'instance-status.reachability', choices: ['passed', 'failed', 'initializing', 'insufficient-data'] },
  { name: 'system-status.status', choices: ['ok', 'impaired', 'initializing', 'insufficient-data', 'not-applicable'] },
  { name: 'system-status.reachability', choices: ['passed', 'failed', 'initializing', 'insufficient-data'] },
];
export const INSTANCE_FILTERS: FilterSpec[] = [
  ...f(
    'architecture',
    'association.allocation-id',
    'association.association-id',
    'association.ip-owner-id',
    'association.public-ip',
    'availability-zone',
    'block-device-mapping.attach-time',
    'block-device-mapping.delete-on-termination',
    'block-device-mapping.device-name',
    'block-device-mapping.status',
    'block-device-mapping.volume-id',
    'client-token',
    'dns-name',
    'group-id',
    'group-name',
    'hypervisor',
    'iam-instance-profile.arn',
    'image-id',
    'instance.group-id',
    'instance.group-name',
    'instance-id',
    'instance-lifecycle',
  ),
  { name: 'instance-state-code', type: 'int' },
  ...f(
    'instance-state-name',
    'instance-type',
    'ip-address',
    'kernel-id',
    'key-name',
    'launch-index',
    'launch-time',
    'monitoring-state',
    'network-interface.addresses.association.ip-owner-id',
    'network-interface.addresses.association.public-ip',
    'network-interface.addresses.primary',
    'network-interface.addresses.private-ip-address',
  ),
  { name: 'network-interface.attachment.device-index', type: 'int' },
  ...f(
    'network-interface.attachment.attach-time',
    'network-interface.attachment.attachment-id',
    'network-interface.attachment.delete-on-termination',
    'network-interface.attachment.instance-owner-id',
    'network-interface.attachment.status',
    'network-interface.availability-zone',
    'network-interface.description',
    'network-interface.group-id',
    'network-interface.group-name',
    'network-interface.mac-address',
    'network-interface.network-interface.id',
    'network-interface.owner-id',
    'network-interface.private-dns-name',
    'network-interface.requester-id',
    'network-interface.requester-managed',
    'network-interface.source-destination-check',
    'network-interface.status',
    'network-interface.subnet-id',
    'network-interface.vpc-id',
    'owner-id',
    'placement-group-name',
    'platform',
    'private-dns-name',
    'private-ip-address',
    'product-code',
    'product-code.type',
    'ramdisk-id',
    'reason',
    'requester-id',
    'reservation-id',
    'root-device-name',
    'root-device-type',
    'spot-instance-request-id',
    'state-reason-code',
    'state-reason-message',
    'subnet-id',
    'tag-key',
    'tag-value',
  ),
  { name: 'tag:KEY' },
  ...f('virtualization-type', 'vpc-id'),
];
export const KEY_PAIR_FILTERS = f('fingerprint', 'key-name');
export const REGION_FILTERS = f('endpoint', 'region-name');
export const SNAPSHOT_FILTERS: FilterSpec[] = [
  ...f(
    'description',
    'owner-alias',
    'owner-id',
    'progress',
    'snapshot-id',
    'start-time',
    'status',
    'tag-key',
    'tag-value',
  ),
  { name: 'tag:KEY' },
  ...f('volume-id'),
  { name: 'volume-size', type: 'int' },
];
export const TAG_FILTERS = f('key', 'resource-id', 'resource-type', 'value');
export const VOLUME_FILTERS: FilterSpec[] = [
  ...f(
    'attachment.attach-time',
    'attachment.delete-on-termination',
    'attachment.device',
    'attachment.instance-id',
    'attachment.status',
    'availability-zone',
    'create-time',
  ),
  { name: 'size', type: 'int' },
  ...f('snapshot-id', 'status', 'tag-key', 'tag-value'),
  { name: 'tag:KEY' },
  ...f('volume-id', 'volume-type'),
];

/** Checks each --filter NAME=VALUE against the command's filters, as euca2ools' argument parser does. */
export function checkFilters(specs: readonly FilterSpec[], given: readonly string[] | undefined): void {
  for (const arg of given ?? []) {
    const spec = specs.find((s) => (s.name === 'tag:KEY' ? /^tag:[^=]*=/.test(arg) : arg.startsWith(`${s.name}=`)));
    if (!spec) throw new UsageError(`argument --filter: "${arg}" matches no available filters`);
    const value = arg.slice(arg.indexOf('=') + 1);
    if (spec.type === 'int' && !/^[-+]?\d+$/.test(value.trim()))
      throw new UsageError(`argument --filter: ${spec.name} filter value '${value}' must have type int`);
    if (spec.choices && !spec.choices.includes(value))
      throw new UsageError(
        `argument --filter: ${spec.name} filter value '${value}' must match one of (${spec.choices.map((c) => `'${c}'`).join(', ')})`,
      );
  }
}
