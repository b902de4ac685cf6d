import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { listOf, type XmlNode } from '../../xml';

export default class UserListGroups extends IamCommand {
  static override summary = 'List the groups a user is in';
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user', helpValue: 'USER' }),
    'as-account': asAccountFlag,
  };
  static override action = 'ListGroupsForUser';

  static override route = {
    'user-name': named('UserName', 'user name'),
  };

  protected override print(result: XmlNode) {
    this.out(listOf(result, 'Groups').map((g) => g.Arn));
  }
}
