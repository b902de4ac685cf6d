/**
 * Elastic IPs (MANAGED modes only): AllocateAddress, AssociateAddress, DisassociateAddress,
 * ReleaseAddress and DescribeAddresses, over the cluster's pool of public addresses. An account
 * acts on its own addresses; the cloud administrator sees every address of the pool and whose
 * it is, as Eucalyptus shows it: the instance column reads `nobody` for a free address,
 * `available (ACCOUNT)` for an allocated one that is not associated, and `i-... (ACCOUNT)` for one
 * in use (boot-time addresses included).
 */
import { type RequestContext } from '../../context';
import { ServiceError } from '../../errors';
import { applyFilters, filtersParam, listParam, requireParam } from '../../query-params';
import { requireManagedNetworking } from '../../cluster/network-mode';
import type { PublicAddress } from '../../cluster/network/manager';
import { isCloudAdmin } from '../images/handlers';

const WHAT = 'Elastic IPs';

const notFound = (ip: string) => new ServiceError('InvalidAddress.NotFound', `Address '${ip}' not found.`);

/** An address the caller holds (the administrator may act on any allocated address). */
function heldAddress(ctx: RequestContext, ip: string, verb: string): PublicAddress {
  const a = ctx.cloud.cluster.network.publicAddress(ip);
  if (!a || a.kind !== 'elastic') throw notFound(ip);
  if (a.accountId !== ctx.principal.account.id && !isCloudAdmin(ctx))
    throw new ServiceError(
      'AuthFailure',
      `Not authorized to ${verb} address ${ip}: it belongs to another account`,
      403,
    );
  return a;
}

export function allocateAddress(ctx: RequestContext) {
  requireManagedNetworking(ctx, WHAT);
  if (ctx.params.Domain && ctx.params.Domain !== 'standard')
    throw new ServiceError('InvalidParameterValue', `Only standard addresses exist here, not ${ctx.params.Domain}`);
  return { publicIp: ctx.cloud.cluster.network.allocateElastic(ctx.principal.account.id), domain: 'standard' };
}

export function associateAddress(ctx: RequestContext) {
  requireManagedNetworking(ctx, WHAT);
  const ip = requireParam(ctx.params, 'PublicIp');
  const instanceId = requireParam(ctx.params, 'InstanceId');
  const address = heldAddress(ctx, ip, 'associate');
  // The instance belongs to the address' holder (the administrator acts for that account).
  const instance = ctx.cloud.cluster.hooks.instanceLookup(address.accountId!, instanceId);
  if (!instance) throw new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
  if (instance.state === 'terminated' || instance.state === 'shutting-down') {
    throw new ServiceError(
      'IncorrectInstanceState',
      `The instance '${instanceId}' is ${instance.state}: an address can only be associated with a pending ` +
        `or running instance`,
    );
  }
  ctx.cloud.cluster.network.associateElastic(ip, instanceId, instance.privateIp);
  return { return: true };
}

export function disassociateAddress(ctx: RequestContext) {
  requireManagedNetworking(ctx, WHAT);
  const ip = requireParam(ctx.params, 'PublicIp');
  const address = heldAddress(ctx, ip, 'disassociate');
  if (!address.instanceId)
    throw new ServiceError('InvalidAssociationID.NotFound', `Address ${ip} is not associated with an instance`);
  ctx.cloud.cluster.network.disassociateElastic(ip);
  return { return: true };
}

export function releaseAddress(ctx: RequestContext) {
  requireManagedNetworking(ctx, WHAT);
  const ip = requireParam(ctx.params, 'PublicIp');
  const address = heldAddress(ctx, ip, 'release');
  if (address.instanceId)
    throw new ServiceError(
      'InvalidIPAddress.InUse',
      `Address ${ip} is associated with instance ${address.instanceId}; disassociate it first`,
    );
  ctx.cloud.cluster.network.releaseElastic(ip);
  return { return: true };
}

export function describeAddresses(ctx: RequestContext) {
  requireManagedNetworking(ctx, WHAT);
  const admin = isCloudAdmin(ctx);
  const me = ctx.principal.account.id;
  const names = new Map<string, string>();
  const name = (id: string) => {
    if (!names.has(id)) names.set(id, ctx.cloud.store.findAccount(id)?.name ?? id);
    return names.get(id)!;
  };
  let addresses = ctx.cloud.cluster.network
    .publicAddresses()
    .filter((a) => (admin ? true : a.accountId === me && a.kind === 'elastic'));
  const wanted = listParam(ctx.params, 'PublicIp');
  if (wanted.length) {
    const missing = wanted.find((ip) => !addresses.some((a) => a.ip === ip));
    if (missing) throw notFound(missing);
    addresses = addresses.filter((a) => wanted.includes(a.ip));
  }
  addresses = applyFilters(addresses, filtersParam(ctx.params), {
    'public-ip': (a) => a.ip,
    'instance-id': (a) => a.instanceId,
    domain: () => 'standard',
    'private-ip-address': (a) => a.privateIp,
  });
  return {
    addressesSet: addresses.map((a) => {
      let instanceId = a.instanceId;
      // The administrator's view says whose each address is.
      if (admin) {
        instanceId = !a.accountId ? 'nobody' : `${a.instanceId ?? 'available'} (${name(a.accountId)})`;
      }
      return { publicIp: a.ip, domain: 'standard', instanceId, privateIpAddress: a.privateIp };
    }),
  };
}
