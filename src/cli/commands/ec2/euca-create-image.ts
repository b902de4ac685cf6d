import { blockDeviceMapping } from '../../args';
import { Args, Flags } from '@oclif/core';
import { QueryCommand } from '../../command';
import { record } from '../../output';
import { type XmlNode } from '../../xml';

export default class CreateImage extends QueryCommand {
  static override summary = 'Create an EBS-backed image from a running or stopped EBS-backed instance';
  static override description =
    "Snapshots the instance's root volume; the new image is pending until the snapshot completes, then " +
    "available. Prints IMAGE and the new image's ID.";
  static override args = {
    instance: Args.string({ description: 'the instance to make the image of', required: true }),
  };
  static override flags = {
    name: Flags.string({ char: 'n', summary: 'name of the new image (required)', helpValue: 'NAME', required: true }),
    description: Flags.string({ char: 'd', summary: 'description of the new image', helpValue: 'DESC' }),
    'no-reboot': Flags.boolean({ summary: 'do not shut the instance down first (this cloud never does)' }),
    'block-device-mapping': Flags.string({
      char: 'b',
      summary: 'a further block device mapping for the image: DEVICE=none|ephemeral(0-3)|[SNAP-ID]:[GiB]:[true|false]',
      helpValue: 'DEVICE=MAPPED',
      multiple: true,
      multipleNonGreedy: true,
    }),
  };
  static override examples = ['<%= command.id %> i-12345678 -n my-ebs-image'];
  static override action = 'CreateImage';

  static override route = {
    instance: 'InstanceId',
    name: 'Name',
    description: 'Description',
    'no-reboot': 'NoReboot',
    'block-device-mapping': (mappings?: string[]) => ({ BlockDeviceMapping: mappings?.map(blockDeviceMapping) }),
  };

  protected print(result: XmlNode) {
    this.out([record('IMAGE', result.imageId)]);
  }
}
