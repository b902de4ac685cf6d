/**
 * The EC2 instance actions on the wire: Query parameters in, a typed call to the instance service
 * (service.ts, where the rules live), EC2's reservation and instance items out (view.ts).
 */
import { type RequestContext } from '../../context';
import { invalidParameter, missingParameter } from '../../errors';
import { filtersParam, listParam, requireParam } from '../../query-params';
import { tagSet } from '../tags/filters';
import type { RequestedMapping } from './ebs';
import { type Instance } from './store';
import { instanceItem, reservations, stateOf } from './view';

function hypervisor(ctx: RequestContext): string {
  return ctx.cloud.conf.HYPERVISOR || 'kvm';
}

const instanceIds = (ctx: RequestContext, name = 'InstanceId') => listParam(ctx.params, name);

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

export function runInstancesAction(ctx: RequestContext) {
  const p = ctx.params;
  const { reservationId, instances } = ctx.cloud.ec2.instances.run(ctx.principal, {
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
  const [r] = reservations(instances, hypervisor(ctx));
  return { reservationId, ownerId: r.ownerId, groupSet: r.groupSet, instancesSet: r.instancesSet };
}

export function describeInstances(ctx: RequestContext) {
  const wanted = instanceIds(ctx);
  const max = ctx.params.MaxResults;
  const { instances, tags, volumes, nextToken } = ctx.cloud.ec2.instances.describe(ctx.principal, {
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
    reservationSet: reservations(instances, hypervisor(ctx), (id) => tagSet(tags.get(id)), devicesOf),
    nextToken,
  };
}

export function terminateInstances(ctx: RequestContext) {
  return { instancesSet: ctx.cloud.ec2.instances.terminate(ctx.principal, instanceIds(ctx)) };
}

export async function rebootInstances(ctx: RequestContext) {
  await ctx.cloud.ec2.instances.reboot(ctx.principal, instanceIds(ctx));
  return { return: true };
}

export function stopOrStartInstances(ctx: RequestContext) {
  const instances = ctx.cloud.ec2.instances;
  const ids = instanceIds(ctx);
  return {
    instancesSet:
      ctx.params.Action === 'StartInstances' ? instances.start(ctx.principal, ids) : instances.stop(ctx.principal, ids),
  };
}

export async function getConsoleOutput(ctx: RequestContext) {
  return ctx.cloud.ec2.instances.consoleOutput(ctx.principal, requireParam(ctx.params, 'InstanceId'));
}

export function describeInstanceStatus(ctx: RequestContext) {
  const found: Instance[] = ctx.cloud.ec2.instances.status(ctx.principal, {
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
}

export function describeInstanceAttribute(ctx: RequestContext) {
  const i = ctx.cloud.ec2.instances.get(ctx.principal, requireParam(ctx.params, 'InstanceId'));
  const attribute = requireParam(ctx.params, 'Attribute');
  const value = (v: string | boolean | undefined) => (v === undefined ? {} : { value: v });
  const item = instanceItem(i, hypervisor(ctx));
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
}

export function modifyInstanceAttribute(ctx: RequestContext) {
  const p = ctx.params;
  const get = (name: string) =>
    p[`${name}.Value`] ?? (p.Attribute === name.charAt(0).toLowerCase() + name.slice(1) ? p.Value : undefined);
  ctx.cloud.ec2.instances.modifyAttribute(ctx.principal, requireParam(p, 'InstanceId'), {
    disableApiTermination: get('DisableApiTermination'),
    shutdownBehavior: get('InstanceInitiatedShutdownBehavior'),
    whileStopped: ['InstanceType', 'Kernel', 'Ramdisk', 'UserData'].filter((n) => get(n) !== undefined),
  });
  return { return: true };
}

export function resetInstanceAttribute(ctx: RequestContext): never {
  ctx.cloud.ec2.instances.resetAttribute(
    ctx.principal,
    requireParam(ctx.params, 'InstanceId'),
    requireParam(ctx.params, 'Attribute'),
  );
}

export async function getPasswordData(ctx: RequestContext) {
  const r = await ctx.cloud.ec2.instances.passwordData(ctx.principal, requireParam(ctx.params, 'InstanceId'));
  return { instanceId: r.instanceId, timestamp: new Date().toISOString(), passwordData: r.passwordData };
}
