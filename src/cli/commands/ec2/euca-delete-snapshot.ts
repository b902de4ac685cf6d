import { Args } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';

export default class DeleteSnapshot extends QueryCommand {
  static override summary = 'Delete a snapshot';
  static override description =
    'Removes the snapshot and its copy in Walrus; volumes made from it are not affected. A snapshot still ' +
    'pending cannot be deleted.';
  static override args = { snapshot: Args.string({ description: 'ID of the snapshot to delete', required: true }) };
  static override examples = ['<%= command.id %> snap-12345678'];
  static override action = 'DeleteSnapshot';

  static override route = {
    snapshot: 'SnapshotId',
  };

  protected print(_: unknown, { args }: ParsedOf<typeof DeleteSnapshot>) {
    this.out([record('SNAPSHOT', args.snapshot)]);
  }
}
