import { Args, Flags } from '@oclif/core';
import { IMAGE_FILTERS } from '../../filters';
import { filterFlag, filterParams, ServiceCommand } from '../../command';
import { UsageError } from '../../../shared/errors';
import { imageLines } from '../../printers/images';
import { type Params, QueryClient } from '../../query';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeImages extends ServiceCommand {
  static override filters = IMAGE_FILTERS;
  static override summary = 'Show information about images';
  static override description =
    'By default, only images your account owns and images for which your account has launch permissions ' +
    '(including public images) are shown.';
  static override strict = false;
  static override args = { image: Args.string({ description: 'limit results to specific images' }) };
  static override flags = {
    all: Flags.boolean({ char: 'a', summary: 'describe all images' }),
    owner: Flags.string({
      char: 'o',
      summary: 'describe images owned by the specified owner ("self" for your own)',
      helpValue: 'ACCOUNT',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'executable-by': Flags.string({
      char: 'x',
      summary: 'describe images for which the specified account has launch permissions',
      helpValue: 'ACCOUNT',
      multiple: true,
      multipleNonGreedy: true,
    }),
    filter: filterFlag,
  };
  static override examples = [
    '<%= command.id %>',
    '<%= command.id %> emi-EC1410C1',
    '<%= command.id %> -o self --filter image-type=kernel',
  ];

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(DescribeImages);
    const ids = argv as string[];
    if (flags.all) {
      if (ids.length) throw new UsageError('argument -a/--all: not allowed with a list of images');
      if (flags['executable-by'])
        throw new UsageError('argument -a/--all: not allowed with argument -x/--executable-by');
      if (flags.owner) throw new UsageError('argument -a/--all: not allowed with argument -o/--owner');
    }
    const client = new QueryClient(await this.endpoint(flags));
    const base: Params = { ImageId: ids, ...filterParams(flags.filter) };
    // As euca2ools does: with no selection, your own images plus those you may launch.
    const queries: Params[] =
      flags.all || ids.length || flags.owner || flags['executable-by']
        ? [{ ...base, Owner: flags.owner, ExecutableBy: flags['executable-by'] }]
        : [
            { ...base, Owner: ['self'] },
            { ...base, ExecutableBy: ['self'] },
          ];
    const results = await Promise.all(queries.map((q) => client.call('DescribeImages', q)));
    const byId = new Map<string, XmlNode>();
    for (const r of results)
      for (const image of listOf(r, 'imagesSet')) if (!byId.has(image.imageId)) byId.set(image.imageId, image);
    this.out([...byId.keys()].sort().flatMap((id) => imageLines(byId.get(id)!)));
  }
}
