import { Args, Flags } from '@oclif/core';
import { type Parsed, type ParsedOf, QueryCommand, REST } from '../../command';
import { instanceTypeLines } from '../../printers/instance-types';
import { type XmlNode } from '../../xml';

export default class DescribeInstanceTypes extends QueryCommand {
  static override summary = '[Eucalyptus only] Show information about instance types';
  static override strict = false;
  static override args = { type: Args.string({ description: 'limit results to specific instance types' }) };
  static override flags = {
    'by-zone': Flags.boolean({ summary: 'show info for each availability zone separately' }),
    'show-capacity': Flags.boolean({ summary: 'show info about instance capacity' }),
  };
  static override examples = ['<%= command.id %>', '<%= command.id %> --show-capacity'];
  static override action = 'DescribeInstanceTypes';

  static override route = {
    [REST]: 'InstanceType',
    'by-zone': (byZone: boolean, { flags }: Parsed) =>
      byZone || flags['show-capacity'] ? { Availability: 'true' } : {},
  };

  protected print(result: XmlNode, { flags }: ParsedOf<typeof DescribeInstanceTypes>) {
    this.out(
      instanceTypeLines(result, {
        capacity: !!flags['show-capacity'],
        byZone: !!flags['by-zone'],
      }),
    );
  }
}
