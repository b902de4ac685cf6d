import { ownerArgs, PolicyCommand, policyFlags } from '../../lib/iam-policy-command';

export default class GroupDelPolicy extends PolicyCommand {
  static override owner = 'group' as const;
  static override summary = 'Remove a policy from a group';
  static override args = ownerArgs('group');
  static override flags = policyFlags('group');
  static override action = 'DeleteGroupPolicy';
}
