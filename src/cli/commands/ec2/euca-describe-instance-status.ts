import { Args, Flags } from '@oclif/core';
import { filterFlag, filterParams, QueryCommand, REST } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeInstanceStatus extends QueryCommand {
  static override summary = 'Show the status of instances';
  static override description =
    'By default only running instances are shown; --include-all-instances shows every state.';
  static override strict = false;
  static override args = { instance: Args.string({ description: 'limit results to specific instances' }) };
  static override flags = {
    'include-all-instances': Flags.boolean({ summary: 'show all instances, not only running ones' }),
    filter: filterFlag,
  };
  static override examples = ['<%= command.id %>', '<%= command.id %> --include-all-instances i-4DCF092C'];
  static override action = 'DescribeInstanceStatus';

  static override route = {
    [REST]: 'InstanceId',
    'include-all-instances': 'IncludeAllInstances',
    filter: filterParams,
  };

  protected print(result: XmlNode) {
    const lines: string[] = [];
    for (const s of listOf(result, 'instanceStatusSet')) {
      lines.push(
        record(
          'INSTANCE',
          s.instanceId,
          s.availabilityZone,
          s.instanceState?.name,
          s.instanceState?.code,
          s.instanceStatus?.status,
          s.systemStatus?.status,
        ),
      );
      for (const d of listOf(s.systemStatus, 'details'))
        lines.push(record('SYSTEMSTATUS', d.name, d.status, d.impairedSince));
      for (const d of listOf(s.instanceStatus, 'details'))
        lines.push(record('INSTANCESTATUS', d.name, d.status, d.impairedSince));
      for (const e of listOf(s, 'eventsSet'))
        lines.push(record('EVENT', e.code, e.notBefore, e.notAfter, e.description));
    }
    this.out(lines);
  }
}
