import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class GroupRemoveUser extends IamCommand {
  static override summary = 'Remove a user from a group';
  static override args = { name: Args.string({ description: 'name of the group' }) };
  static override flags = {
    'group-name': Flags.string({ char: 'g', summary: 'name of the group', helpValue: 'GROUP' }),
    'user-name': Flags.string({ char: 'u', summary: 'name of the user', helpValue: 'USER' }),
    'as-account': asAccountFlag,
  };
  static override action = 'RemoveUserFromGroup';

  static override route = {
    'group-name': named('GroupName', 'group name'),
    'user-name': named('UserName', 'user name'),
  };
}
