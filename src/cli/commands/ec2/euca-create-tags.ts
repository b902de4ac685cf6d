import { Args } from '@oclif/core';
import { type ParsedOf, QueryCommand, REST } from '../../command';
import { tagLine } from '../../printers/tags';
import { parseTagArg, tagFlag } from '../../tag-args';

export default class CreateTags extends QueryCommand {
  static override tabular = false;
  static override summary = 'Add or overwrite tags for one or more resources';
  static override description =
    'Prints a TAG line per resource and tag: TAG resource-type resource-id key value. A resource takes at ' +
    'most 50 tags; only the account that owns a resource may tag it.';
  static override strict = false;
  static override args = { resource: Args.string({ description: 'ID(s) of the resource(s) to tag', required: true }) };
  static override usageArgs = 'RESOURCE [RESOURCE...]';
  static override flags = {
    tag: tagFlag('key and optional value of the tag to create, separated by "="; no value sets an empty one', true),
  };
  static override examples = [
    '<%= command.id %> emi-EC1410C1 --tag Name=fedora --tag stage=test',
    '<%= command.id %> sg-1A2B3C4D --tag owner=alice',
  ];
  static override action = 'CreateTags';

  static override route = {
    [REST]: 'ResourceId',
    tag: (tags: string[]) => ({ Tag: tags.map(parseTagArg).map((t) => ({ Key: t.Key, Value: t.Value ?? '' })) }),
  };

  protected print(_: unknown, { argv, flags }: ParsedOf<typeof CreateTags>) {
    const tags = (flags.tag as string[]).map(parseTagArg);
    this.out((argv as string[]).flatMap((id) => tags.map((t) => tagLine({ key: t.Key, value: t.Value ?? '' }, id))));
  }
}
