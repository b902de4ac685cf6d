import { AddPolicyCommand } from '../../lib/iam-policy-command';

export default AddPolicyCommand.for('group');
