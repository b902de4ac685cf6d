import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class AccountDel extends IamCommand {
  static override summary = '[Eucalyptus cloud admin only] Delete an account';
  static override args = { name: Args.string({ description: 'name of the account to delete' }) };
  static override flags = {
    'account-name': Flags.string({ char: 'a', summary: 'name of the account', helpValue: 'ACCOUNT' }),
    recursive: Flags.boolean({
      char: 'r',
      summary: "delete the account's users, groups and their keys, certificates and policies too",
    }),
    'as-account': asAccountFlag,
  };
  static override action = 'DeleteAccount';

  static override route = {
    'account-name': named('AccountName', 'account name'),
    recursive: 'Recursive',
  };
}
