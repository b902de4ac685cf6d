import { EucaCommand, versionText } from '../../command';

export default class Version extends EucaCommand {
  static override summary = 'Display the version of euca2ools';
  static override examples = ['<%= command.id %>'];

  async run(): Promise<void> {
    await this.parse(Version);
    // On stderr, as euca2ools prints it.
    process.stderr.write(versionText() + '\n');
  }
}
