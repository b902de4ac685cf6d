import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class UserDelLoginProfile extends IamCommand {
  static override summary = "Delete a user's password";
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user', helpValue: 'USER' }),
    'as-account': asAccountFlag,
  };
  static override action = 'DeleteLoginProfile';

  static override route = {
    'user-name': named('UserName', 'user name'),
  };
}
