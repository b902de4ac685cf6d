import { Args, Flags } from '@oclif/core';
import { INSTANCE_STATUS_FILTERS } from '../../filters';
import { filterFlag, filterParams, type ParsedOf, QueryCommand, REST } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeInstanceStatus extends QueryCommand {
  static override filters = INSTANCE_STATUS_FILTERS;
  static override summary = 'Show the status of instances';
  static override description =
    'By default only running instances are shown; --include-all-instances shows every state.';
  static override strict = false;
  static override args = { instance: Args.string({ description: 'limit results to specific instances' }) };
  static override flags = {
    'include-all-instances': Flags.boolean({ summary: 'show all instances, not only running ones' }),
    'hide-healthy': Flags.boolean({ summary: 'hide instances whose system and instance status are both ok' }),
    filter: filterFlag,
  };
  static override examples = ['<%= command.id %>', '<%= command.id %> --include-all-instances i-4DCF092C'];
  static override action = 'DescribeInstanceStatus';

  static override route = {
    [REST]: 'InstanceId',
    'include-all-instances': 'IncludeAllInstances',
    filter: filterParams,
  };

  protected print(result: XmlNode, { flags }: ParsedOf<typeof DescribeInstanceStatus>) {
    const lines: string[] = [];
    for (const s of listOf(result, 'instanceStatusSet')) {
      if (flags['hide-healthy'] && s.systemStatus?.status === 'ok' && s.instanceStatus?.status === 'ok') continue;
      // Retirement is not in the API: scheduled events mean "retiring", from the earliest of them.
      const events = listOf(s, 'eventsSet');
      const starts = events.map((e) => e.notBefore as string | undefined).filter((t): t is string => !!t);
      lines.push(
        record(
          'INSTANCE',
          s.instanceId,
          s.availabilityZone,
          s.instanceState?.name,
          s.instanceState?.code,
          s.instanceStatus?.status,
          s.systemStatus?.status,
          events.length ? 'retiring' : 'active',
          starts.sort()[0],
        ),
      );
      for (const d of listOf(s.systemStatus, 'details'))
        lines.push(record('SYSTEMSTATUS', d.name, d.status, d.impairedSince));
      for (const d of listOf(s.instanceStatus, 'details'))
        lines.push(record('INSTANCESTATUS', d.name, d.status, d.impairedSince));
      for (const e of events) lines.push(record('EVENT', e.code, e.notBefore, e.notAfter, e.description));
    }
    this.out(lines);
  }
}
