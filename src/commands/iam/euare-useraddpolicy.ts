import { AddPolicyCommand, ownerArgs } from '../../lib/iam-policy-command';

export default class UserAddPolicy extends AddPolicyCommand {
  static override owner = 'user' as const;
  static override summary = 'Add a new policy to a user, built from an effect, actions and resources';
  static override args = ownerArgs('user');
  static override flags = AddPolicyCommand.addFlags('user');
  static override examples = ['<%= command.id %> -u alice -p allow-run -e Allow -a ec2:RunInstances -o'];
  static override action = 'PutUserPolicy';
}
