import { Args } from '@oclif/core';
import { ADDRESS_FILTERS } from '../../filters';
import { filterFlag, filterParams, QueryCommand, REST } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeAddresses extends QueryCommand {
  static override filters = ADDRESS_FILTERS;
  static override summary = 'Show information about elastic IP addresses';
  static override description =
    'The cloud administrator sees every address of the pool: the instance column reads `nobody` for a free ' +
    'address, `available (ACCOUNT)` for one allocated but not associated, and `INSTANCE (ACCOUNT)` for one in use.';
  static override strict = false;
  static override args = { address: Args.string({ description: 'limit results to specific elastic IP addresses' }) };
  static override flags = { filter: filterFlag };
  static override examples = ['<%= command.id %>', '<%= command.id %> 192.168.17.103'];
  static override action = 'DescribeAddresses';

  static override route = {
    [REST]: 'PublicIp',
    filter: filterParams,
  };

  /**
   * euca2ools' fields; in the cloud administrator's view the instance column says whose the
   * address is, as Eucalyptus prints it: `i-... (account)`, `available (account)`, or `nobody`.
   */
  protected print(result: XmlNode) {
    const holder = (a: XmlNode) =>
      a.ownerAlias === undefined
        ? a.instanceId
        : a.ownerAlias === 'nobody'
          ? 'nobody'
          : `${a.instanceId ?? 'available'} (${a.ownerAlias})`;
    this.out(
      listOf(result, 'addressesSet').map((a) =>
        record(
          'ADDRESS',
          a.publicIp,
          holder(a),
          a.domain ?? 'standard',
          a.allocationId,
          a.associationId,
          a.networkInterfaceId,
          a.privateIpAddress,
        ),
      ),
    );
  }
}
