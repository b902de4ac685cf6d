/**
 * The elastic IP actions on the wire; the rules are the address service's (service.ts). The cloud
 * administrator's DescribeAddresses says whose each address is, as Eucalyptus shows it: the
 * instance column reads `nobody` for a free address, `available (ACCOUNT)` for an allocated one
 * that is not associated, and `i-... (ACCOUNT)` for one in use (boot-time addresses included).
 */
import type { Ec2Operations } from '../../../shared/wire/ec2';
import { filtersOf, required } from '../../query-params';
import type { Actions } from '../../query-service';
import type { AddressService } from './service';

type AddressActions = Actions<
  Ec2Operations,
  'AllocateAddress' | 'AssociateAddress' | 'DisassociateAddress' | 'ReleaseAddress' | 'DescribeAddresses'
>;

/** The actions, given the service they call. */
export function addressActions(addresses: AddressService): AddressActions {
  return {
    AllocateAddress: ({ principal, input }) => ({
      publicIp: addresses.allocate(principal, input.Domain || undefined),
      domain: 'standard',
    }),
    AssociateAddress: ({ principal, input }) => {
      addresses.associate(principal, required(input.PublicIp, 'PublicIp'), required(input.InstanceId, 'InstanceId'));
      return { return: true };
    },
    DisassociateAddress: ({ principal, input }) => {
      addresses.disassociate(principal, required(input.PublicIp, 'PublicIp'));
      return { return: true };
    },
    ReleaseAddress: ({ principal, input }) => {
      addresses.release(principal, required(input.PublicIp, 'PublicIp'));
      return { return: true };
    },
    DescribeAddresses: ({ principal, input }) => {
      const found = addresses.describe(principal, { ips: input.PublicIps ?? [], filters: filtersOf(input.Filters) });
      const names = new Map<string, string>();
      const owner = (id: string) => {
        if (!names.has(id)) names.set(id, addresses.ownerName(id));
        return names.get(id)!;
      };
      const shown = (a: (typeof found.addresses)[number]) =>
        !found.admin
          ? a.instanceId
          : !a.accountId
            ? 'nobody'
            : `${a.instanceId ?? 'available'} (${owner(a.accountId)})`;
      return {
        addressesSet: found.addresses.map((a) => ({
          publicIp: a.ip,
          domain: 'standard',
          instanceId: shown(a),
          privateIpAddress: a.privateIp,
        })),
      };
    },
  };
}
