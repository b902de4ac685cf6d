import { Args, Flags } from '@oclif/core';
import { type ParsedOf } from '../../command';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { type XmlNode } from '../../xml';

export default class UserGetLoginProfile extends IamCommand {
  static override summary = 'Verify that a user has a password';
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user', helpValue: 'USER' }),
    verbose: Flags.boolean({ summary: 'also print the date the password was set' }),
    'as-account': asAccountFlag,
  };
  static override action = 'GetLoginProfile';

  static override route = {
    'user-name': named('UserName', 'user name'),
  };

  protected override print(result: XmlNode, parsed: ParsedOf<typeof UserGetLoginProfile>) {
    const { flags } = parsed;
    const p = result.LoginProfile;
    this.out([
      `Login Profile Exists for User ${p.UserName}`,
      ...(flags.verbose && p.CreateDate ? [`Creation date: ${p.CreateDate}`] : []),
    ]);
  }
}
