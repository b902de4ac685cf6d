import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { type XmlNode } from '../../xml';
import { type ParsedOf } from '../../command';

export default class UserGetAttributes extends IamCommand {
  static override summary = "Display a user's ARN and id";
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user (default: the caller)', helpValue: 'USER' }),
    'show-extra': Flags.boolean({
      summary:
        '[Eucalyptus only] also display the creation date, whether the user is enabled, its registration status and password expiration',
    }),
    'as-account': asAccountFlag,
  };
  static override action = 'GetUser';

  static override route = {
    'user-name': named('UserName', 'user name', true),
    'show-extra': 'ShowExtra',
  };

  protected override print(result: XmlNode, { flags }: ParsedOf<typeof UserGetAttributes>) {
    const u = result.User;
    const extra = ['CreateDate', 'Enabled', 'RegStatus', 'PasswordExpiration'].map((k) => String(u[k] ?? ''));
    this.out([u.Arn, u.UserId, ...(flags['show-extra'] ? extra : [])]);
  }
}
