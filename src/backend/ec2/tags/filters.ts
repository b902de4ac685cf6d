/**
 * The tag filters every Describe action takes: tag-key, tag-value and tag:KEY (glob values, as
 * every EC2 filter), as extra fields for applyFilters over records that carry their tags.
 */
import { type Filter } from '../../query-params';
import { type Tag } from './store';

export function tagFilterFields<T>(filters: Filter[], tagsOf: (r: T) => Tag[]): Record<string, (r: T) => string[]> {
  const fields: Record<string, (r: T) => string[]> = {
    'tag-key': (r) => tagsOf(r).map((t) => t.key),
    'tag-value': (r) => tagsOf(r).map((t) => t.value),
  };
  for (const f of filters) {
    if (!f.name.startsWith('tag:')) continue;
    const key = f.name.slice(4);
    fields[f.name] = (r) =>
      tagsOf(r)
        .filter((t) => t.key === key)
        .map((t) => t.value);
  }
  return fields;
}

/** A resource's tagSet as EC2 renders it. */
export const tagSet = (tags: Tag[] | undefined) => (tags ?? []).map((t) => ({ key: t.key, value: t.value }));
