import { AddPolicyCommand, ownerArgs } from '../../lib/iam-policy-command';

export default class GroupAddPolicy extends AddPolicyCommand {
  static override owner = 'group' as const;
  static override summary = 'Add a new policy to a group, built from an effect, actions and resources';
  static override args = ownerArgs('group');
  static override flags = AddPolicyCommand.addFlags('group');
  static override examples = ['<%= command.id %> -g developers -p allow-run -e Allow -a ec2:RunInstances -o'];
  static override action = 'PutGroupPolicy';
}
