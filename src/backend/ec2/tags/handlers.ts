/** The EC2 tag actions on the wire; the rules are the tag service's (service.ts). */
import { type QueryCall } from '../../query-service';
import { filtersParam, listParam } from '../../query-params';
import { type TagInput } from './service';
import type { TagService } from './service';

/** Tag.N.Key / Tag.N.Value, in the order of N. */
function tagParams(params: Record<string, string>): TagInput[] {
  const byIndex = new Map<number, TagInput>();
  for (const [k, v] of Object.entries(params)) {
    const m = /^Tag\.(\d+)\.(Key|Value)$/.exec(k);
    if (!m) continue;
    const t = byIndex.get(+m[1]) ?? { key: '' };
    if (m[2] === 'Key') t.key = v;
    else t.value = v;
    byIndex.set(+m[1], t);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t);
}

/** The actions, given the service they call. */
export function tagActions(tagService: TagService) {
  return {
    CreateTags: (ctx: QueryCall) => {
      tagService.create(ctx.principal, listParam(ctx.params, 'ResourceId'), tagParams(ctx.params));
      return { return: true };
    },
    DeleteTags: (ctx: QueryCall) => {
      tagService.delete(ctx.principal, listParam(ctx.params, 'ResourceId'), tagParams(ctx.params));
      return { return: true };
    },
    DescribeTags: (ctx: QueryCall) => {
      const tags = tagService.describe(ctx.principal, filtersParam(ctx.params));
      return {
        tagSet: tags.map((t) => ({
          resourceId: t.resourceId,
          resourceType: t.resourceType,
          key: t.key,
          value: t.value,
        })),
      };
    },
  };
}
