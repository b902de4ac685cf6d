/** The EC2 tag actions on the wire; the rules are the tag service's (service.ts). */
import type { Ec2Operations, Tag } from '../../../shared/wire/ec2';
import { filtersOf } from '../../query-params';
import type { Actions } from '../../query-service';
import type { TagInput, TagService } from './service';

const tagInputs = (tags: Tag[] | undefined): TagInput[] =>
  (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value }));

/** The actions, given the service they call. */
export function tagActions(tags: TagService): Actions<Ec2Operations, 'CreateTags' | 'DeleteTags' | 'DescribeTags'> {
  return {
    CreateTags: async ({ principal, input }) => {
      await tags.create(principal, input.Resources ?? [], tagInputs(input.Tags));
      return { return: true };
    },
    DeleteTags: async ({ principal, input }) => {
      await tags.delete(principal, input.Resources ?? [], tagInputs(input.Tags));
      return { return: true };
    },
    DescribeTags: async ({ principal, input }) => {
      const { tags: found, nextToken } = await tags.describe(principal, filtersOf(input.Filters), {
        maxResults: input.MaxResults,
        nextToken: input.NextToken || undefined,
      });
      return {
        nextToken,
        tagSet: found.map((t) => ({
          resourceId: t.resourceId,
          resourceType: t.resourceType,
          key: t.key,
          value: t.value,
        })),
      };
    },
  };
}
