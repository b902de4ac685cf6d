import { Args, Flags } from '@oclif/core';
import { type ParsedOf } from '../../command';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { promptPassword } from '../../prompt';

export default class UserAddLoginProfile extends IamCommand {
  static override summary = 'Give a user a password for the Dashboard';
  static override description =
    'The cloud keeps only a slow salted hash (scrypt) of the password. Without -p the password is read from ' +
    'the terminal without echo.';
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user', helpValue: 'USER' }),
    password: Flags.string({
      char: 'p',
      summary: 'the new password (prompted for, without echo, when absent)',
      helpValue: 'PASSWORD',
    }),
    'as-account': asAccountFlag,
  };
  static override action = 'CreateLoginProfile';

  static override route = {
    'user-name': named('UserName', 'user name'),
    password: 'Password',
  };

  protected override async prepare(parsed: ParsedOf<typeof UserAddLoginProfile>) {
    if (parsed.flags.password === undefined) {
      parsed.flags.password = await promptPassword();
    }
  }
}
