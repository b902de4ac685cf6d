import { Args, Flags } from '@oclif/core';
import { SNAPSHOT_FILTERS } from '../../filters';
import { filterFlag, filterParams, QueryCommand, REST } from '../../command';
import { snapshotLines } from '../../printers/volumes';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeSnapshots extends QueryCommand {
  static override filters = SNAPSHOT_FILTERS;
  static override summary = 'Show information about snapshots';
  static override description =
    'By default, the snapshots your account owns or may create volumes from. Prints SNAPSHOT id, volume, ' +
    'status, start time, progress, owner, volume size and description, and TAG lines.';
  static override strict = false;
  static override args = { snapshot: Args.string({ description: 'limit results to specific snapshots' }) };
  static override flags = {
    all: Flags.boolean({
      char: 'a',
      summary: 'describe all snapshots you may use',
      exclusive: ['owner', 'restorable-by'],
    }),
    owner: Flags.string({
      char: 'o',
      summary: 'limit results to snapshots owned by these accounts (or self)',
      helpValue: 'ACCOUNT',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'restorable-by': Flags.string({
      char: 'r',
      summary: 'limit results to snapshots these accounts (or self, all) may restore',
      helpValue: 'ACCOUNT',
      multiple: true,
      multipleNonGreedy: true,
    }),
    filter: filterFlag,
  };
  static override examples = ['<%= command.id %>', '<%= command.id %> -o self', '<%= command.id %> snap-12345678'];
  static override action = 'DescribeSnapshots';

  static override route = {
    [REST]: 'SnapshotId',
    owner: 'Owner',
    'restorable-by': 'RestorableBy',
    filter: filterParams,
  };

  protected print(result: XmlNode) {
    this.out(listOf(result, 'snapshotSet').flatMap(snapshotLines));
  }
}
