import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';
import { type XmlNode } from '../../xml';

export default class AddGroup extends QueryCommand {
  static override aliases = ['euca-create-group'];
  static override summary = 'Create a new security group';
  static override description =
    "Prints GROUP, the new group's ID, its name and its description, as euca2ools does. A new group admits " +
    'no incoming traffic until euca-authorize adds rules.';
  static override args = { group: Args.string({ description: 'name of the new group', required: true }) };
  static override flags = {
    description: Flags.string({
      char: 'd',
      summary: 'description of the new group',
      helpValue: 'DESC',
      required: true,
    }),
    vpc: Flags.string({ char: 'c', summary: '[VPC only] ID of the VPC to create the group in', helpValue: 'VPC' }),
  };
  static override examples = ['<%= command.id %> -d "newgroup" mygroup'];
  static override action = 'CreateSecurityGroup';

  static override route = {
    group: 'GroupName',
    description: 'GroupDescription',
    vpc: 'VpcId',
  };

  protected print(result: XmlNode, { args, flags }: ParsedOf<typeof AddGroup>) {
    this.out([record('GROUP', result.groupId, args.group, flags.description)]);
  }
}
