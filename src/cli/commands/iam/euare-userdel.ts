import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class UserDel extends IamCommand {
  static override summary = 'Delete a user';
  static override args = { name: Args.string({ description: 'name of the user to delete' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user', helpValue: 'USER' }),
    recursive: Flags.boolean({
      char: 'r',
      summary: 'delete everything the entity has first (keys, certificates, login profile, memberships)',
    }),
    'as-account': asAccountFlag,
  };
  static override action = 'DeleteUser';

  static override route = {
    'user-name': named('UserName', 'user name'),
    recursive: 'IsRecursive',
  };
}
