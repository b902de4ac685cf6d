import { asAccountFlag, IamCommand } from '../../iam-command';
import { type XmlNode } from '../../xml';

export default class GetCallerId extends IamCommand {
  static override summary = "Display the caller's ARN and user id";
  static override description =
    "The identity the credentials in use belong to: the user's ARN (whose account id is the account), then " +
    'the user id.';
  static override flags = { 'as-account': asAccountFlag };
  static override action = 'GetUser';

  protected override print(result: XmlNode) {
    this.out([result.User.Arn, result.User.UserId]);
  }
}
