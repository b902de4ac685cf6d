import { GetPolicyCommand, ownerArgs, policyFlags } from '../../lib/iam-policy-command';

export default class UserGetPolicy extends GetPolicyCommand {
  static override owner = 'user' as const;
  static override summary = "Display one of a user's policies";
  static override args = ownerArgs('user');
  static override flags = policyFlags('user');
  static override action = 'GetUserPolicy';
}
