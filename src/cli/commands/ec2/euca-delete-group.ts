import { Args } from '@oclif/core';
import { QueryCommand } from '../../command';
import { record } from '../../output';
import { type XmlNode } from '../../xml';

export default class DeleteGroup extends QueryCommand {
  static override summary = 'Delete a security group';
  static override description =
    "The default group cannot be deleted, nor a group that other groups' rules admit traffic from. Prints " +
    'RETURN true, as euca2ools does.';
  static override args = {
    group: Args.string({ description: 'name or ID (sg-...) of the security group to delete', required: true }),
  };
  static override examples = ['<%= command.id %> mygroup', '<%= command.id %> sg-1A2B3C4D'];
  static override action = 'DeleteSecurityGroup';

  static override route = {
    group: (group: string) => (/^sg-[0-9A-Fa-f]{8}$/.test(group) ? { GroupId: group } : { GroupName: group }),
  };

  protected print(result: XmlNode) {
    this.out([record('RETURN', result.return)]);
  }
}
