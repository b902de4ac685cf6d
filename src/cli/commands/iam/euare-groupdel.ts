import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class GroupDel extends IamCommand {
  static override summary = 'Delete a group';
  static override args = { name: Args.string({ description: 'name of the group to delete' }) };
  static override flags = {
    'group-name': Flags.string({ char: 'g', summary: 'name of the group', helpValue: 'GROUP' }),
    recursive: Flags.boolean({ char: 'r', summary: "remove the group's users and policies first" }),
    'as-account': asAccountFlag,
  };
  static override action = 'DeleteGroup';

  static override route = {
    'group-name': named('GroupName', 'group name'),
    recursive: 'IsRecursive',
  };
}
