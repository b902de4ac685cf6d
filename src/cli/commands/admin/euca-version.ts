import { EucaCommand } from '../../command';
import { packageVersion } from '../../../shared/package-root';

export default class Version extends EucaCommand {
  static override summary = 'Display the version of euca2ools';
  static override examples = ['<%= command.id %>'];

  async run(): Promise<void> {
    await this.parse(Version);
    this.out([`euca2ools ${packageVersion()}`]);
  }
}
