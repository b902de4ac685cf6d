/**
 * Tags: CreateTags (overwriting existing keys, at most 50 tags per resource, as EC2), DeleteTags
 * (by key, or key and value, or all of a resource's tags) and DescribeTags with its filters. A
 * resource may be tagged only by the account that owns it (ResourceOwners says who that is).
 */
import { invalidParameter, ServiceError } from '../../errors';
import { applyFilters, type Filter, pageOf } from '../../query-params';
import type { Principal } from '../../store/types';
import { type ResourceOwners, resourceType } from '../resources';
import type { Tag, TagStore } from './store';

export const MAX_TAGS_PER_RESOURCE = 50;

export interface TagInput {
  key: string;
  value?: string;
}

function checkTag(t: TagInput): void {
  if (!t.key) throw new ServiceError('MissingParameter', 'Every tag needs a Key');
  if (t.key.length > 127) throw invalidParameter('Tag.Key', t.key, 'A tag key is at most 127 characters.');
  if (/^aws:/i.test(t.key)) throw invalidParameter('Tag.Key', t.key, 'Tag keys starting with "aws:" are reserved.');
  if ((t.value ?? '').length > 255)
    throw invalidParameter('Tag.Value', t.value!, 'A tag value is at most 255 characters.');
}

/** A create action's TagSpecifications, as its model reads them. */
export interface TagSpecification {
  ResourceType?: string;
  Tags?: { Key?: string; Value?: string }[];
}

export interface TagServiceDeps {
  tags: TagStore;
  owners: ResourceOwners;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

export class TagService {
  constructor(private readonly d: TagServiceDeps) {}

  async create(p: Principal, resourceIds: string[], tags: TagInput[]): Promise<void> {
    await this.owned(p, resourceIds);
    if (!tags.length) throw new ServiceError('MissingParameter', 'The request must contain the parameter Tag.1.Key');
    tags.forEach(checkTag);
    const me = p.account.id;
    await this.d.transaction(async () => {
      for (const id of resourceIds) {
        for (const t of tags)
          await this.d.tags.set(me, {
            resourceId: id,
            resourceType: resourceType(id)!,
            key: t.key,
            value: t.value ?? '',
          });
        if ((await this.d.tags.count(me, id)) > MAX_TAGS_PER_RESOURCE) {
          throw new ServiceError(
            'TagLimitExceeded',
            `The maximum number of tags per resource (${MAX_TAGS_PER_RESOURCE}) would be exceeded for ${id}`,
          );
        }
      }
    });
  }

  /**
   * The tags a create action's TagSpecifications ask for, by resource type, checked before
   * anything is made (a refused request makes nothing): only the types the action creates and this
   * cloud tags, each tag as CreateTags checks it, at most 50 and each key once.
   */
  specified(specs: TagSpecification[] | undefined, types: string[]): Map<string, TagInput[]> {
    const out = new Map<string, TagInput[]>();
    for (const spec of specs ?? []) {
      const type = spec.ResourceType ?? '';
      if (!types.includes(type))
        throw invalidParameter('TagSpecification.ResourceType', type, `This action tags ${types.join(', ')} only.`);
      const tags = [...(out.get(type) ?? []), ...(spec.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value }))];
      tags.forEach(checkTag);
      if (new Set(tags.map((t) => t.key)).size !== tags.length)
        throw invalidParameter('TagSpecification.Tag.Key', type, 'A tag key is given twice.');
      if (tags.length > MAX_TAGS_PER_RESOURCE)
        throw new ServiceError('TagLimitExceeded', `At most ${MAX_TAGS_PER_RESOURCE} tags per resource`);
      out.set(type, tags);
    }
    return out;
  }

  /** Tags what a create action made, as its checked TagSpecifications asked. */
  async tagCreated(p: Principal, resourceIds: string[], tags: TagInput[] | undefined): Promise<void> {
    if (tags?.length && resourceIds.length) await this.create(p, resourceIds, tags);
  }

  /** Removes the tags named (by key, or key and value), or every tag of the resources. */
  async delete(p: Principal, resourceIds: string[], tags: TagInput[]): Promise<void> {
    await this.owned(p, resourceIds);
    const me = p.account.id;
    await this.d.transaction(async () => {
      for (const id of resourceIds) {
        if (!tags.length) await this.d.tags.removeAllOf(me, id);
        for (const t of tags) await this.d.tags.remove(me, id, t.key, t.value);
      }
    });
  }

  /** DescribeTags: a page of the account's tags (MaxResults 5 to 1000, as EC2 pages them). */
  async describe(
    p: Principal,
    filters: Filter[],
    page: { maxResults?: number; nextToken?: string } = {},
  ): Promise<{ tags: Tag[]; nextToken?: string }> {
    const found = applyFilters(await this.d.tags.list(p.account.id), filters, {
      key: (t) => t.key,
      value: (t) => t.value,
      'resource-id': (t) => t.resourceId,
      'resource-type': (t) => t.resourceType,
    });
    const { items, nextToken } = pageOf(found, page);
    return { tags: items, nextToken };
  }

  /** Each resource's tags, for a describe of those resources. */
  async of(p: Principal, resourceIds: string[]): Promise<Map<string, Tag[]>> {
    return this.d.tags.forResources(p.account.id, resourceIds);
  }

  private async owned(p: Principal, ids: string[]): Promise<void> {
    if (!ids.length) throw new ServiceError('MissingParameter', 'The request must contain the parameter ResourceId.1');
    for (const id of ids) await this.d.owners.requireOwned(p, id);
  }
}
