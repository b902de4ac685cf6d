import { Args, Flags } from '@oclif/core';
import { QueryCommand } from '../../command';
import { attachmentLine } from '../../printers/volumes';
import { type XmlNode } from '../../xml';

export default class AttachVolume extends QueryCommand {
  static override summary = 'Attach an EBS volume to an instance';
  static override description =
    'The volume and the instance must be in the same zone, the volume available and the device name free on ' +
    'the instance. Prints the ATTACHMENT line (attaching); euca-describe-volumes shows it attached, the volume in-use.';
  static override args = { volume: Args.string({ description: 'ID of the volume to attach', required: true }) };
  static override flags = {
    instance: Flags.string({
      char: 'i',
      summary: 'instance to attach the volume to (required)',
      helpValue: 'INSTANCE',
      required: true,
    }),
    device: Flags.string({
      char: 'd',
      summary: 'device name exposed to the instance, such as /dev/sdf (required)',
      helpValue: 'DEVICE',
      required: true,
    }),
  };
  static override examples = [
    '<%= command.id %> vol-12345678 -i i-12345678 -d /dev/sdf',
    '<%= command.id %> -i i-12345678 -d /dev/sdf vol-12345678',
  ];
  static override action = 'AttachVolume';

  static override route = {
    volume: 'VolumeId',
    instance: 'InstanceId',
    device: 'Device',
  };

  protected print(result: XmlNode) {
    this.out([attachmentLine(result)]);
  }
}
