import { ownerArgs, UploadPolicyCommand } from '../../lib/iam-policy-command';

export default class GroupUploadPolicy extends UploadPolicyCommand {
  static override owner = 'group' as const;
  static override summary = 'Attach a policy document, from a file or the command line, to a group';
  static override args = ownerArgs('group');
  static override flags = UploadPolicyCommand.uploadFlags('group');
  static override action = 'PutGroupPolicy';
}
