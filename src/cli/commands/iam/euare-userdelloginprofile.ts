import { Args, Flags } from '@oclif/core';
import { type Parsed } from '../../command';
import { asAccountFlag, delegate, IamCommand, nameOf } from '../../iam-command';

export default class UserDelLoginProfile extends IamCommand {
  static override summary = "Delete a user's password";
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user', helpValue: 'USER' }),
    'as-account': asAccountFlag,
  };
  static override action = 'DeleteLoginProfile';

  protected params(parsed: Parsed) {
    const { flags } = parsed;
    return { ...delegate(flags), UserName: nameOf(parsed, 'user-name', 'user name') };
  }
}
