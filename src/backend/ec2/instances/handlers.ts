/**
 * The EC2 instance actions on the wire: the request its model reads in, a typed call to the
 * instance service (service.ts, where the rules live), EC2's reservation and instance items out
 * (view.ts).
 */
import type { BlockDeviceMapping, Ec2Operations, ModifyInstanceAttributeRequest } from '../../../shared/wire/ec2';
import { invalidParameter } from '../../errors';
import { filtersOf, required } from '../../query-params';
import type { Actions } from '../../query-service';
import { tagSet } from '../tags/filters';
import type { RequestedMapping } from './ebs';
import type { TagService } from '../tags/service';
import { healthOf, type InstanceChanges, type InstanceService } from './service';
import { deviceMappings, instanceItem, reservations, stateOf } from './view';

/** RunInstances' block device mappings (ephemeral and none entries carry no volume). */
const requestedMapping = (m: BlockDeviceMapping): RequestedMapping =>
  m.NoDevice !== undefined || m.VirtualName !== undefined
    ? { device: m.DeviceName ?? '', volume: null }
    : {
        device: m.DeviceName ?? '',
        volume: {
          snapshotId: m.Ebs?.SnapshotId || undefined,
          sizeGiB: m.Ebs?.VolumeSize,
          deleteOnTermination: m.Ebs?.DeleteOnTermination !== false,
        },
      };

const positive = (value: number | undefined, name: string): number => {
  const n = required(value, name);
  if (n < 1) throw invalidParameter(name, String(n), 'It must be a positive whole number.');
  return n;
};

/** What ModifyInstanceAttribute asks, in the attribute's own member or the older Attribute/Value form. */
function instanceChanges(input: ModifyInstanceAttributeRequest): InstanceChanges {
  const older = (name: string) => (input.Attribute === name ? input.Value : undefined);
  const flag = input.DisableApiTermination?.Value ?? older('disableApiTermination');
  if (typeof flag === 'string' && flag !== 'true' && flag !== 'false')
    throw invalidParameter('DisableApiTermination', flag);
  const whileStopped = {
    instanceType: input.InstanceType?.Value ?? older('instanceType'),
    kernelId: input.Kernel?.Value ?? older('kernel'),
    ramdiskId: input.Ramdisk?.Value ?? older('ramdisk'),
    userData: input.UserData?.Value ?? older('userData'),
  };
  const mappings = input.BlockDeviceMappings ?? [];
  for (const m of mappings)
    if (!m.DeviceName || m.Ebs?.DeleteOnTermination === undefined)
      throw invalidParameter(
        'BlockDeviceMapping',
        m.DeviceName ?? '',
        'It names a device and its DeleteOnTermination.',
      );
  return {
    deleteOnTermination: mappings.map((m) => ({
      device: m.DeviceName!,
      deleteOnTermination: m.Ebs!.DeleteOnTermination!,
    })),
    disableApiTermination: typeof flag === 'string' ? flag === 'true' : flag,
    shutdownBehavior: input.InstanceInitiatedShutdownBehavior?.Value ?? older('instanceInitiatedShutdownBehavior'),
    whileStopped,
  };
}

type InstanceActions = Actions<
  Ec2Operations,
  | 'RunInstances'
  | 'DescribeInstances'
  | 'TerminateInstances'
  | 'RebootInstances'
  | 'StopInstances'
  | 'StartInstances'
  | 'GetConsoleOutput'
  | 'DescribeInstanceStatus'
  | 'DescribeInstanceAttribute'
  | 'ModifyInstanceAttribute'
  | 'ResetInstanceAttribute'
  | 'GetPasswordData'
>;

/** The actions, given the service they call. */
export function instanceActions(instances: InstanceService, tags: TagService): InstanceActions {
  return {
    RunInstances: async ({ principal, input }) => {
      // Checked before anything is made; the volumes a launch makes are tagged as they are made.
      const wanted = tags.specified(input.TagSpecifications, ['instance', 'volume']);
      const { reservationId, instances: launched } = await instances.run(principal, {
        imageId: required(input.ImageId, 'ImageId'),
        minCount: positive(input.MinCount, 'MinCount'),
        maxCount: positive(input.MaxCount, 'MaxCount'),
        instanceType: input.InstanceType,
        keyName: input.KeyName || undefined,
        securityGroups: [...(input.SecurityGroups ?? []), ...(input.SecurityGroupIds ?? [])],
        userData: input.UserData,
        addressingType: input.AddressingType,
        zone: input.Placement?.AvailabilityZone || undefined,
        kernelId: input.KernelId,
        ramdiskId: input.RamdiskId,
        blockDeviceMappings: (input.BlockDeviceMappings ?? []).map(requestedMapping),
        shutdownBehavior: input.InstanceInitiatedShutdownBehavior,
        disableApiTermination: input.DisableApiTermination === true,
        clientToken: input.ClientToken,
        volumesMade: (ids) => tags.tagCreated(principal, ids, wanted.get('volume')),
      });
      await tags.tagCreated(
        principal,
        launched.map((i) => i.id),
        wanted.get('instance'),
      );
      const made = await tags.of(
        principal,
        launched.map((i) => i.id),
      );
      const [r] = reservations(launched, instances.hypervisor(), (id) => tagSet(made.get(id)));
      return { reservationId, ownerId: r.ownerId, groupSet: r.groupSet, instancesSet: r.instancesSet };
    },
    DescribeInstances: async ({ principal, input }) => {
      const wanted = input.InstanceIds ?? [];
      const found = await instances.describe(principal, {
        ids: wanted.filter((id) => id !== 'verbose'),
        verbose: wanted.includes('verbose'),
        filters: filtersOf(input.Filters),
        maxResults: input.MaxResults,
        nextToken: input.NextToken || undefined,
      });
      const devicesOf = (id: string) => deviceMappings(found.volumes.get(id) ?? []);
      const tagsOf = (id: string) => tagSet(found.tags.get(id));
      return {
        reservationSet: reservations(found.instances, instances.hypervisor(), tagsOf, devicesOf),
        nextToken: found.nextToken,
      };
    },
    TerminateInstances: async ({ principal, input }) => ({
      instancesSet: await instances.terminate(principal, input.InstanceIds ?? []),
    }),
    RebootInstances: async ({ principal, input }) => {
      await instances.reboot(principal, input.InstanceIds ?? []);
      return { return: true };
    },
    StopInstances: async ({ principal, input }) => ({
      instancesSet: await instances.stop(principal, input.InstanceIds ?? []),
    }),
    StartInstances: async ({ principal, input }) => ({
      instancesSet: await instances.start(principal, input.InstanceIds ?? []),
    }),
    GetConsoleOutput: ({ principal, input }) =>
      instances.consoleOutput(principal, required(input.InstanceId, 'InstanceId')),
    DescribeInstanceStatus: async ({ principal, input }) => {
      const { instances: found, nextToken } = await instances.status(principal, {
        ids: input.InstanceIds ?? [],
        includeAll: input.IncludeAllInstances === true,
        filters: filtersOf(input.Filters),
        maxResults: input.MaxResults,
        nextToken: input.NextToken || undefined,
      });
      return {
        nextToken,
        instanceStatusSet: found.map((i) => {
          const { status: ok, reachability } = healthOf(i);
          const details = [{ name: 'reachability', status: reachability }];
          return {
            instanceId: i.id,
            availabilityZone: i.zone,
            instanceState: stateOf(i),
            systemStatus: { status: ok, details },
            instanceStatus: { status: ok, details },
          };
        }),
      };
    },
    DescribeInstanceAttribute: async ({ principal, input }) => {
      const i = await instances.get(principal, required(input.InstanceId, 'InstanceId'));
      const attribute = required(input.Attribute, 'Attribute');
      const value = (v: string | boolean | undefined) => (v === undefined ? {} : { value: v });
      const item = instanceItem(i, instances.hypervisor(), [], deviceMappings(await instances.volumesOf(i)));
      const answers: Record<string, object> = {
        instanceType: { instanceType: value(i.instanceType) },
        kernel: { kernel: value(i.kernelId) },
        ramdisk: { ramdisk: value(i.ramdiskId) },
        userData: { userData: value(i.userData) },
        disableApiTermination: { disableApiTermination: value(i.disableApiTermination) },
        instanceInitiatedShutdownBehavior: { instanceInitiatedShutdownBehavior: value(i.shutdownBehavior) },
        rootDeviceName: { rootDeviceName: value('/dev/sda1') },
        blockDeviceMapping: { blockDeviceMapping: item.blockDeviceMapping },
        groupSet: { groupSet: item.groupSet.map((g) => ({ groupId: g.groupId })) },
        productCodes: { productCodes: [] },
        ebsOptimized: { ebsOptimized: value(false) },
      };
      if (!answers[attribute])
        throw invalidParameter('Attribute', attribute, `It is one of ${Object.keys(answers).join(', ')}.`);
      return { instanceId: i.id, ...answers[attribute] };
    },
    ModifyInstanceAttribute: async ({ principal, input }) => {
      await instances.modifyAttribute(principal, required(input.InstanceId, 'InstanceId'), instanceChanges(input));
      return { return: true };
    },
    ResetInstanceAttribute: async ({ principal, input }) => {
      await instances.resetAttribute(
        principal,
        required(input.InstanceId, 'InstanceId'),
        required(input.Attribute, 'Attribute'),
      );
      return { return: true };
    },
    GetPasswordData: async ({ principal, input }) => {
      const r = await instances.passwordData(principal, required(input.InstanceId, 'InstanceId'));
      return { instanceId: r.instanceId, timestamp: new Date().toISOString(), passwordData: r.passwordData };
    },
  };
}
