import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class AccountAliasCreate extends IamCommand {
  static override summary = 'Create an alias for an account';
  static override args = { name: Args.string({ description: 'the new alias' }) };
  static override flags = {
    'account-alias': Flags.string({ char: 'a', summary: 'the new alias', helpValue: 'ALIAS' }),
    'as-account': asAccountFlag,
  };
  static override action = 'CreateAccountAlias';

  static override route = {
    'account-alias': named('AccountAlias', 'alias'),
  };
}
