import { Args, Flags } from '@oclif/core';
import { QueryCommand } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeSnapshotAttribute extends QueryCommand {
  static override summary = 'Show who may create volumes from a snapshot';
  static override description = 'Prints createVolumePermission SNAPSHOT userId ACCOUNT (or group all) for each grant.';
  static override args = { snapshot: Args.string({ description: 'snapshot to describe', required: true }) };
  static override flags = {
    'create-volume-permission': Flags.boolean({
      char: 'c',
      summary: 'display who can create volumes from the snapshot (the default)',
    }),
  };
  static override examples = ['<%= command.id %> snap-12345678 -c'];
  static override action = 'DescribeSnapshotAttribute';

  static override route = {
    snapshot: 'SnapshotId',
  };
  static override fixedParams = { Attribute: 'createVolumePermission' };

  protected print(result: XmlNode) {
    this.out(
      listOf(result, 'createVolumePermission').map((p) =>
        p.group
          ? record('createVolumePermission', result.snapshotId, 'group', p.group)
          : record('createVolumePermission', result.snapshotId, 'userId', p.userId),
      ),
    );
  }
}
