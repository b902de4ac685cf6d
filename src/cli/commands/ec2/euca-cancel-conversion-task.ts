import { Args } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';

export default class CancelConversionTask extends QueryCommand {
  static override summary = 'Cancel an import task';
  static override description = 'Only an active task can be cancelled; the volume it was filling is deleted.';
  static override args = { task: Args.string({ description: 'ID of the import task to cancel', required: true }) };
  static override examples = ['<%= command.id %> import-vol-12345678'];
  static override action = 'CancelConversionTask';

  static override route = {
    task: 'ConversionTaskId',
  };

  protected print(_: unknown, { args }: ParsedOf<typeof CancelConversionTask>) {
    this.out([record('CONVERSIONTASK', args.task, 'cancelled')]);
  }
}
