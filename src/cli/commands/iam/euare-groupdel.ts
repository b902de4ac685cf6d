import { Args, Flags } from '@oclif/core';
import { type ParsedOf } from '../../command';
import { asAccountFlag, delegate, IamCommand, named, nameOf } from '../../iam-command';
import { listOf } from '../../xml';

export default class GroupDel extends IamCommand {
  static override summary = 'Delete a group';
  static override args = { name: Args.string({ description: 'name of the group to delete' }) };
  static override flags = {
    'group-name': Flags.string({ char: 'g', summary: 'name of the group', helpValue: 'GROUP' }),
    recursive: Flags.boolean({ char: 'r', summary: "remove the group's users and policies first" }),
    'recursive-euca': Flags.boolean({ char: 'R', summary: 'as -r, done by the cloud (Eucalyptus IsRecursive)' }),
    pretend: Flags.boolean({
      char: 'p',
      summary: 'list the memberships and policies that would be deleted instead of deleting them (implies -r)',
    }),
    'as-account': asAccountFlag,
  };
  static override action = 'DeleteGroup';

  static override route = {
    'group-name': named('GroupName', 'group name'),
    recursive: 'IsRecursive',
    'recursive-euca': 'IsRecursive',
  };

  /** -p: the group's members' ARNs and its policies, under those headings, as euca2ools lists them. */
  protected override async pretend({ flags, args }: ParsedOf<typeof GroupDel>): Promise<string[] | undefined> {
    if (!flags.pretend) return undefined;
    const of = { ...delegate(flags), GroupName: nameOf({ flags, args, argv: [] }, 'group-name', 'group name') };
    const members = listOf(await this.call('GetGroup', of), 'Users');
    const policies = listOf(await this.call('ListGroupPolicies', of), 'PolicyNames');
    return ['users', ...members.map((u) => `\t${u.Arn}`), 'policies', ...policies.map((p) => `\t${p}`)];
  }
}
