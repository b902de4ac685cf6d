import { Args, Flags } from '@oclif/core';
import { type ParsedOf } from '../../command';
import { asAccountFlag, delegate, IamCommand, named, nameOf } from '../../iam-command';
import { listOf } from '../../xml';

export default class UserDel extends IamCommand {
  static override summary = 'Delete a user';
  static override args = { name: Args.string({ description: 'name of the user to delete' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user', helpValue: 'USER' }),
    recursive: Flags.boolean({
      char: 'r',
      summary: 'delete everything the entity has first (keys, certificates, login profile, memberships)',
    }),
    'recursive-euca': Flags.boolean({ char: 'R', summary: 'as -r, done by the cloud (Eucalyptus IsRecursive)' }),
    pretend: Flags.boolean({
      char: 'p',
      summary: 'list the resources that would be deleted instead of deleting them (implies -r)',
    }),
    'as-account': asAccountFlag,
  };
  static override action = 'DeleteUser';

  static override route = {
    'user-name': named('UserName', 'user name'),
    recursive: 'IsRecursive',
    'recursive-euca': 'IsRecursive',
  };

  /** -p: the user's access keys, policies, certificates and groups, under those headings, as euca2ools lists them. */
  protected override async pretend({ flags, args }: ParsedOf<typeof UserDel>): Promise<string[] | undefined> {
    if (!flags.pretend) return undefined;
    const of = { ...delegate(flags), UserName: nameOf({ flags, args, argv: [] }, 'user-name', 'user name') };
    const keys = listOf(await this.call('ListAccessKeys', of), 'AccessKeyMetadata');
    const policies = listOf(await this.call('ListUserPolicies', of), 'PolicyNames');
    const certs = listOf(await this.call('ListSigningCertificates', of), 'Certificates');
    const groups = listOf(await this.call('ListGroupsForUser', of), 'Groups');
    return [
      'accesskeys',
      ...keys.map((k) => `\t${k.AccessKeyId}`),
      'policies',
      ...policies.map((p) => `\t${p}`),
      'certificates',
      ...certs.map((c) => `\t${c.CertificateId}`),
      'groups',
      ...groups.map((g) => `\t${g.Arn}`),
    ];
  }
}
