import { Flags } from '@oclif/core';
import { connectionFlagsWithout, type ParsedOf, QueryCommand } from '../../command';
import { CliError } from '../../../shared/errors';
import { volumeLines } from '../../printers/volumes';
import { type XmlNode } from '../../xml';

export default class CreateVolume extends QueryCommand {
  static override summary = 'Create a new EBS volume, empty or from a snapshot';
  static override description =
    'Prints the VOLUME line of the new volume, which is creating until its storage is ready ' +
    "(euca-describe-volumes shows it available). A volume made from a snapshot is at least the snapshot's size.";
  /** -s is the size here, as in euca2ools; the secret key keeps -S and --secret-key. */
  static override baseFlags = connectionFlagsWithout('s');
  static override flags = {
    zone: Flags.string({
      char: 'z',
      aliases: ['availability-zone'],
      summary: 'availability zone in which to create the volume (required)',
      helpValue: 'ZONE',
      required: true,
    }),
    size: Flags.integer({
      char: 's',
      summary: 'size of the new volume in GiB (required unless --snapshot is used)',
      helpValue: 'GiB',
    }),
    snapshot: Flags.string({ summary: 'snapshot from which to create the volume', helpValue: 'SNAPSHOT' }),
  };
  static override examples = [
    '<%= command.id %> --zone zone1 --size 10',
    '<%= command.id %> -z cluster01 --snapshot snap-12345678',
  ];
  static override action = 'CreateVolume';

  protected override params({ flags }: ParsedOf<typeof CreateVolume>) {
    if (flags.size === undefined && !flags.snapshot)
      throw new CliError('MissingParameter', '-s/--size or --snapshot must be specified');
    return { AvailabilityZone: flags.zone, Size: flags.size, SnapshotId: flags.snapshot };
  }

  protected print(result: XmlNode) {
    this.out(volumeLines(result));
  }
}
