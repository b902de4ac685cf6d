import { Args } from '@oclif/core';
import { QueryCommand, REST } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

export default class TerminateInstances extends QueryCommand {
  static override summary = 'Terminate one or more instances';
  static override strict = false;
  static override args = {
    instance: Args.string({ description: 'ID(s) of the instance(s) to terminate', required: true }),
  };
  static override examples = ['<%= command.id %> i-4DCF092C'];
  static override usageArgs = 'INSTANCE [INSTANCE ...]';
  static override action = 'TerminateInstances';

  static override route = {
    [REST]: 'InstanceId',
  };

  protected print(result: XmlNode) {
    // As the seed shows it: INSTANCE and the instance's ID.
    this.out(listOf(result, 'instancesSet').map((i) => record('INSTANCE', i.instanceId)));
  }
}
