import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class AccountAliasDelete extends IamCommand {
  static override summary = "Delete an account's alias";
  static override args = { name: Args.string({ description: 'the alias to delete' }) };
  static override flags = {
    'account-alias': Flags.string({ char: 'a', summary: 'the alias to delete', helpValue: 'ALIAS' }),
    'as-account': asAccountFlag,
  };
  static override action = 'DeleteAccountAlias';

  static override route = {
    'account-alias': named('AccountAlias', 'alias'),
  };
}
