import { Args, Flags } from '@oclif/core';
import { QueryCommand } from '../../command';
import { record } from '../../output';
import { type XmlNode } from '../../xml';

export default class CreateSnapshot extends QueryCommand {
  static override summary = 'Create a snapshot of a volume';
  static override description =
    'The volume must be available or in-use. The snapshot is pending while the cloud copies the volume into ' +
    'Walrus; euca-describe-snapshots shows its progress until it is completed.';
  static override args = { volume: Args.string({ description: 'volume to create a snapshot of', required: true }) };
  static override flags = {
    description: Flags.string({ char: 'd', summary: 'snapshot description', helpValue: 'DESC' }),
  };
  static override examples = [
    '<%= command.id %> vol-12345678',
    '<%= command.id %> vol-12345678 -d "before the upgrade"',
  ];
  static override action = 'CreateSnapshot';

  static override route = {
    volume: 'VolumeId',
    description: 'Description',
  };

  protected print(s: XmlNode) {
    this.out([
      record('SNAPSHOT', s.snapshotId, s.volumeId, s.status, s.startTime, s.ownerId, s.volumeSize, s.description),
    ]);
  }
}
