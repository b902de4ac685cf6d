import { PolicyCommand } from '../../lib/iam-policy-command';

export default PolicyCommand.for('group');
