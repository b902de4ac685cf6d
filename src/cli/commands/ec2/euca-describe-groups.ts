import { Args } from '@oclif/core';
import { GROUP_FILTERS } from '../../filters';
import { filterFlag, filterParams, type ParsedOf, QueryCommand } from '../../command';
import { groupLines } from '../../printers/groups';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeGroups extends QueryCommand {
  static override filters = GROUP_FILTERS;
  static override aliases = ['euca-describe-group'];
  static override summary = 'Show information about security groups';
  static override description =
    'Prints, as the seeds show, GROUP owner name description for each group and a PERMISSION line per rule: ' +
    'PERMISSION owner name ALLOWS protocol from to FROM CIDR cidr (or FROM USER account NAME group ID sg-...). ' +
    'Filters match literal strings, so ip-permission.from-port=22 does not match a rule for ports 20-30.';
  static override strict = false;
  static override args = {
    group: Args.string({ description: 'limit results to specific security groups (names or IDs)' }),
  };
  static override flags = { filter: filterFlag };
  static override examples = [
    '<%= command.id %>',
    '<%= command.id %> default',
    '<%= command.id %> --filter ip-permission.from-port=22',
  ];
  static override action = 'DescribeSecurityGroups';

  protected override params({ argv, flags }: ParsedOf<typeof DescribeGroups>) {
    const groups = argv as string[];
    const isId = (g: string) => /^sg-[0-9A-Fa-f]{8}$/.test(g);
    return { GroupName: groups.filter((g) => !isId(g)), GroupId: groups.filter(isId), ...filterParams(flags.filter) };
  }

  protected print(result: XmlNode) {
    this.out(listOf(result, 'securityGroupInfo').flatMap(groupLines));
  }
}
