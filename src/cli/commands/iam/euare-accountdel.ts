import { Args, Flags } from '@oclif/core';
import { connectionFlagsWithout, type Parsed } from '../../command';
import { asAccountFlag, delegate, IamCommand, nameOf } from '../../iam-command';

export default class AccountDel extends IamCommand {
  static override summary = '[Eucalyptus cloud admin only] Delete an account';
  static override baseFlags = connectionFlagsWithout('a');
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

  protected params(parsed: Parsed) {
    const { flags } = parsed;
    return {
      ...delegate(flags),
      AccountName: nameOf(parsed, 'account-name', 'account name'),
      ...(flags.recursive ? { Recursive: 'true' } : {}),
    };
  }
}
