import { ListPoliciesCommand, ownerArgs } from '../../lib/iam-policy-command';

export default class UserListPolicies extends ListPoliciesCommand {
  static override owner = 'user' as const;
  static override summary = "List the names of a user's policies (-v: with their documents)";
  static override args = ownerArgs('user');
  static override flags = ListPoliciesCommand.listFlags('user');
  static override action = 'ListUserPolicies';
}
