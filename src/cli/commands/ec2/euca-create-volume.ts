import { Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { UsageError } from '../../../shared/errors';
import { record } from '../../output';
import { type XmlNode } from '../../xml';

export default class CreateVolume extends QueryCommand {
  static override summary = 'Create a new EBS volume, empty or from a snapshot';
  static override description =
    'Prints the VOLUME line of the new volume, which is creating until its storage is ready ' +
    "(euca-describe-volumes shows it available). A volume made from a snapshot is at least the snapshot's size.";
  /** -s is the size here, as in euca2ools; the secret key keeps -S and --secret-key. */
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
    type: Flags.string({ char: 't', summary: 'volume type', helpValue: 'VOLTYPE' }),
    iops: Flags.integer({ char: 'i', summary: 'number of I/O operations per second', helpValue: 'IOPS' }),
  };
  static override examples = [
    '<%= command.id %> --zone zone1 --size 10',
    '<%= command.id %> -z cluster01 --snapshot snap-12345678',
  ];
  static override action = 'CreateVolume';

  protected override params({ flags }: ParsedOf<typeof CreateVolume>) {
    if (!flags.size && !flags.snapshot) throw new UsageError('-s/--size or --snapshot must be specified');
    if (flags.iops && !flags.type) throw new UsageError('argument -i/--iops: -t/--type is required');
    if (flags.iops && flags.type === 'standard')
      throw new UsageError('argument -i/--iops: not allowed with volume type "standard"');
    return {
      AvailabilityZone: flags.zone,
      Size: flags.size,
      SnapshotId: flags.snapshot,
      VolumeType: flags.type,
      Iops: flags.iops,
    };
  }

  /** The new volume as euca2ools prints it: VOLUME id size snapshot zone status create-time. */
  protected print(r: XmlNode) {
    this.out([record('VOLUME', r.volumeId, r.size, r.snapshotId, r.availabilityZone, r.status, r.createTime)]);
  }
}
