import { Args, Flags } from '@oclif/core';
import { connectionFlagsWithout, type Parsed } from '../../command';
import { asAccountFlag, delegate, IamCommand, nameOf, userParam } from '../../iam-command';

export default class UserModKey extends IamCommand {
  static override summary = 'Activate or deactivate an access key';
  static override baseFlags = connectionFlagsWithout('s');
  static override args = { name: Args.string({ description: 'the access key to change' }) };
  static override flags = {
    'user-key-id': Flags.string({ char: 'k', summary: 'the access key to change', helpValue: 'KEY_ID' }),
    status: Flags.string({
      char: 's',
      summary: "the key's new status",
      options: ['Active', 'Inactive'],
      required: true,
    }),
    'user-name': Flags.string({ char: 'u', summary: 'name of the user (default: the caller)', helpValue: 'USER' }),
    'as-account': asAccountFlag,
  };
  static override action = 'UpdateAccessKey';

  protected params(parsed: Parsed) {
    const { flags } = parsed;
    return {
      ...delegate(flags),
      ...userParam({ ...parsed, args: {} }),
      AccessKeyId: nameOf(parsed, 'user-key-id', 'access key id'),
      Status: flags.status,
    };
  }
}
