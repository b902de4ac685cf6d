import { Args, Flags } from '@oclif/core';
import { connectionFlagsWithout, type ParsedOf } from '../../command';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { type XmlNode } from '../../xml';

export default class AccountCreate extends IamCommand {
  static override summary = '[Eucalyptus cloud admin only] Create a new account';
  static override description =
    'Creates the account and its admin user, and prints the account name and id (tab-separated); with -k, ' +
    "the admin's new access key id and secret key follow, one a line.";
  static override baseFlags = connectionFlagsWithout('a');
  static override args = { name: Args.string({ description: 'name of the new account' }) };
  static override flags = {
    'account-name': Flags.string({ char: 'a', summary: 'name of the account', helpValue: 'ACCOUNT' }),
    'create-accesskey': Flags.boolean({
      char: 'k',
      summary: "also create an access key for the account's admin user and print it",
    }),
    'as-account': asAccountFlag,
  };
  static override examples = ['<%= command.id %> -a devs'];
  static override action = 'CreateAccount';

  static override route = {
    'account-name': named('AccountName', 'account name'),
  };

  protected override print(result: XmlNode) {
    this.out([
      [result.Account?.AccountName, result.Account?.AccountId].join('\t'),
      ...(result.AccessKey ? [result.AccessKey.AccessKeyId, result.AccessKey.SecretAccessKey] : []),
    ]);
  }

  protected override async after(result: XmlNode, { flags }: ParsedOf<typeof AccountCreate>) {
    if (flags['create-accesskey'])
      Object.assign(
        result,
        await this.call('CreateAccessKey', { UserName: 'admin', DelegateAccount: result.Account.AccountId }),
      );
  }
}
