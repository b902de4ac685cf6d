/**
 * The EC2 instance actions on the wire: Query parameters in, a typed call to the instance service
 * (service.ts, where the rules live), EC2's reservation and instance items out (view.ts).
 */
import { type QueryCall } from '../../query-service';
import { invalidParameter, missingParameter } from '../../errors';
import { filtersParam, listParam, requireParam } from '../../query-params';
import { tagSet } from '../tags/filters';
import type { RequestedMapping } from './ebs';
import { type Instance } from './store';
import { instanceItem, reservations, stateOf } from './view';
import type { InstanceService } from './service';

const instanceIds = (ctx: QueryCall, name = 'InstanceId') => listParam(ctx.params, name);

function countParam(params: Record<string, string>, name: string): number {
  const v = params[name];
  if (v === undefined) throw missingParameter(name);
  if (!/^\d+$/.test(v) || Number(v) < 1) throw invalidParameter(name, v, 'It must be a positive whole number.');
  return Number(v);
}

/** BlockDeviceMapping.N.* of RunInstances (ephemeral and none entries carry no volume). */
function mappingsParam(params: Record<string, string>): RequestedMapping[] {
  const out: RequestedMapping[] = [];
  for (let n = 1; params[`BlockDeviceMapping.${n}.DeviceName`] !== undefined; n++) {
    const p = (k: string) => params[`BlockDeviceMapping.${n}.${k}`];
    const device = p('DeviceName');
    if (p('NoDevice') !== undefined || p('VirtualName') !== undefined) {
      out.push({ device, volume: null });
      continue;
    }
    const size = p('Ebs.VolumeSize');
    out.push({
      device,
      volume: {
        snapshotId: p('Ebs.SnapshotId') || undefined,
        sizeGiB: size ? Number(size) : undefined,
        deleteOnTermination: p('Ebs.DeleteOnTermination') !== 'false',
      },
    });
  }
  return out;
}

/** The actions, given the service they call. */
export function instanceActions(instanceService: InstanceService) {
  return {
    RunInstances: (ctx: QueryCall) => {
      const p = ctx.params;
      const { reservationId, instances } = instanceService.run(ctx.principal, {
        imageId: requireParam(p, 'ImageId'),
        minCount: countParam(p, 'MinCount'),
        maxCount: countParam(p, 'MaxCount'),
        instanceType: p.InstanceType,
        keyName: p.KeyName || undefined,
        securityGroups: [...listParam(p, 'SecurityGroup'), ...listParam(p, 'SecurityGroupId')],
        userData: p.UserData,
        addressingType: p.AddressingType,
        zone: p['Placement.AvailabilityZone'] || undefined,
        kernelId: p.KernelId,
        ramdiskId: p.RamdiskId,
        blockDeviceMappings: mappingsParam(p),
        shutdownBehavior: p.InstanceInitiatedShutdownBehavior,
        disableApiTermination: p.DisableApiTermination === 'true',
        clientToken: p.ClientToken,
      });
      const [r] = reservations(instances, instanceService.hypervisor());
      return { reservationId, ownerId: r.ownerId, groupSet: r.groupSet, instancesSet: r.instancesSet };
    },
    DescribeInstances: (ctx: QueryCall) => {
      const wanted = instanceIds(ctx);
      const max = ctx.params.MaxResults;
      const { instances, tags, volumes, nextToken } = instanceService.describe(ctx.principal, {
        ids: wanted.filter((id) => id !== 'verbose'),
        verbose: wanted.includes('verbose'),
        filters: filtersParam(ctx.params),
        maxResults: max !== undefined ? Number(max) : undefined,
        nextToken: ctx.params.NextToken || undefined,
      });
      const devicesOf = (id: string) =>
        (volumes.get(id) ?? []).map((v) => ({
          deviceName: v.attachment!.device,
          ebs: {
            volumeId: v.id,
            status: v.attachment!.status,
            attachTime: v.attachment!.time,
            deleteOnTermination: v.attachment!.deleteOnTermination,
          },
        }));
      return {
        reservationSet: reservations(instances, instanceService.hypervisor(), (id) => tagSet(tags.get(id)), devicesOf),
        nextToken,
      };
    },
    TerminateInstances: (ctx: QueryCall) => {
      return { instancesSet: instanceService.terminate(ctx.principal, instanceIds(ctx)) };
    },
    RebootInstances: async (ctx: QueryCall) => {
      await instanceService.reboot(ctx.principal, instanceIds(ctx));
      return { return: true };
    },
    StopInstances: (ctx: QueryCall) => ({ instancesSet: instanceService.stop(ctx.principal, instanceIds(ctx)) }),
    StartInstances: (ctx: QueryCall) => ({ instancesSet: instanceService.start(ctx.principal, instanceIds(ctx)) }),
    GetConsoleOutput: async (ctx: QueryCall) => {
      return instanceService.consoleOutput(ctx.principal, requireParam(ctx.params, 'InstanceId'));
    },
    DescribeInstanceStatus: (ctx: QueryCall) => {
      const found: Instance[] = instanceService.status(ctx.principal, {
        ids: instanceIds(ctx),
        includeAll: ctx.params.IncludeAllInstances === 'true',
        filters: filtersParam(ctx.params),
      });
      return {
        instanceStatusSet: found.map((i) => {
          const ok = i.state === 'running' ? 'ok' : 'not-applicable';
          return {
            instanceId: i.id,
            availabilityZone: i.zone,
            instanceState: stateOf(i),
            systemStatus: {
              status: ok,
              details: [{ name: 'reachability', status: i.state === 'running' ? 'passed' : 'initializing' }],
            },
            instanceStatus: {
              status: ok,
              details: [{ name: 'reachability', status: i.state === 'running' ? 'passed' : 'initializing' }],
            },
          };
        }),
      };
    },
    DescribeInstanceAttribute: (ctx: QueryCall) => {
      const i = instanceService.get(ctx.principal, requireParam(ctx.params, 'InstanceId'));
      const attribute = requireParam(ctx.params, 'Attribute');
      const value = (v: string | boolean | undefined) => (v === undefined ? {} : { value: v });
      const item = instanceItem(i, instanceService.hypervisor());
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
    ModifyInstanceAttribute: (ctx: QueryCall) => {
      const p = ctx.params;
      const get = (name: string) =>
        p[`${name}.Value`] ?? (p.Attribute === name.charAt(0).toLowerCase() + name.slice(1) ? p.Value : undefined);
      instanceService.modifyAttribute(ctx.principal, requireParam(p, 'InstanceId'), {
        disableApiTermination: get('DisableApiTermination'),
        shutdownBehavior: get('InstanceInitiatedShutdownBehavior'),
        whileStopped: ['InstanceType', 'Kernel', 'Ramdisk', 'UserData'].filter((n) => get(n) !== undefined),
      });
      return { return: true };
    },
    ResetInstanceAttribute: (ctx: QueryCall): never => {
      instanceService.resetAttribute(
        ctx.principal,
        requireParam(ctx.params, 'InstanceId'),
        requireParam(ctx.params, 'Attribute'),
      );
    },
    GetPasswordData: async (ctx: QueryCall) => {
      const r = await instanceService.passwordData(ctx.principal, requireParam(ctx.params, 'InstanceId'));
      return { instanceId: r.instanceId, timestamp: new Date().toISOString(), passwordData: r.passwordData };
    },
  };
}
