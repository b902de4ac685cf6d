import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { listOf, type XmlNode } from '../../xml';

export default class UserListKeys extends IamCommand {
  static override summary = "List a user's access keys";
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user (default: the caller)', helpValue: 'USER' }),
    'as-account': asAccountFlag,
  };
  static override action = 'ListAccessKeys';

  static override route = {
    'user-name': named('UserName', 'user name', true),
  };

  protected override print(result: XmlNode) {
    this.out(listOf(result, 'AccessKeyMetadata').flatMap((k) => [k.AccessKeyId, k.Status]));
  }
}
