import { asAccountFlag, IamCommand } from '../../iam-command';
import { type XmlNode } from '../../xml';

export default class AccountGetSummary extends IamCommand {
  static override summary = 'Display account-level information about entity usage and IAM quotas';
  static override flags = { 'as-account': asAccountFlag };
  static override action = 'GetAccountSummary';

  protected override print(result: XmlNode) {
    const raw = result.SummaryMap?.entry ?? [];
    const entries: XmlNode[] = Array.isArray(raw) ? raw : [raw];
    this.out(
      entries
        .map((e) => [String(e.key), String(e.value)])
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}: ${v}`),
    );
  }
}
