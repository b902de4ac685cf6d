import { GetPolicyCommand } from '../../iam-policy-command';

export default GetPolicyCommand.for('user');
