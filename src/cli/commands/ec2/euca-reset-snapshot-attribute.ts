import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';

export default class ResetSnapshotAttribute extends QueryCommand {
  static override summary = "Reset a snapshot's volume creation permissions: only its owner may use it";
  static override args = { snapshot: Args.string({ description: 'ID of the snapshot to reset', required: true }) };
  static override flags = {
    'create-volume-permission': Flags.boolean({
      char: 'c',
      summary: 'clear the accounts and groups allowed to create volumes',
      required: true,
    }),
  };
  static override examples = ['<%= command.id %> snap-12345678 -c'];
  static override action = 'ResetSnapshotAttribute';

  static override route = {
    snapshot: 'SnapshotId',
  };
  static override fixedParams = { Attribute: 'createVolumePermission' };

  protected print(_: unknown, { args }: ParsedOf<typeof ResetSnapshotAttribute>) {
    this.out([record('createVolumePermission', args.snapshot, 'RESET')]);
  }
}
