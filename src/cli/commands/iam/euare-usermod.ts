import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class UserMod extends IamCommand {
  static override summary = "Change a user's name and/or path (and, on Eucalyptus, whether it is enabled)";
  static override args = { name: Args.string({ description: 'name of the user to change' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user', helpValue: 'USER' }),
    'new-user-name': Flags.string({ char: 'n', summary: 'new name for the user', helpValue: 'USER' }),
    'new-path': Flags.string({ char: 'p', summary: 'new path for the user', helpValue: 'PATH' }),
    enabled: Flags.string({
      summary: "[Eucalyptus only] 'true' to enable the user, or 'false' to disable the user",
      options: ['true', 'false'],
    }),
    'pwd-expires': Flags.string({
      summary: '[Eucalyptus only] new password expiration date, in ISO8601 format',
      helpValue: 'YYYY-MM-DDThh:mm:ssZ',
    }),
    'reg-status': Flags.string({
      summary: '[Eucalyptus < 4.2 only] new registration status; only CONFIRMED users may access the system',
      options: ['REGISTERED', 'APPROVED', 'CONFIRMED'],
    }),
    'as-account': asAccountFlag,
  };
  static override action = 'UpdateUser';

  static override route = {
    'user-name': named('UserName', 'user name'),
    'new-user-name': 'NewUserName',
    'new-path': 'NewPath',
    enabled: 'Enabled',
    'pwd-expires': 'PasswordExpiration',
    'reg-status': 'RegStatus',
  };
}
