import { asAccountFlag, IamCommand } from '../../iam-command';
import { type XmlNode } from '../../xml';

export default class GetCallerId extends IamCommand {
  static override summary = 'Show information about the currently-active credentials';
  static override description =
    'Prints `name = value` lines as euca2ools does, sorted by name: the account, the ARN, the access key id in ' +
    "use and the user id (asked of Euare, as this cloud's user).";
  static override flags = { 'as-account': asAccountFlag };
  static override action = 'GetUser';

  protected override print(result: XmlNode) {
    const arn = String(result.User?.Arn ?? '');
    const fields: Record<string, string | undefined> = {
      account: arn.split(':')[4],
      arn,
      'key-id': this.accessKeyId,
      'user-id': result.User?.UserId,
    };
    this.out(
      Object.entries(fields)
        .filter(([, v]) => v)
        .map(([k, v]) => `${k} = ${v}`),
    );
  }
}
