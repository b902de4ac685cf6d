import { Args, Flags } from '@oclif/core';
import { connectionFlagsWithout, type Parsed } from '../../command';
import { asAccountFlag, delegate, IamCommand, nameOf } from '../../iam-command';

export default class AccountAliasCreate extends IamCommand {
  static override summary = 'Create an alias for an account';
  static override baseFlags = connectionFlagsWithout('a');
  static override args = { name: Args.string({ description: 'the new alias' }) };
  static override flags = {
    'account-alias': Flags.string({ char: 'a', summary: 'the new alias', helpValue: 'ALIAS' }),
    'as-account': asAccountFlag,
  };
  static override action = 'CreateAccountAlias';

  protected params(parsed: Parsed) {
    const { flags } = parsed;
    return { ...delegate(flags), AccountAlias: nameOf(parsed, 'account-alias', 'alias') };
  }
}
