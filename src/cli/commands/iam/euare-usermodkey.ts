import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class UserModKey extends IamCommand {
  static override summary = 'Activate or deactivate an access key';
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

  static override route = {
    'user-name': 'UserName',
    'user-key-id': named('AccessKeyId', 'access key id'),
    status: 'Status',
  };
}
