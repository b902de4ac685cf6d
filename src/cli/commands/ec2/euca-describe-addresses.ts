import { Args } from '@oclif/core';
import { filterFlag, filterParams, QueryCommand, REST } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeAddresses extends QueryCommand {
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

  protected print(result: XmlNode) {
    this.out(
      listOf(result, 'addressesSet').map((a) =>
        record(
          'ADDRESS',
          a.publicIp,
          a.instanceId,
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
