/**
 * S3 tags: the TagSet documents of ?tagging on buckets (up to 50 tags) and objects (up to 10),
 * and the URL-encoded `x-amz-tagging` header a PUT, a copy or a multipart upload may carry.
 * Keys are 1 to 128 characters, values up to 256, keys unique and never `aws:`-prefixed.
 */
import { ServiceError } from '../errors';
import { type XmlValue } from '../xml';
import { list, malformed, parseXmlBody, s3Answer, text } from './documents';

export interface Tag {
  key: string;
  value: string;
}

export const MAX_BUCKET_TAGS = 50;
export const MAX_OBJECT_TAGS = 10;

const invalidTag = (message: string) => new ServiceError('InvalidTag', message);

/** Validates a tag set; throws InvalidTag as S3 does, for too many tags too. */
export function checkTags(tags: Tag[], max: number): Tag[] {
  if (tags.length > max)
    throw invalidTag(
      max === MAX_OBJECT_TAGS
        ? `Object tags cannot be greater than ${max}`
        : `Bucket tag count cannot be greater than ${max}`,
    );
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    if (key.length < 1 || [...key].length > 128) throw invalidTag('The TagKey you have provided is invalid');
    if ([...value].length > 256) throw invalidTag('The TagValue you have provided is invalid');
    if (/^aws:/i.test(key)) throw invalidTag('Your TagKey cannot be prefixed with aws:');
    if (seen.has(key)) throw invalidTag('Cannot provide multiple Tags with the same key');
    seen.add(key);
  }
  return tags;
}

/** The tags of a `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>` body. */
export function parseTagging(body: Buffer, max: number): Tag[] {
  const doc = parseXmlBody(body);
  const root = doc.Tagging;
  if (!root || typeof root !== 'object' || root.TagSet === undefined) throw malformed();
  const tags = list(root.TagSet === '' ? undefined : root.TagSet.Tag).map((t) => ({
    key: text(t.Key) ?? '',
    value: text(t.Value) ?? '',
  }));
  return checkTags(tags, max);
}

/** The tags of an `x-amz-tagging: k1=v1&k2=v2` header. */
export function parseTaggingHeader(header: string | undefined): Tag[] | undefined {
  if (header === undefined) return undefined;
  const tags = [...new URLSearchParams(header)].map(([key, value]) => ({ key, value }));
  return checkTags(tags, MAX_OBJECT_TAGS);
}

export function taggingDocument(tags: Tag[]): string {
  const set: XmlValue = tags.length ? { Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) } : null;
  return s3Answer('GetBucketTagging', 'Tagging', { TagSet: set });
}
