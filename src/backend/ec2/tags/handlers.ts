/**
 * The EC2 tag actions: CreateTags (overwriting existing keys, at most 50 tags per resource, as
 * EC2), DeleteTags (by key, or key and value, or all of a resource's tags) and DescribeTags with
 * its filters. A resource may be tagged only by the account that owns it; the resource registry
 * says who that is for every kind of resource.
 */
import { type RequestContext } from '../../context';
import { invalidParameter, ServiceError } from '../../errors';
import { applyFilters, filtersParam, listParam } from '../../query-params';
import { requireOwnedResource, resourceType } from '../resources';

export const MAX_TAGS_PER_RESOURCE = 50;

interface TagParam {
  key: string;
  value?: string;
}

function tagParams(params: Record<string, string>): TagParam[] {
  const byIndex = new Map<number, TagParam>();
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

function checkTag(t: TagParam): void {
  if (!t.key) throw new ServiceError('MissingParameter', 'Every tag needs a Key');
  if (t.key.length > 127) throw invalidParameter('Tag.Key', t.key, 'A tag key is at most 127 characters.');
  if (/^aws:/i.test(t.key)) throw invalidParameter('Tag.Key', t.key, 'Tag keys starting with "aws:" are reserved.');
  if ((t.value ?? '').length > 255)
    throw invalidParameter('Tag.Value', t.value!, 'A tag value is at most 255 characters.');
}

function ownedResources(ctx: RequestContext): string[] {
  const ids = listParam(ctx.params, 'ResourceId');
  if (!ids.length) throw new ServiceError('MissingParameter', 'The request must contain the parameter ResourceId.1');
  for (const id of ids) requireOwnedResource(ctx, id);
  return ids;
}

export function createTags(ctx: RequestContext) {
  const me = ctx.principal.account.id;
  const ids = ownedResources(ctx);
  const tags = tagParams(ctx.params);
  if (!tags.length) throw new ServiceError('MissingParameter', 'The request must contain the parameter Tag.1.Key');
  tags.forEach(checkTag);
  ctx.cloud.store.transaction(() => {
    for (const id of ids) {
      for (const t of tags)
        ctx.cloud.tags.set(me, { resourceId: id, resourceType: resourceType(id)!, key: t.key, value: t.value ?? '' });
      if (ctx.cloud.tags.count(me, id) > MAX_TAGS_PER_RESOURCE) {
        throw new ServiceError(
          'TagLimitExceeded',
          `The maximum number of tags per resource (${MAX_TAGS_PER_RESOURCE}) would be exceeded for ${id}`,
        );
      }
    }
  });
  return { return: true };
}

export function deleteTags(ctx: RequestContext) {
  const me = ctx.principal.account.id;
  const ids = ownedResources(ctx);
  const tags = tagParams(ctx.params);
  ctx.cloud.store.transaction(() => {
    for (const id of ids) {
      if (!tags.length) ctx.cloud.tags.removeAllOf(me, id);
      for (const t of tags) ctx.cloud.tags.remove(me, id, t.key, t.value);
    }
  });
  return { return: true };
}

export function describeTags(ctx: RequestContext) {
  const tags = applyFilters(ctx.cloud.tags.list(ctx.principal.account.id), filtersParam(ctx.params), {
    key: (t) => t.key,
    value: (t) => t.value,
    'resource-id': (t) => t.resourceId,
    'resource-type': (t) => t.resourceType,
  });
  return {
    tagSet: tags.map((t) => ({ resourceId: t.resourceId, resourceType: t.resourceType, key: t.key, value: t.value })),
  };
}
