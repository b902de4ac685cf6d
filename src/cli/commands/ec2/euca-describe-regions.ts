import { Args } from '@oclif/core';
import { REGION_FILTERS } from '../../filters';
import { filterFlag, filterParams, QueryCommand, REST } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeRegions extends QueryCommand {
  static override filters = REGION_FILTERS;
  static override summary = 'Display information about regions';
  static override strict = false;
  static override args = { region: Args.string({ description: 'limit results to specific regions' }) };
  static override flags = { filter: filterFlag };
  static override examples = ['<%= command.id %>'];
  static override action = 'DescribeRegions';

  static override route = {
    [REST]: 'RegionName',
    filter: filterParams,
  };

  protected print(result: XmlNode) {
    this.out(listOf(result, 'regionInfo').map((r) => record('REGION', r.regionName, r.regionEndpoint)));
  }
}
