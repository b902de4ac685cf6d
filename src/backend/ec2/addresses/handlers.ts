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
import type { TagService } from '../tags/service';

type AddressActions = Actions<
  Ec2Operations,
  'AllocateAddress' | 'AssociateAddress' | 'DisassociateAddress' | 'ReleaseAddress' | 'DescribeAddresses'
>;

/** The actions, given the service they call. */
export function addressActions(addresses: AddressService, tags: TagService): AddressActions {
  return {
    AllocateAddress: async ({ principal, input }) => {
      // Addresses are not tagged here: a TagSpecification is refused, not dropped.
      tags.specified(input.TagSpecifications, []);
      return { publicIp: await addresses.allocate(principal, input.Domain || undefined), domain: 'standard' };
    },
    AssociateAddress: async ({ principal, input }) => {
      await addresses.associate(
        principal,
        required(input.PublicIp, 'PublicIp'),
        required(input.InstanceId, 'InstanceId'),
      );
      return { return: true };
    },
    DisassociateAddress: async ({ principal, input }) => {
      await addresses.disassociate(principal, required(input.PublicIp, 'PublicIp'));
      return { return: true };
    },
    ReleaseAddress: async ({ principal, input }) => {
      await addresses.release(principal, required(input.PublicIp, 'PublicIp'));
      return { return: true };
    },
    DescribeAddresses: async ({ principal, input }) => {
      const found = await addresses.describe(principal, {
        ips: input.PublicIps ?? [],
        filters: filtersOf(input.Filters),
      });
      const names = new Map<string, string>();
      for (const a of found.addresses)
        if (a.accountId && !names.has(a.accountId)) names.set(a.accountId, await addresses.ownerName(a.accountId));
      // The administrator's view says whose each address is (Eucalyptus' ownerAlias, "nobody" for
      // a free one); the instance stays a bare ID, as SDKs read it.
      const owner = (a: (typeof found.addresses)[number]) =>
        !found.admin ? undefined : a.accountId ? names.get(a.accountId)! : 'nobody';
      return {
        addressesSet: found.addresses.map((a) => ({
          publicIp: a.ip,
          domain: 'standard',
          instanceId: a.instanceId,
          privateIpAddress: a.privateIp,
          ownerAlias: owner(a),
        })),
      };
    },
  };
}
