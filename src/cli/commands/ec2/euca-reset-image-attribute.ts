import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';

export default class ResetImageAttribute extends QueryCommand {
  static override summary = 'Reset an attribute of an image to its default value';
  static override args = {
    image: Args.string({ description: 'image whose attribute should be reset', required: true }),
  };
  static override flags = {
    'launch-permission': Flags.boolean({
      char: 'l',
      summary: 'reset launch permissions (the image becomes private)',
      required: true,
    }),
  };
  static override examples = ['<%= command.id %> -l emi-EC1410C1'];
  static override action = 'ResetImageAttribute';

  static override route = {
    image: 'ImageId',
  };
  static override fixedParams = { Attribute: 'launchPermission' };

  protected print(_: unknown, { args }: ParsedOf<typeof ResetImageAttribute>) {
    this.out([record('launchPermission', args.image, 'RESET')]);
  }
}
