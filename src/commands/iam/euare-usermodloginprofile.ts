import { Args, Flags } from '@oclif/core';
import { connectionFlagsWithout, Parsed } from '../../lib/command';
import { asAccountFlag, delegate, IamCommand, nameOf, userParam } from '../../lib/iam-command';
import { listOf, XmlNode } from '../../lib/xml';
import inquirer from 'inquirer';

export default class UserModLoginProfile extends IamCommand {
  static override service = 'iam' as const;
  static override summary = "Change a user's password";
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = { 'user-name': Flags.string({ char: 'u', summary: 'name of the user', helpValue: 'USER' }), 'password': Flags.string({ char: 'p', summary: 'the new password (prompted for, without echo, when absent)', helpValue: 'PASSWORD' }), 'as-account': asAccountFlag };
  static override action = 'UpdateLoginProfile';

  protected params(parsed: Parsed) {
    const { flags } = parsed;
    void flags;
    return { ...delegate(flags), UserName: nameOf(parsed, 'user-name', 'user name'), Password: flags.password };
  }

  protected print(result: XmlNode, parsed: Parsed) {
    const { flags } = parsed;
    void flags;
    void result;
    this.out([]);
  }

  protected override async prepare(parsed: Parsed) {
    if (parsed.flags.password === undefined) {
      const { password } = await inquirer.prompt([{ type: 'password', name: 'password', message: 'New password:', mask: '' }]);
      parsed.flags.password = password;
    }
  }
}
