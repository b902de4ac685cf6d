import { Args } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';

export default class Deregister extends QueryCommand {
  static override summary = 'Deregister an image';
  static override description =
    'The image can no longer be run; its bundle stays in Walrus until euca-delete-bundle removes it.';
  static override args = { image: Args.string({ description: 'ID of the image to deregister', required: true }) };
  static override examples = ['<%= command.id %> emi-EC1410C1'];
  static override action = 'DeregisterImage';

  static override route = {
    image: 'ImageId',
  };

  protected print(_: unknown, { args }: ParsedOf<typeof Deregister>) {
    this.out([record('IMAGE', args.image)]);
  }
}
