import { forceFlag, InstanceListCommand } from '../../instance-command';

export default class StopInstances extends InstanceListCommand {
  static override summary = 'Stop one or more EBS-backed instances';
  static override description =
    'Only instances whose root device is an EBS volume can be stopped; their root volume is kept.';
  static override flags = { force: forceFlag };
  static override examples = ['<%= command.id %> i-4DCF092C'];
  static override action = 'StopInstances';
}
