import { asAccountFlag, IamCommand } from '../../iam-command';
import { listOf, type XmlNode } from '../../xml';

export default class AccountList extends IamCommand {
  static override tabular = true;
  static override summary = "[Eucalyptus cloud admin only] List all of the cloud's accounts";
  static override flags = { 'as-account': asAccountFlag };
  static override action = 'ListAccounts';

  protected override print(result: XmlNode) {
    this.out(listOf(result, 'Accounts').map((a) => `${a.AccountName}\t${a.AccountId}`));
  }
}
