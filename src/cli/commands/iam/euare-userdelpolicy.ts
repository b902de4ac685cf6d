import { PolicyCommand } from '../../iam-policy-command';

export default PolicyCommand.for('user');
