import { Flags } from '@oclif/core';
import { asAccountFlag, IamCommand } from '../../iam-command';
import { listOf, type XmlNode } from '../../xml';

export default class UserListByPath extends IamCommand {
  static override summary = "List the account's users";
  static override flags = {
    'path-prefix': Flags.string({
      char: 'p',
      summary: 'list only the users whose path begins with PREFIX',
      helpValue: 'PREFIX',
    }),
    'as-account': asAccountFlag,
  };
  static override action = 'ListUsers';

  static override route = {
    'path-prefix': 'PathPrefix',
  };

  protected override print(result: XmlNode) {
    this.out(listOf(result, 'Users').map((u) => u.Arn));
  }
}
