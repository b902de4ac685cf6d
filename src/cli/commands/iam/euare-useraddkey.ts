import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { type XmlNode } from '../../xml';
import { type ParsedOf } from '../../command';
import { writeConfigFlags } from '../../credentials-config';

export default class UserAddKey extends IamCommand {
  static override summary = 'Create a new access key for a user';
  static override description = "Prints the new key's id, then its secret key. A user has at most two access keys.";
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user (default: the caller)', helpValue: 'USER' }),
    ...writeConfigFlags,
    'as-account': asAccountFlag,
  };
  static override action = 'CreateAccessKey';

  static override route = {
    'user-name': named('UserName', 'user name', true),
  };

  protected override async after(result: XmlNode, { flags }: ParsedOf<typeof UserAddKey>) {
    result.lines = await this.accessKeyLines(result.AccessKey, flags);
  }

  protected override print(result: XmlNode) {
    this.out(result.lines);
  }
}
