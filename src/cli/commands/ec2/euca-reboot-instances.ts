import { InstanceListCommand } from '../../instance-command';

export default class RebootInstances extends InstanceListCommand {
  static override summary = 'Reboot one or more instances';
  static override description = 'Rebooting keeps the root filesystem of an instance across the restart.';
  static override examples = ['<%= command.id %> i-34523332'];
  static override action = 'RebootInstances';
  static override printsStates = false;
}
