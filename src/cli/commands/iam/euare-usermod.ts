import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class UserMod extends IamCommand {
  static override summary = "Change a user's name and/or path";
  static override args = { name: Args.string({ description: 'name of the user to change' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user', helpValue: 'USER' }),
    'new-user-name': Flags.string({ char: 'n', summary: 'new name for the user', helpValue: 'USER' }),
    'new-path': Flags.string({ char: 'p', summary: 'new path for the user', helpValue: 'PATH' }),
    'as-account': asAccountFlag,
  };
  static override action = 'UpdateUser';

  static override route = {
    'user-name': named('UserName', 'user name'),
    'new-user-name': 'NewUserName',
    'new-path': 'NewPath',
  };
}
