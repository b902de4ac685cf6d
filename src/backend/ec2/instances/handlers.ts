/**
 * The EC2 instance actions. RunInstances is in launch.ts; here are describing (ids, filters,
 * MaxResults/NextToken paging, and `verbose` for the cloud administrator: every account),
 * terminating and rebooting (through the node controllers), console output, status, attributes
 * and Windows password data. Stop and start need an EBS root device, which these instances lack.
 */
import { type RequestContext } from '../../context';
import { invalidParameter, ServiceError } from '../../errors';
import { applyFilters, type Filter, filtersParam, listParam, requireParam } from '../../query-params';
import { isCloudAdmin } from '../../iam/principals';
import { tagFilterFields, tagSet } from '../tags/filters';
import { runInstances } from './launch';
import { endInstance, giveBack } from './lifecycle';
import { startInstances, stopInstances } from './stop-start';
import { type Instance, STATE_CODES } from './store';
import { instanceItem, reservations, stateOf } from './view';

const ID = /^i-[0-9A-Fa-f]{8}$/;

function hypervisor(ctx: RequestContext): string {
  return ctx.cloud.conf.HYPERVISOR || 'kvm';
}

/** An instance with the public address it shows now (an elastic IP wins over its own). */
function withPublicAddress(ctx: RequestContext, i: Instance): Instance {
  return i.state === 'terminated' || i.state === 'shutting-down'
    ? { ...i, publicIp: undefined }
    : { ...i, publicIp: ctx.cloud.compute.publicAddressOf(i.id) ?? i.publicIp };
}

/** The caller's instances named by id (all must exist), or all of them. */
function selected(ctx: RequestContext, idsParam = 'InstanceId', allAccounts = false): Instance[] {
  const ids = listParam(ctx.params, idsParam);
  for (const id of ids) if (!ID.test(id)) throw new ServiceError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
  const account = allAccounts ? undefined : ctx.principal.account.id;
  const found = ctx.cloud.instances.list({ accountId: account, ids: ids.length ? ids : undefined });
  const missing = ids.filter((id) => !found.some((i) => i.id === id));
  if (missing.length)
    throw new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${missing.join(', ')}' does not exist`);
  return found;
}

function one(ctx: RequestContext): Instance {
  const id = requireParam(ctx.params, 'InstanceId');
  ctx.params['InstanceId.1'] = id;
  return selected(ctx)[0];
}

const FILTERS: Record<string, (i: Instance) => string | string[] | undefined> = {
  'instance-id': (i) => i.id,
  'instance-state-name': (i) => i.state,
  'instance-state-code': (i) => String(STATE_CODES[i.state]),
  'image-id': (i) => i.imageId,
  'kernel-id': (i) => i.kernelId,
  'ramdisk-id': (i) => i.ramdiskId,
  'key-name': (i) => i.keyName,
  'instance-type': (i) => i.instanceType,
  'availability-zone': (i) => i.zone,
  'ip-address': (i) => i.publicIp,
  'private-ip-address': (i) => i.privateIp,
  'reservation-id': (i) => i.reservationId,
  'group-name': (i) => i.groupName,
  'group-id': (i) => i.groupId,
  'owner-id': (i) => i.accountId,
  'launch-index': (i) => String(i.launchIndex),
  architecture: (i) => i.architecture,
  platform: (i) => i.platform,
  'root-device-type': (i) => i.rootDeviceType ?? 'instance-store',
};

/**
 * The instances an exact `tag:KEY=VALUE` filter can match, read from the tag index, so a filter
 * matching one batch among thousands never reads the rest; undefined when no such filter is given.
 */
function taggedIds(ctx: RequestContext, filters: Filter[]): string[] | undefined {
  let ids: Set<string> | undefined;
  for (const f of filters) {
    if (!f.name.startsWith('tag:') || f.values.some((v) => /[*?]/.test(v))) continue;
    const matching = new Set(
      f.values
        .flatMap((v) => ctx.cloud.tags.resourcesWith(ctx.principal.account.id, f.name.slice(4), v))
        .filter((id) => id.startsWith('i-')),
    );
    ids = ids ? new Set([...ids].filter((id) => matching.has(id))) : matching;
  }
  return ids && [...ids];
}

export function runInstancesAction(ctx: RequestContext) {
  const { reservationId, instances } = runInstances(ctx, ctx.cloud.compute);
  const [r] = reservations(instances, hypervisor(ctx));
  return { reservationId, ownerId: r.ownerId, groupSet: r.groupSet, instancesSet: r.instancesSet };
}

export function describeInstances(ctx: RequestContext) {
  const verbose = listParam(ctx.params, 'InstanceId').includes('verbose');
  if (verbose)
    for (const k of Object.keys(ctx.params))
      if (k.startsWith('InstanceId.') && ctx.params[k] === 'verbose') delete ctx.params[k];
  const filters = filtersParam(ctx.params);
  const allAccounts = verbose && isCloudAdmin(ctx);
  const narrowed = allAccounts || listParam(ctx.params, 'InstanceId').length ? undefined : taggedIds(ctx, filters);
  let found = !narrowed
    ? selected(ctx, 'InstanceId', allAccounts)
    : narrowed.length
      ? ctx.cloud.instances.list({ accountId: ctx.principal.account.id, ids: narrowed })
      : [];
  const tags = ctx.cloud.tags.forResources(
    ctx.principal.account.id,
    found.map((i) => i.id),
  );
  found = applyFilters(found, filters, {
    ...FILTERS,
    ...tagFilterFields(filters, (i: Instance) => tags.get(i.id) ?? []),
  });
  const max = ctx.params.MaxResults !== undefined ? Number(ctx.params.MaxResults) : undefined;
  if (max !== undefined && (!Number.isInteger(max) || max < 5 || max > 1000))
    throw invalidParameter('MaxResults', ctx.params.MaxResults, 'It is between 5 and 1000.');
  let start = 0;
  if (ctx.params.NextToken) {
    start = Number(Buffer.from(ctx.params.NextToken, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0)
      throw invalidParameter('NextToken', ctx.params.NextToken, 'It is not a token this cloud gave.');
  }
  const page = (max === undefined ? found.slice(start) : found.slice(start, start + max)).map((i) =>
    withPublicAddress(ctx, i),
  );
  const next =
    max !== undefined && start + max < found.length ? Buffer.from(String(start + max)).toString('base64') : undefined;
  const volumes = ctx.cloud.volumes.attachments();
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
    reservationSet: reservations(page, hypervisor(ctx), (id) => tagSet(tags.get(id)), devicesOf),
    nextToken: next,
  };
}

export function terminateInstances(ctx: RequestContext) {
  const services = ctx.cloud.compute;
  const instances = selected(ctx);
  // Every instance is checked before any changes: a refused request changes nothing.
  const protectedOne = instances.find(
    (i) => i.disableApiTermination && i.state !== 'terminated' && i.state !== 'shutting-down',
  );
  if (protectedOne)
    throw new ServiceError(
      'OperationNotPermitted',
      `The instance '${protectedOne.id}' may not be terminated. Modify its 'disableApiTermination' attribute ` +
        `and try again.`,
    );
  const changes = instances.map((i) => {
    const previous = stateOf(i);
    if (i.state !== 'terminated' && i.state !== 'shutting-down') {
      ctx.cloud.instances.update(i.id, { state: 'shutting-down' });
      // Capacity and addresses come back at once; the node finishes the shutdown on its own.
      giveBack(services, i);
      const done = () => void endInstance(ctx.cloud, i, { gaveBack: true });
      if (i.node) services.nodes.terminateInstance(i.node, i.id).then(done, done);
      else done();
      return {
        instanceId: i.id,
        previousState: previous,
        currentState: { code: STATE_CODES['shutting-down'], name: 'shutting-down' },
      };
    }
    return { instanceId: i.id, previousState: previous, currentState: previous };
  });
  return { instancesSet: changes };
}

export async function rebootInstances(ctx: RequestContext) {
  const running = selected(ctx).filter((i) => i.state === 'running' && i.node);
  await Promise.all(running.map((i) => ctx.cloud.compute.nodes.rebootInstance(i.node!, i.id)));
  return { return: true };
}

export function stopOrStartInstances(ctx: RequestContext) {
  const instances = selected(ctx);
  return ctx.params.Action === 'StartInstances' ? startInstances(ctx, instances) : stopInstances(ctx, instances);
}

export async function getConsoleOutput(ctx: RequestContext) {
  const i = one(ctx);
  const timestamp = new Date().toISOString();
  if (!i.node || i.state === 'terminated') return { instanceId: i.id, timestamp, output: '' };
  const { output, timestamp: at } = await ctx.cloud.compute.nodes.consoleOutput(i.node, i.id);
  return { instanceId: i.id, timestamp: at || timestamp, output };
}

export function describeInstanceStatus(ctx: RequestContext) {
  const all = ctx.params.IncludeAllInstances === 'true';
  let found = selected(ctx).filter((i) => all || i.state === 'running');
  found = applyFilters(found, filtersParam(ctx.params), {
    'availability-zone': (i) => i.zone,
    'instance-state-name': (i) => i.state,
    'instance-state-code': (i) => String(STATE_CODES[i.state]),
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
  const i = one(ctx);
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
  const i = one(ctx);
  const p = ctx.params;
  const get = (name: string) =>
    p[`${name}.Value`] ?? (p.Attribute === name.charAt(0).toLowerCase() + name.slice(1) ? p.Value : undefined);
  const disable = get('DisableApiTermination');
  const behavior = get('InstanceInitiatedShutdownBehavior');
  const stoppedOnly = ['InstanceType', 'Kernel', 'Ramdisk', 'UserData'].filter((n) => get(n) !== undefined);
  if (stoppedOnly.length)
    throw new ServiceError(
      'IncorrectInstanceState',
      `The instance '${i.id}' is not in the 'stopped' ` +
        `state; ${stoppedOnly.join(', ')} can change only while it is stopped.`,
    );
  if (disable === undefined && behavior === undefined)
    throw new ServiceError('MissingParameter', 'The request must name an attribute to modify');
  if (disable !== undefined && disable !== 'true' && disable !== 'false')
    throw invalidParameter('DisableApiTermination', disable);
  if (behavior !== undefined && behavior !== 'stop' && behavior !== 'terminate')
    throw invalidParameter('InstanceInitiatedShutdownBehavior', behavior, 'It is stop or terminate.');
  ctx.cloud.instances.update(i.id, {
    ...(disable !== undefined ? { disableApiTermination: disable === 'true' } : {}),
    ...(behavior !== undefined ? { shutdownBehavior: behavior as 'stop' | 'terminate' } : {}),
  });
  return { return: true };
}

export function resetInstanceAttribute(ctx: RequestContext): never {
  const i = one(ctx);
  const attribute = requireParam(ctx.params, 'Attribute');
  if (attribute !== 'kernel' && attribute !== 'ramdisk')
    throw invalidParameter('Attribute', attribute, 'It is kernel or ramdisk.');
  throw new ServiceError(
    'IncorrectInstanceState',
    `The instance '${i.id}' is not in the 'stopped' state; its ${attribute} can be reset only while it is stopped.`,
  );
}

/**
 * A Windows instance writes its Administrator password, encrypted with its key pair's public key,
 * between <Password> tags on its console at first boot; the cloud keeps it once seen.
 */
export async function getPasswordData(ctx: RequestContext) {
  const i = one(ctx);
  let data = i.passwordData;
  if (!data && i.platform === 'windows' && i.node && i.state === 'running') {
    const { output } = await ctx.cloud.compute.nodes.consoleOutput(i.node, i.id);
    const m = /<Password>\s*([A-Za-z0-9+/=\s]+?)\s*<\/Password>/.exec(Buffer.from(output, 'base64').toString('utf8'));
    if (m) {
      data = m[1].replace(/\s+/g, '');
      ctx.cloud.instances.update(i.id, { passwordData: data });
    }
  }
  return { instanceId: i.id, timestamp: new Date().toISOString(), passwordData: data ?? '' };
}
