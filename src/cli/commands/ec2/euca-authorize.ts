import { GroupRuleCommand, ruleArgs, ruleFlags } from '../../group-rules';

export default class Authorize extends GroupRuleCommand {
  static override summary = 'Add a rule to a security group that allows traffic to pass';
  static override description =
    'The rule admits incoming traffic of a protocol and port range from a CIDR block (-s or -S; default ' +
    '0.0.0.0/0, everywhere) or from the instances of another security group (-o, with -u naming its ' +
    'account). Security group rules exist only in the MANAGED and MANAGED-NOVLAN networking modes. Here -s ' +
    'and -S both mean the CIDR (euca2ools 3 and 1.x); give the secret key as --secret-key.';
  static override examples = [
    '<%= command.id %> -P tcp -p 22 -s 0.0.0.0/0 default',
    '<%= command.id %> -P tcp -p 22 -S 0.0.0.0/0 default',
    '<%= command.id %> -P icmp -t -1:-1 -s 10.0.0.0/8 mygroup',
    '<%= command.id %> --source-group someothergroup --source-group-user someotheruser -P tcp -p 22 mygroup',
  ];
  static override args = ruleArgs;
  static override flags = ruleFlags;
  static override action = 'AuthorizeSecurityGroupIngress';
}
