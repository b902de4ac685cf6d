import { UploadPolicyCommand } from '../../lib/iam-policy-command';

export default UploadPolicyCommand.for('group');
