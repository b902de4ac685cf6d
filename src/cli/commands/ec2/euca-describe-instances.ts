import { Args } from '@oclif/core';
import { INSTANCE_FILTERS } from '../../filters';
import { filterFlag, filterParams, QueryCommand, REST } from '../../command';
import { reservationLines } from '../../printers/instances';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeInstances extends QueryCommand {
  static override filters = INSTANCE_FILTERS;
  static override summary = 'Show information about instances';
  static override description =
    'With the argument "verbose", the cloud administrator sees every account\'s instances (Eucalyptus).';
  static override strict = false;
  static override args = { instance: Args.string({ description: 'limit results to specific instances' }) };
  static override flags = { filter: filterFlag };
  static override examples = [
    '<%= command.id %>',
    '<%= command.id %> i-4DCF092C',
    '<%= command.id %> --filter instance-state-name=running --filter tag:role=web',
  ];
  static override action = 'DescribeInstances';

  static override route = {
    [REST]: 'InstanceId',
    filter: filterParams,
  };

  protected print(result: XmlNode) {
    this.out(listOf(result, 'reservationSet').flatMap(reservationLines));
  }
}
