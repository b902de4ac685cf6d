import { ownerArgs, UploadPolicyCommand } from '../../lib/iam-policy-command';

export default class UserUploadPolicy extends UploadPolicyCommand {
  static override owner = 'user' as const;
  static override summary = 'Attach a policy document, from a file or the command line, to a user';
  static override args = ownerArgs('user');
  static override flags = UploadPolicyCommand.uploadFlags('user');
  static override action = 'PutUserPolicy';
}
