/**
 * The elastic IP actions on the wire; the rules are the address service's (service.ts). The cloud
 * administrator's DescribeAddresses says whose each address is, as Eucalyptus shows it: the
 * instance column reads `nobody` for a free address, `available (ACCOUNT)` for an allocated one
 * that is not associated, and `i-... (ACCOUNT)` for one in use (boot-time addresses included).
 */
import { type QueryCall } from '../../query-service';
import { filtersParam, listParam, requireParam } from '../../query-params';
import type { AddressService } from './service';

/** The actions, given the service they call. */
export function addressActions(addressService: AddressService) {
  return {
    AllocateAddress: (ctx: QueryCall) => {
      return {
        publicIp: addressService.allocate(ctx.principal, ctx.params.Domain || undefined),
        domain: 'standard',
      };
    },
    AssociateAddress: (ctx: QueryCall) => {
      const ip = requireParam(ctx.params, 'PublicIp');
      addressService.associate(ctx.principal, ip, requireParam(ctx.params, 'InstanceId'));
      return { return: true };
    },
    DisassociateAddress: (ctx: QueryCall) => {
      addressService.disassociate(ctx.principal, requireParam(ctx.params, 'PublicIp'));
      return { return: true };
    },
    ReleaseAddress: (ctx: QueryCall) => {
      addressService.release(ctx.principal, requireParam(ctx.params, 'PublicIp'));
      return { return: true };
    },
    DescribeAddresses: (ctx: QueryCall) => {
      const { addresses, admin } = addressService.describe(ctx.principal, {
        ips: listParam(ctx.params, 'PublicIp'),
        filters: filtersParam(ctx.params),
      });
      const names = new Map<string, string>();
      const name = (id: string) => {
        if (!names.has(id)) names.set(id, addressService.ownerName(id));
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
    },
  };
}
