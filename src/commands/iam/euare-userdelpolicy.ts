import { ownerArgs, PolicyCommand, policyFlags } from '../../lib/iam-policy-command';

export default class UserDelPolicy extends PolicyCommand {
  static override owner = 'user' as const;
  static override summary = 'Remove a policy from a user';
  static override args = ownerArgs('user');
  static override flags = policyFlags('user');
  static override action = 'DeleteUserPolicy';
}
