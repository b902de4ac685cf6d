import { Args } from '@oclif/core';
import { BUNDLE_TASK_FILTERS } from '../../filters';
import { filterFlag, filterParams, QueryCommand, REST } from '../../command';
import { bundleTaskLine } from '../../printers/bundle-tasks';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeBundleTasks extends QueryCommand {
  static override filters = BUNDLE_TASK_FILTERS;
  static override summary = 'Show the bundle tasks of instances';
  static override strict = false;
  static override args = { task: Args.string({ description: 'limit results to specific bundle tasks' }) };
  static override flags = { filter: filterFlag };
  static override examples = ['<%= command.id %>', '<%= command.id %> bun-C9A4EB20'];
  static override action = 'DescribeBundleTasks';

  static override route = {
    [REST]: 'BundleId',
    filter: filterParams,
  };

  protected print(result: XmlNode) {
    this.out(listOf(result, 'bundleInstanceTasksSet').map(bundleTaskLine));
  }
}
