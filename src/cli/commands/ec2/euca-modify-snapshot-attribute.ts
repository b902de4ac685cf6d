import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { UsageError } from '../../../shared/errors';
import { record } from '../../output';

const entity = (e: string) => (e === 'all' ? { Group: 'all' } : { UserId: e });

export default class ModifySnapshotAttribute extends QueryCommand {
  static override summary = 'Share a snapshot: grant or revoke permission to create volumes from it';
  static override description =
    'With -c, -a ACCOUNT (or all, for everyone) grants and -r ACCOUNT revokes; prints createVolumePermission ' +
    'SNAPSHOT ADD|REMOVE userId|group NAME.';
  /** -a and -r name accounts here, as in euca2ools; the access key keeps -I and --access-key. */
  static override args = { snapshot: Args.string({ description: 'ID of the snapshot to modify', required: true }) };
  static override flags = {
    'create-volume-permission': Flags.boolean({
      char: 'c',
      summary: 'grant or revoke volume creation permission with -a/-r',
      required: true,
    }),
    add: Flags.string({
      char: 'a',
      summary: 'account to grant permission, or all for every account',
      helpValue: 'ENTITY',
      multiple: true,
      multipleNonGreedy: true,
    }),
    remove: Flags.string({
      char: 'r',
      summary: 'account to remove permission from, or all',
      helpValue: 'ENTITY',
      multiple: true,
      multipleNonGreedy: true,
    }),
  };
  static override examples = [
    '<%= command.id %> snap-12345678 -c -a 123456789012',
    '<%= command.id %> snap-12345678 -c -a all',
  ];
  static override action = 'ModifySnapshotAttribute';

  protected override params({ args, flags }: ParsedOf<typeof ModifySnapshotAttribute>) {
    const add: string[] = flags.add ?? [];
    const remove: string[] = flags.remove ?? [];
    if (!add.length && !remove.length)
      throw new UsageError('at least one entity must be specified with -a/--add or -r/--remove');
    return { SnapshotId: args.snapshot, CreateVolumePermission: { Add: add.map(entity), Remove: remove.map(entity) } };
  }

  protected print(_: unknown, { args, flags }: ParsedOf<typeof ModifySnapshotAttribute>) {
    const line = (op: string, e: string) =>
      record('createVolumePermission', args.snapshot, op, e === 'all' ? 'group' : 'userId', e);
    this.out([
      ...(flags.add ?? []).map((e: string) => line('ADD', e)),
      ...(flags.remove ?? []).map((e: string) => line('REMOVE', e)),
    ]);
  }
}
