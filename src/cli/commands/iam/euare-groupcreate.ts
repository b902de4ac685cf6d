import { Args, Flags } from '@oclif/core';
import { type ParsedOf } from '../../command';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { type XmlNode } from '../../xml';

export default class GroupCreate extends IamCommand {
  static override summary = 'Create a new group';
  static override description = "Prints nothing, as Eucalyptus returns nothing; with -v, the group's ARN and id.";
  static override args = { name: Args.string({ description: 'name of the new group' }) };
  static override flags = {
    'group-name': Flags.string({ char: 'g', summary: 'name of the group', helpValue: 'GROUP' }),
    path: Flags.string({ char: 'p', summary: 'path for the new group (default: /)', helpValue: 'PATH' }),
    verbose: Flags.boolean({ char: 'v', summary: "print the new entity's ARN and id" }),
    'as-account': asAccountFlag,
  };
  static override examples = ['<%= command.id %> -g admins', '<%= command.id %> -g devs -p /area_abc/ -v'];
  static override action = 'CreateGroup';

  static override route = {
    'group-name': named('GroupName', 'group name'),
    path: 'Path',
  };

  protected override print(result: XmlNode, parsed: ParsedOf<typeof GroupCreate>) {
    const { flags } = parsed;
    this.out(flags.verbose ? [result.Group.Arn, result.Group.GroupId] : []);
  }
}
