import { AddPolicyCommand } from '../../iam-policy-command';

export default AddPolicyCommand.for('user');
