import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { UsageError } from '../../../shared/errors';
import { record } from '../../output';
import { type Params } from '../../query';

const WHAT = ['launch-permission', 'description', 'product-code'];

/** Launch permission entities: "all" is the group of every account, anything else an account. */
function entities(list: string[] | undefined): Params[] {
  return (list ?? []).map((e) => (e === 'all' ? { Group: 'all' } : { UserId: e }));
}

export default class ModifyImageAttribute extends QueryCommand {
  static override summary = 'Modify an attribute of an image';
  static override args = { image: Args.string({ description: 'image to modify', required: true }) };
  static override flags = {
    'launch-permission': Flags.boolean({
      char: 'l',
      summary: 'grant/revoke launch permissions with -a/-r',
      exactlyOne: WHAT,
    }),
    add: Flags.string({
      char: 'a',
      summary: 'account to grant launch permission, or "all" for all accounts',
      helpValue: 'ENTITY',
      multiple: true,
      multipleNonGreedy: true,
    }),
    remove: Flags.string({
      char: 'r',
      summary: 'account to remove launch permission from, or "all" for all accounts',
      helpValue: 'ENTITY',
      multiple: true,
      multipleNonGreedy: true,
    }),
    description: Flags.string({ summary: "change the image's description", helpValue: 'DESC', exactlyOne: WHAT }),
    'product-code': Flags.string({
      char: 'p',
      summary: 'product code to add to the image',
      helpValue: 'CODE',
      multiple: true,
      multipleNonGreedy: true,
      exactlyOne: WHAT,
    }),
  };
  static override examples = [
    '<%= command.id %> -l -a all emi-EC1410C1',
    '<%= command.id %> -l -a 123456789012 -r all emi-EC1410C1',
    '<%= command.id %> --description "CentOS 5.3" emi-EC1410C1',
  ];
  static override action = 'ModifyImageAttribute';

  protected override params({ args, flags }: ParsedOf<typeof ModifyImageAttribute>) {
    if (flags['launch-permission']) {
      if (!flags.add && !flags.remove)
        throw new UsageError('at least one entity must be specified with -a/--add or -r/--remove');
      return { ImageId: args.image, LaunchPermission: { Add: entities(flags.add), Remove: entities(flags.remove) } };
    }
    if (flags.add) throw new UsageError('argument -a/--add may only be used with -l/--launch-permission');
    if (flags.remove) throw new UsageError('argument -r/--remove may only be used with -l/--launch-permission');
    return { ImageId: args.image, 'Description.Value': flags.description, ProductCode: flags['product-code'] };
  }

  protected print(_: unknown, { args, flags }: ParsedOf<typeof ModifyImageAttribute>) {
    const id = args.image;
    const lines: string[] = [];
    if (flags.description !== undefined) lines.push(record('description', id, '', flags.description));
    for (const code of flags['product-code'] ?? []) lines.push(record('productcodes', id, 'productCode', code));
    for (const [op, list] of [
      ['ADD', flags.add],
      ['REMOVE', flags.remove],
    ] as const) {
      for (const e of entities(list))
        for (const [type, name] of Object.entries(e))
          lines.push(record('launchPermission', id, op, type, name as string));
    }
    this.out(lines);
  }
}
