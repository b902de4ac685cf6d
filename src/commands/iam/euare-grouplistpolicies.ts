import { ListPoliciesCommand } from '../../lib/iam-policy-command';

export default ListPoliciesCommand.for('group');
