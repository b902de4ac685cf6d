import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeSnapshotAttribute extends QueryCommand {
  static override summary = 'Show who may create volumes from a snapshot';
  static override description = 'Prints createVolumePermission SNAPSHOT userId ACCOUNT (or group all) for each grant.';
  static override args = { snapshot: Args.string({ description: 'snapshot to describe', required: true }) };
  static override flags = {
    'create-volume-permission': Flags.boolean({
      char: 'c',
      summary: 'display who can create volumes from the snapshot',
      exactlyOne: ['create-volume-permission', 'product-codes'],
    }),
    'product-codes': Flags.boolean({ char: 'p', summary: 'list associated product codes' }),
  };
  static override examples = ['<%= command.id %> snap-12345678 -c'];
  static override action = 'DescribeSnapshotAttribute';

  static override route = {
    snapshot: 'SnapshotId',
  };

  protected override params(parsed: ParsedOf<typeof DescribeSnapshotAttribute>) {
    return {
      ...super.params(parsed),
      Attribute: parsed.flags['product-codes'] ? 'productCodes' : 'createVolumePermission',
    };
  }

  protected print(result: XmlNode) {
    const id = result.snapshotId;
    this.out([
      ...listOf(result, 'createVolumePermission').map((p) =>
        p.group
          ? record('createVolumePermission', id, 'group', p.group)
          : record('createVolumePermission', id, 'userId', p.userId),
      ),
      ...listOf(result, 'productCodes').map((c) =>
        record('productCodes', id, 'productCode', c.type ? `[${c.type}: ${c.productCode}]` : c.productCode),
      ),
    ]);
  }
}
