import { Args } from '@oclif/core';
import { QueryCommand } from '../../command';
import { bundleTaskLine } from '../../printers/bundle-tasks';
import { type XmlNode } from '../../xml';

export default class CancelBundleTask extends QueryCommand {
  static override summary = 'Cancel a bundle task';
  static override args = { task: Args.string({ description: 'ID of the bundle task to cancel', required: true }) };
  static override examples = ['<%= command.id %> bun-C9A4EB20'];
  static override action = 'CancelBundleTask';

  static override route = {
    task: 'BundleId',
  };

  protected print(result: XmlNode) {
    this.out([bundleTaskLine(result.bundleInstanceTask ?? {})]);
  }
}
