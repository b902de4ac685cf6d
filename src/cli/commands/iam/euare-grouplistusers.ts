import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { listOf, type XmlNode } from '../../xml';

export default class GroupListUsers extends IamCommand {
  static override summary = 'List the users in a group';
  static override args = { name: Args.string({ description: 'name of the group' }) };
  static override flags = {
    'group-name': Flags.string({ char: 'g', summary: 'name of the group', helpValue: 'GROUP' }),
    'as-account': asAccountFlag,
  };
  static override action = 'GetGroup';

  static override route = {
    'group-name': named('GroupName', 'group name'),
  };

  protected override print(result: XmlNode) {
    this.out([result.Group.Arn, '   users', ...listOf(result, 'Users').map((u) => `   ${u.Arn}`)]);
  }
}
