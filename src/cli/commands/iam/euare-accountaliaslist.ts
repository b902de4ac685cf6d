import { asAccountFlag, IamCommand } from '../../iam-command';
import { type XmlNode } from '../../xml';

export default class AccountAliasList extends IamCommand {
  static override summary = "List an account's aliases";
  static override flags = { 'as-account': asAccountFlag };
  static override action = 'ListAccountAliases';

  protected override print(result: XmlNode) {
    const aliases = result.AccountAliases?.member ?? [];
    this.out(aliases.map((a: string) => `Alias: ${a}`));
  }
}
