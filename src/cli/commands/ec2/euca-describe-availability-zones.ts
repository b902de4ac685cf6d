import { Args } from '@oclif/core';
import { ZONE_FILTERS } from '../../filters';
import { filterFlag, filterParams, QueryCommand, REST } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeAvailabilityZones extends QueryCommand {
  static override filters = ZONE_FILTERS;
  static override summary = 'Display availability zones within the current region';
  static override strict = false;
  static override args = { zone: Args.string({ description: 'limit results to specific availability zones' }) };
  static override flags = { filter: filterFlag };
  static override examples = ['<%= command.id %>', '<%= command.id %> cluster01'];
  static override action = 'DescribeAvailabilityZones';

  static override route = {
    [REST]: 'ZoneName',
    filter: filterParams,
  };

  protected print(result: XmlNode) {
    this.out(
      listOf(result, 'availabilityZoneInfo').map((z) =>
        record(
          'AVAILABILITYZONE',
          z.zoneName,
          z.zoneState,
          listOf(z, 'messageSet')
            .map((m) => m.message)
            .join(', '),
        ),
      ),
    );
  }
}
