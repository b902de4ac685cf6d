import { GetPolicyCommand } from '../../lib/iam-policy-command';

export default GetPolicyCommand.for('group');
