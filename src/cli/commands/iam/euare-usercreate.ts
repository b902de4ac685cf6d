import { Args, Flags } from '@oclif/core';
import { type ParsedOf } from '../../command';
import { asAccountFlag, delegate, IamCommand, named } from '../../iam-command';
import { writeConfigFlags } from '../../credentials-config';
import { type XmlNode } from '../../xml';

export default class UserCreate extends IamCommand {
  static override summary = 'Create a new user';
  static override description =
    "Prints nothing, as Eucalyptus returns nothing; -v prints the user's ARN and id, and -k creates an " +
    'access key and prints its id and secret key.';
  static override args = { name: Args.string({ description: 'name of the new user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user', helpValue: 'USER' }),
    path: Flags.string({ char: 'p', summary: 'path for the new user (default: /)', helpValue: 'PATH' }),
    'group-name': Flags.string({ char: 'g', summary: 'also add the user to this group', helpValue: 'GROUP' }),
    'create-accesskey': Flags.boolean({ char: 'k', summary: 'also create an access key for the user and print it' }),
    verbose: Flags.boolean({ char: 'v', summary: "print the new entity's ARN and id", exclusive: ['write-config'] }),
    verify: Flags.boolean({ summary: 'ensure the group given with -g exists before doing anything' }),
    ...writeConfigFlags,
    'as-account': asAccountFlag,
  };
  static override examples = ['<%= command.id %> -u alice -g devs -k', '<%= command.id %> -u bob -p /team_abc/ -v'];
  static override action = 'CreateUser';

  static override route = {
    'user-name': named('UserName', 'user name'),
    path: 'Path',
  };

  protected override print(result: XmlNode, parsed: ParsedOf<typeof UserCreate>) {
    const { flags } = parsed;
    this.out([...(flags.verbose ? [result.User.Arn, result.User.UserId] : []), ...(result.keyLines ?? [])]);
  }

  /** --verify: the group named with -g must exist before the user is made. */
  protected override async prepare(parsed: ParsedOf<typeof UserCreate>) {
    if (parsed.flags.verify && parsed.flags['group-name'])
      await this.call('GetGroup', { ...delegate(parsed.flags), GroupName: parsed.flags['group-name'] });
  }

  protected override async after(result: XmlNode, parsed: ParsedOf<typeof UserCreate>) {
    const UserName = result.User.UserName;
    if (parsed.flags['group-name'])
      await this.call('AddUserToGroup', { ...delegate(parsed.flags), UserName, GroupName: parsed.flags['group-name'] });
    if (parsed.flags['create-accesskey'] || parsed.flags['write-config']) {
      const { AccessKey } = await this.call('CreateAccessKey', { ...delegate(parsed.flags), UserName });
      result.keyLines = await this.accessKeyLines(AccessKey, parsed.flags);
    }
  }
}
