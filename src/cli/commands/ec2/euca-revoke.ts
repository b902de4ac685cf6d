import { GroupRuleCommand, ruleArgs, ruleFlags } from '../../group-rules';

export default class Revoke extends GroupRuleCommand {
  static override summary = 'Remove a rule from a security group';
  static override description =
    'Names the rule exactly as euca-authorize added it: protocol, ports and source (-s or -S CIDR, default ' +
    '0.0.0.0/0, or -o group with -u account). Security group rules exist only in the MANAGED and ' +
    'MANAGED-NOVLAN networking modes. Here -s and -S both mean the CIDR (euca2ools 3 and 1.x); give the ' +
    'secret key as --secret-key.';
  static override examples = ['<%= command.id %> -P tcp -p 22 -s 0.0.0.0/0 mygroup'];
  static override args = ruleArgs;
  static override flags = ruleFlags;
  static override action = 'RevokeSecurityGroupIngress';
}
