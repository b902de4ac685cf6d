/**
 * Bucket lifecycle: the LifecycleConfiguration document (up to 1000 rules, each with an ID, a
 * filter (the legacy top-level Prefix, or Filter with Prefix, Tag, ObjectSizeGreaterThan,
 * ObjectSizeLessThan and And), Enabled or Disabled, and its actions: Expiration after Days or on
 * a Date, ExpiredObjectDeleteMarker, NoncurrentVersionExpiration after NoncurrentDays (keeping
 * NewerNoncurrentVersions), AbortIncompleteMultipartUpload after DaysAfterInitiation) and when a
 * rule applies to an object, a noncurrent version, a delete marker or an upload. As S3 does, a
 * rule counts days from the object's creation to the next midnight UTC. The sweep that acts on
 * the rules is lifecycle-sweeps.ts.
 */
import type { LifecycleRuleXml } from '../../shared/wire/s3';
import { ServiceError } from '../errors';
import { list, malformed, parseXmlBody, s3Answer, text } from './documents';
import { checkTags, MAX_OBJECT_TAGS, type Tag } from './tagging';

export interface LifecycleRule {
  id: string;
  enabled: boolean;
  prefix: string;
  tags: Tag[];
  /** The rule named its prefix at the top level (the legacy form), and reads back so. */
  legacyPrefix?: boolean;
  sizeGreaterThan?: number;
  sizeLessThan?: number;
  expirationDays?: number;
  expirationDate?: string;
  /** Removes a delete marker once no version of its key is left. */
  expiredObjectDeleteMarker?: boolean;
  /** Removes a noncurrent version this many days after it became noncurrent... */
  noncurrentDays?: number;
  /** ...except the newest this many noncurrent versions of its key. */
  newerNoncurrentVersions?: number;
  abortUploadDays?: number;
}

export const MAX_LIFECYCLE_RULES = 1000;
const DAY = 24 * 3600 * 1000;

const invalid = (message: string) => new ServiceError('InvalidArgument', message);

function positiveDays(v: unknown, what: string, action = 'Expiration'): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(text(v));
  if (!Number.isInteger(n) || n <= 0) throw invalid(`'${what}' for ${action} action must be a positive integer`);
  return n;
}

function count(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(text(v));
  if (!Number.isInteger(n) || n < 0) throw invalid(`'${what}' must be a non-negative integer`);
  return n;
}

/** An ISO 8601 date at midnight GMT: a day that exists (not February 30th), as S3 checks it. */
function midnightDate(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const s = (text(v) ?? '').trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.0+)?(?:Z|[+-]00:?00))?$/.exec(s);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  const real = m && new Date(t).toISOString().slice(0, 10) === `${m[1]}-${m[2]}-${m[3]}`;
  if (!m || !real) throw invalid(`'Date' must be a valid ISO 8601 date: ${s}`);
  if ((m[4] ?? '00') !== '00' || (m[5] ?? '00') !== '00' || (m[6] ?? '00') !== '00')
    throw invalid("'Date' must be at midnight GMT");
  return new Date(t).toISOString();
}

function filterOf(
  r: Record<string, any>,
): Pick<LifecycleRule, 'prefix' | 'tags' | 'legacyPrefix' | 'sizeGreaterThan' | 'sizeLessThan'> {
  if (r.Filter === undefined) return { prefix: text(r.Prefix) ?? '', tags: [], legacyPrefix: true };
  if (r.Prefix !== undefined) throw malformed();
  const f = r.Filter === '' ? {} : r.Filter;
  const scope = f.And ?? f;
  const tags = list(scope.Tag).map((t) => ({ key: text(t.Key) ?? '', value: text(t.Value) ?? '' }));
  const greater = count(scope.ObjectSizeGreaterThan, 'ObjectSizeGreaterThan');
  const less = count(scope.ObjectSizeLessThan, 'ObjectSizeLessThan');
  if (greater !== undefined && less !== undefined && less <= greater)
    throw invalid('ObjectSizeLessThan must be greater than ObjectSizeGreaterThan');
  return {
    prefix: text(scope.Prefix) ?? '',
    tags: checkTags(tags, MAX_OBJECT_TAGS),
    sizeGreaterThan: greater,
    sizeLessThan: less,
  };
}

export function parseLifecycle(body: Buffer): LifecycleRule[] {
  const root = parseXmlBody(body).LifecycleConfiguration;
  if (!root || typeof root !== 'object') throw malformed();
  const ids = new Set<string>();
  const rules = list(root.Rule).map((r, i): LifecycleRule => {
    const status = text(r.Status);
    if (status !== 'Enabled' && status !== 'Disabled') throw malformed();
    const id = text(r.ID) || `rule-${i + 1}`;
    if (id.length > 255) throw invalid('ID length should not exceed allowed limit of 255');
    if (ids.has(id)) throw invalid('Rule ID must be unique. Found same ID for more than one rule');
    ids.add(id);
    const exp = r.Expiration;
    const noncurrent = r.NoncurrentVersionExpiration;
    const marker = exp ? text(exp.ExpiredObjectDeleteMarker) : undefined;
    if (marker !== undefined && marker !== 'true' && marker !== 'false') throw malformed();
    if (r.Transition !== undefined || r.NoncurrentVersionTransition !== undefined)
      throw new ServiceError('NotImplemented', 'Lifecycle transitions (storage classes) are not implemented', 501);
    const rule: LifecycleRule = {
      id,
      enabled: status === 'Enabled',
      ...filterOf(r),
      expirationDays: exp ? positiveDays(exp.Days, 'Days') : undefined,
      expirationDate: exp ? midnightDate(exp.Date) : undefined,
      expiredObjectDeleteMarker: marker === 'true' ? true : undefined,
      noncurrentDays: noncurrent
        ? positiveDays(noncurrent.NoncurrentDays, 'NoncurrentDays', 'NoncurrentVersionExpiration')
        : undefined,
      newerNoncurrentVersions: noncurrent
        ? count(noncurrent.NewerNoncurrentVersions, 'NewerNoncurrentVersions')
        : undefined,
      abortUploadDays: r.AbortIncompleteMultipartUpload
        ? positiveDays(r.AbortIncompleteMultipartUpload.DaysAfterInitiation, 'DaysAfterInitiation')
        : undefined,
    };
    if (rule.expirationDays !== undefined && rule.expirationDate !== undefined) throw malformed();
    if (marker !== undefined && (rule.expirationDays !== undefined || rule.expirationDate !== undefined))
      throw invalid('ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy');
    if (exp && rule.expirationDays === undefined && rule.expirationDate === undefined && marker === undefined)
      throw malformed();
    if (noncurrent && rule.noncurrentDays === undefined) throw malformed();
    const acts = [
      rule.expirationDays,
      rule.expirationDate,
      rule.expiredObjectDeleteMarker,
      rule.noncurrentDays,
      rule.abortUploadDays,
    ];
    if (acts.every((a) => a === undefined)) throw invalid('At least one action needs to be specified in a rule');
    if (rule.expiredObjectDeleteMarker && rule.tags.length)
      throw invalid('ExpiredObjectDeleteMarker cannot be specified with object tags.');
    if (rule.abortUploadDays !== undefined && rule.tags.length)
      throw invalid('AbortIncompleteMultipartUpload cannot be specified with Tags.');
    return rule;
  });
  if (rules.length === 0 || rules.length > MAX_LIFECYCLE_RULES) throw malformed();
  return rules;
}

export function lifecycleDocument(rules: LifecycleRule[]): string {
  const rule = (r: LifecycleRule): LifecycleRuleXml => {
    const tags = r.tags.map((t) => ({ Key: t.key, Value: t.value }));
    const sizes = { ObjectSizeGreaterThan: r.sizeGreaterThan, ObjectSizeLessThan: r.sizeLessThan };
    const parts = [
      r.prefix ? 1 : 0,
      tags.length,
      r.sizeGreaterThan !== undefined ? 1 : 0,
      r.sizeLessThan !== undefined ? 1 : 0,
    ];
    const filter =
      parts.reduce((a, b) => a + b, 0) > 1
        ? { And: { Prefix: r.prefix || undefined, Tag: tags.length ? tags : undefined, ...sizes } }
        : tags.length
          ? { Tag: tags[0] }
          : r.sizeGreaterThan !== undefined || r.sizeLessThan !== undefined
            ? sizes
            : { Prefix: r.prefix };
    return {
      ID: r.id,
      ...(r.legacyPrefix ? { Prefix: r.prefix } : { Filter: filter }),
      Status: r.enabled ? 'Enabled' : 'Disabled',
      Expiration:
        r.expirationDays !== undefined
          ? { Days: r.expirationDays }
          : r.expirationDate
            ? { Date: r.expirationDate }
            : r.expiredObjectDeleteMarker
              ? { ExpiredObjectDeleteMarker: true }
              : undefined,
      NoncurrentVersionExpiration:
        r.noncurrentDays !== undefined
          ? { NoncurrentDays: r.noncurrentDays, NewerNoncurrentVersions: r.newerNoncurrentVersions }
          : undefined,
      AbortIncompleteMultipartUpload:
        r.abortUploadDays !== undefined ? { DaysAfterInitiation: r.abortUploadDays } : undefined,
    };
  };
  return s3Answer('GetBucketLifecycleConfiguration', 'LifecycleConfiguration', { Rule: rules.map(rule) });
}

/** The first midnight UTC at least `days` days after `since`. */
function afterDays(since: string, days: number): number {
  return Math.ceil((Date.parse(since) + days * DAY) / DAY) * DAY;
}

/** Whether a rule expires an object (key, tags, creation time) at `now`. */
/** Whether a rule's filter takes an object (its key, tags and size). */
export function filters(rule: LifecycleRule, o: { key: string; tags?: Tag[]; size?: number }): boolean {
  if (!rule.enabled || !o.key.startsWith(rule.prefix)) return false;
  if (!rule.tags.every((t) => o.tags?.some((x) => x.key === t.key && x.value === t.value))) return false;
  if (rule.sizeGreaterThan !== undefined && !((o.size ?? 0) > rule.sizeGreaterThan)) return false;
  if (rule.sizeLessThan !== undefined && !((o.size ?? 0) < rule.sizeLessThan)) return false;
  return true;
}

/** Whether a rule expires a version that became noncurrent at `since`, being the `newer`-th newest noncurrent one. */
export function expiresNoncurrent(
  rule: LifecycleRule,
  v: { key: string; tags?: Tag[]; size?: number },
  since: string,
  newer: number,
  now: number,
): boolean {
  if (rule.noncurrentDays === undefined || !filters(rule, v)) return false;
  if (rule.newerNoncurrentVersions !== undefined && newer < rule.newerNoncurrentVersions) return false;
  return afterDays(since, rule.noncurrentDays) <= now;
}

export function expires(
  rule: LifecycleRule,
  o: { key: string; tags?: Tag[]; lastModified: string; size?: number },
  now: number,
): boolean {
  if (!filters(rule, o)) return false;
  if (rule.expirationDate !== undefined) return Date.parse(rule.expirationDate) <= now;
  return rule.expirationDays !== undefined && afterDays(o.lastModified, rule.expirationDays) <= now;
}

/** Whether a rule aborts a multipart upload (key, initiation time) at `now`. */
export function abortsUpload(rule: LifecycleRule, u: { key: string; initiated: string }, now: number): boolean {
  return (
    rule.enabled &&
    rule.abortUploadDays !== undefined &&
    u.key.startsWith(rule.prefix) &&
    afterDays(u.initiated, rule.abortUploadDays) <= now
  );
}
