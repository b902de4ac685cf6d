import { UploadPolicyCommand } from '../../iam-policy-command';

export default UploadPolicyCommand.for('user');
