import { Args, Flags } from '@oclif/core';
import { QueryCommand } from '../../command';
import { attachmentLine } from '../../printers/volumes';
import { type XmlNode } from '../../xml';

export default class DetachVolume extends QueryCommand {
  static override summary = 'Detach a volume from an instance';
  static override description =
    'Prints the ATTACHMENT line (detaching); the volume is available again once the node has let it go.';
  static override args = { volume: Args.string({ description: 'ID of the volume to detach', required: true }) };
  static override flags = {
    instance: Flags.string({ char: 'i', summary: 'the instance it must be attached to', helpValue: 'INSTANCE' }),
    device: Flags.string({ char: 'd', summary: 'the device it must be attached as', helpValue: 'DEVICE' }),
    force: Flags.boolean({ char: 'f', summary: 'detach even if a detach is already under way' }),
  };
  static override examples = ['<%= command.id %> vol-12345678'];
  static override action = 'DetachVolume';

  static override route = { volume: 'VolumeId', instance: 'InstanceId', device: 'Device', force: 'Force' };

  protected print(result: XmlNode) {
    this.out([attachmentLine(result)]);
  }
}
