import { Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { CliError } from '../../../shared/errors';
import { record } from '../../output';
import { type XmlNode } from '../../xml';

export default class ModifyProperty extends QueryCommand {
  static override summary = "[Eucalyptus cloud admin only] Change one of the cloud's live properties";
  static override description =
    'The new value is checked (a default kernel must be an available kernel image, a VM type size a positive ' +
    'number, ...) and takes effect at once. Prints PROPERTY NAME NEW was OLD.';
  static override flags = {
    property: Flags.string({
      char: 'p',
      summary: 'the property and its new value (required)',
      helpValue: 'NAME=VALUE',
      required: true,
    }),
  };
  static override examples = [
    '<%= command.id %> -p cloud.images.defaultkernel=eki-12345678',
    '<%= command.id %> -p cloud.vmtypes.m1.small.memory=512',
  ];
  static override action = 'ModifyPropertyValue';

  protected override params({ flags }: ParsedOf<typeof ModifyProperty>) {
    const text: string = flags.property;
    const eq = text.indexOf('=');
    if (eq <= 0) throw new CliError('InvalidParameterValue', `property must have the form NAME=VALUE: ${text}`);
    return { Name: text.slice(0, eq), Value: text.slice(eq + 1) };
  }

  protected print(result: XmlNode) {
    this.out([[record('PROPERTY', result.name), `${result.value ?? ''} was ${result.oldValue ?? ''}`].join('\t')]);
  }
}
