import { Args, Flags } from '@oclif/core';
import { type ParsedOf } from '../../command';
import { asAccountFlag, delegate, IamCommand, nameOf } from '../../iam-command';

export default class GroupMod extends IamCommand {
  static override summary = "Change a group's name and/or path";
  static override description =
    'With -u USER instead of -g, changes that user instead, as the 3.0.2 Usage Guide writes "Change User ' +
    'Path" (euare-groupmod -u USER -p PATH).';
  static override args = { name: Args.string({ description: 'name of the group to change' }) };
  static override flags = {
    'group-name': Flags.string({ char: 'g', summary: 'name of the group', helpValue: 'GROUP' }),
    'user-name': Flags.string({
      char: 'u',
      summary: 'change this user instead of a group (as euare-usermod)',
      helpValue: 'USER',
      exclusive: ['group-name', 'new-group-name'],
    }),
    'new-group-name': Flags.string({ char: 'n', summary: 'new name for the group', helpValue: 'GROUP' }),
    'new-path': Flags.string({ char: 'p', summary: 'new path for the group', helpValue: 'PATH' }),
    'as-account': asAccountFlag,
  };
  static override action = 'UpdateGroup';

  protected override actionFor(parsed: ParsedOf<typeof GroupMod>): string {
    return parsed.flags['user-name'] ? 'UpdateUser' : 'UpdateGroup';
  }

  protected override params(parsed: ParsedOf<typeof GroupMod>) {
    const { flags } = parsed;
    if (flags['user-name'])
      return {
        ...delegate(flags),
        UserName: flags['user-name'],
        ...(flags['new-path'] ? { NewPath: flags['new-path'] } : {}),
      };
    return {
      ...delegate(flags),
      GroupName: nameOf(parsed, 'group-name', 'group name'),
      ...(flags['new-group-name'] ? { NewGroupName: flags['new-group-name'] } : {}),
      ...(flags['new-path'] ? { NewPath: flags['new-path'] } : {}),
    };
  }
}
