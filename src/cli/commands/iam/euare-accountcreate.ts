import { Args, Flags } from '@oclif/core';
import { type ParsedOf } from '../../command';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { type XmlNode } from '../../xml';
import { tabify } from '../../output';
import { writeConfigFlags } from '../../credentials-config';

export default class AccountCreate extends IamCommand {
  static override tabular = true;
  static override summary = '[Eucalyptus cloud admin only] Create a new account';
  static override description =
    'Creates the account and its admin user, and prints the account name and id (tab-separated); with -k, ' +
    "the admin's new access key id and secret key follow, one a line.";
  static override args = { name: Args.string({ description: 'name of the new account' }) };
  static override flags = {
    'account-name': Flags.string({ char: 'a', summary: 'name of the account', helpValue: 'ACCOUNT' }),
    'create-accesskey': Flags.boolean({
      char: 'k',
      summary: "also create an access key for the account's admin user and print it",
    }),
    ...writeConfigFlags,
    'as-account': asAccountFlag,
  };
  static override examples = ['<%= command.id %> -a devs'];
  static override action = 'CreateAccount';

  static override route = {
    'account-name': named('AccountName', 'account name'),
  };

  /** The account's name and id, or with -w only the configuration file, as euca2ools prints them. */
  protected override print(result: XmlNode, { flags }: ParsedOf<typeof AccountCreate>) {
    this.out([
      ...(flags['write-config'] ? [] : [tabify([result.Account?.AccountName, result.Account?.AccountId])]),
      ...(result.keyLines ?? []),
    ]);
  }

  protected override async after(result: XmlNode, { flags }: ParsedOf<typeof AccountCreate>) {
    if (flags['create-accesskey'] || flags['write-config']) {
      const accountId = result.Account.AccountId;
      const { AccessKey } = await this.call('CreateAccessKey', { UserName: 'admin', DelegateAccount: accountId });
      result.keyLines = await this.accessKeyLines(AccessKey, flags, accountId);
    }
  }
}
