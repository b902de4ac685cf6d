import { ListPoliciesCommand, ownerArgs } from '../../lib/iam-policy-command';

export default class GroupListPolicies extends ListPoliciesCommand {
  static override owner = 'group' as const;
  static override summary = "List the names of a group's policies (-v: with their documents)";
  static override args = ownerArgs('group');
  static override flags = ListPoliciesCommand.listFlags('group');
  static override action = 'ListGroupPolicies';
}
