import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { type XmlNode } from '../../xml';

export default class UserGetAttributes extends IamCommand {
  static override summary = "Display a user's ARN and id";
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user (default: the caller)', helpValue: 'USER' }),
    'as-account': asAccountFlag,
  };
  static override action = 'GetUser';

  static override route = {
    'user-name': named('UserName', 'user name', true),
  };

  protected override print(result: XmlNode) {
    this.out([result.User.Arn, result.User.UserId]);
  }
}
