/**
 * The elastic IP actions on the wire; the rules are the address service's (service.ts). The cloud
 * administrator's DescribeAddresses says whose each address is, as Eucalyptus shows it: the
 * instance column reads `nobody` for a free address, `available (ACCOUNT)` for an allocated one
 * that is not associated, and `i-... (ACCOUNT)` for one in use (boot-time addresses included).
 */
import { type RequestContext } from '../../context';
import { filtersParam, listParam, requireParam } from '../../query-params';

export function allocateAddress(ctx: RequestContext) {
  return {
    publicIp: ctx.cloud.ec2.addresses.allocate(ctx.principal, ctx.params.Domain || undefined),
    domain: 'standard',
  };
}

export function associateAddress(ctx: RequestContext) {
  const ip = requireParam(ctx.params, 'PublicIp');
  ctx.cloud.ec2.addresses.associate(ctx.principal, ip, requireParam(ctx.params, 'InstanceId'));
  return { return: true };
}

export function disassociateAddress(ctx: RequestContext) {
  ctx.cloud.ec2.addresses.disassociate(ctx.principal, requireParam(ctx.params, 'PublicIp'));
  return { return: true };
}

export function releaseAddress(ctx: RequestContext) {
  ctx.cloud.ec2.addresses.release(ctx.principal, requireParam(ctx.params, 'PublicIp'));
  return { return: true };
}

export function describeAddresses(ctx: RequestContext) {
  const { addresses, admin } = ctx.cloud.ec2.addresses.describe(ctx.principal, {
    ips: listParam(ctx.params, 'PublicIp'),
    filters: filtersParam(ctx.params),
  });
  const names = new Map<string, string>();
  const name = (id: string) => {
    if (!names.has(id)) names.set(id, ctx.cloud.store.findAccount(id)?.name ?? id);
    return names.get(id)!;
  };
  return {
    addressesSet: addresses.map((a) => {
      const instanceId = !admin
        ? a.instanceId
        : !a.accountId
          ? 'nobody'
          : `${a.instanceId ?? 'available'} (${name(a.accountId)})`;
      return { publicIp: a.ip, domain: 'standard', instanceId, privateIpAddress: a.privateIp };
    }),
  };
}
