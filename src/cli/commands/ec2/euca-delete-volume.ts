import { Args } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';

export default class DeleteVolume extends QueryCommand {
  static override summary = 'Delete a volume';
  static override description = 'Only an available volume can be deleted: detach it first.';
  static override args = { volume: Args.string({ description: 'ID of the volume to delete', required: true }) };
  static override examples = ['<%= command.id %> vol-12345678'];
  static override action = 'DeleteVolume';

  static override route = {
    volume: 'VolumeId',
  };

  protected print(_: unknown, { args }: ParsedOf<typeof DeleteVolume>) {
    this.out([record('VOLUME', args.volume)]);
  }
}
