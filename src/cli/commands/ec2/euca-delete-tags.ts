import { Args } from '@oclif/core';
import { QueryCommand, REST } from '../../command';
import { parseTagArg, tagFlag } from '../../tag-args';

export default class DeleteTags extends QueryCommand {
  static override summary = 'Delete tags from one or more resources';
  static override description =
    'KEY deletes the tag whatever its value; KEY=VALUE only if it has that value (KEY= only if its value is empty).';
  static override strict = false;
  static override args = {
    resource: Args.string({ description: 'ID(s) of the resource(s) to un-tag', required: true }),
  };
  static override usageArgs = 'RESOURCE [RESOURCE...]';
  static override flags = { tag: tagFlag('key and optional value of the tag to delete', true) };
  static override examples = [
    '<%= command.id %> emi-EC1410C1 --tag stage',
    '<%= command.id %> sg-1A2B3C4D --tag owner=alice',
  ];
  static override action = 'DeleteTags';

  static override route = {
    [REST]: 'ResourceId',
    tag: (tags: string[]) => ({ Tag: tags.map(parseTagArg) }),
  };

  protected print() {}
}
