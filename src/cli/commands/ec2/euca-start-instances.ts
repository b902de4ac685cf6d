import { InstanceListCommand } from '../../instance-command';

export default class StartInstances extends InstanceListCommand {
  static override summary = 'Start one or more stopped EBS-backed instances';
  static override examples = ['<%= command.id %> i-4DCF092C'];
  static override action = 'StartInstances';
}
