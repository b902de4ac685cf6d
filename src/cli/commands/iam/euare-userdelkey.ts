import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class UserDelKey extends IamCommand {
  static override summary = 'Delete an access key';
  static override args = { name: Args.string({ description: 'the access key to delete' }) };
  static override flags = {
    'user-key-id': Flags.string({ char: 'k', summary: 'the access key to delete', helpValue: 'KEY_ID' }),
    'user-name': Flags.string({ char: 'u', summary: 'name of the user (default: the caller)', helpValue: 'USER' }),
    'as-account': asAccountFlag,
  };
  static override action = 'DeleteAccessKey';

  static override route = {
    'user-name': 'UserName',
    'user-key-id': named('AccessKeyId', 'access key id'),
  };
}
