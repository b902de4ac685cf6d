import { GetPolicyCommand, ownerArgs, policyFlags } from '../../lib/iam-policy-command';

export default class GroupGetPolicy extends GetPolicyCommand {
  static override owner = 'group' as const;
  static override summary = "Display one of a group's policies";
  static override args = ownerArgs('group');
  static override flags = policyFlags('group');
  static override action = 'GetGroupPolicy';
}
