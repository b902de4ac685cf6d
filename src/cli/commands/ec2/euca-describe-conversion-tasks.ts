import { Args } from '@oclif/core';
import { QueryCommand, REST } from '../../command';
import { conversionTaskLines } from '../../printers/volumes';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeConversionTasks extends QueryCommand {
  static override summary = 'Show information about import operations';
  static override description =
    'Prints each task as a line of TaskType IMPORTVOLUME, TaskId, ExpirationTime, Status (active, completed, ' +
    'cancelled) and a DISKIMAGE line with the format, sizes, volume, zone and bytes converted so far.';
  static override strict = false;
  static override args = { task: Args.string({ description: 'limit results to specific tasks' }) };
  static override examples = ['<%= command.id %>', '<%= command.id %> import-vol-12345678'];
  static override action = 'DescribeConversionTasks';

  static override route = {
    [REST]: 'ConversionTaskId',
  };

  protected print(result: XmlNode) {
    this.out(listOf(result, 'conversionTasks').flatMap(conversionTaskLines));
  }
}
