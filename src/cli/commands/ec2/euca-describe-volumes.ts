import { Args } from '@oclif/core';
import { VOLUME_FILTERS } from '../../filters';
import { filterFlag, filterParams, QueryCommand, REST } from '../../command';
import { volumeLines } from '../../printers/volumes';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeVolumes extends QueryCommand {
  static override filters = VOLUME_FILTERS;
  static override summary = 'Display information about volumes';
  static override description =
    'Prints a VOLUME line per volume (id, size, snapshot, zone, status, creation time, type), an ATTACHMENT ' +
    'line when it is attached (volume, instance, device, status, time) and its TAG lines.';
  static override strict = false;
  static override args = { volume: Args.string({ description: 'limit results to specific volumes' }) };
  static override flags = { filter: filterFlag };
  static override examples = [
    '<%= command.id %>',
    '<%= command.id %> vol-12345678',
    '<%= command.id %> --filter status=available',
  ];
  static override action = 'DescribeVolumes';

  static override route = {
    [REST]: 'VolumeId',
    filter: filterParams,
  };

  protected print(result: XmlNode) {
    this.out(listOf(result, 'volumeSet').flatMap(volumeLines));
  }
}
