import { ListPoliciesCommand } from '../../iam-policy-command';

export default ListPoliciesCommand.for('group');
