/**
 * Bucket lifecycle: the LifecycleConfiguration document (up to 1000 rules, each with an ID, a
 * prefix or tag filter, Enabled or Disabled, and its actions: Expiration after Days or on a Date,
 * AbortIncompleteMultipartUpload after DaysAfterInitiation) and when a rule applies to an object
 * or an upload. As S3 does, a rule counts days from the object's creation to the next midnight
 * UTC. The sweep that acts on the rules is lifecycle-sweeps.ts.
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
  expirationDays?: number;
  expirationDate?: string;
  abortUploadDays?: number;
}

export const MAX_LIFECYCLE_RULES = 1000;
const DAY = 24 * 3600 * 1000;

const invalid = (message: string) => new ServiceError('InvalidArgument', message);

function positiveDays(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(text(v));
  if (!Number.isInteger(n) || n <= 0) throw invalid(`'${what}' for Expiration action must be a positive integer`);
  return n;
}

function midnightDate(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const s = (text(v) ?? '').trim();
  const t = Date.parse(s);
  if (Number.isNaN(t) || t % DAY !== 0) throw invalid("'Date' must be at midnight GMT");
  return new Date(t).toISOString();
}

function filterOf(r: Record<string, any>): { prefix: string; tags: Tag[] } {
  if (r.Filter === undefined) return { prefix: text(r.Prefix) ?? '', tags: [] };
  const f = r.Filter === '' ? {} : r.Filter;
  const scope = f.And ?? f;
  const tags = list(scope.Tag).map((t) => ({ key: text(t.Key) ?? '', value: text(t.Value) ?? '' }));
  return { prefix: text(scope.Prefix) ?? '', tags: checkTags(tags, MAX_OBJECT_TAGS) };
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
    const rule: LifecycleRule = {
      id,
      enabled: status === 'Enabled',
      ...filterOf(r),
      expirationDays: exp ? positiveDays(exp.Days, 'Days') : undefined,
      expirationDate: exp ? midnightDate(exp.Date) : undefined,
      abortUploadDays: r.AbortIncompleteMultipartUpload
        ? positiveDays(r.AbortIncompleteMultipartUpload.DaysAfterInitiation, 'DaysAfterInitiation')
        : undefined,
    };
    if (rule.expirationDays !== undefined && rule.expirationDate !== undefined) throw malformed();
    if (exp && rule.expirationDays === undefined && rule.expirationDate === undefined) throw malformed();
    if (rule.expirationDays === undefined && rule.expirationDate === undefined && rule.abortUploadDays === undefined) {
      throw invalid('At least one action needs to be specified in a rule');
    }
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
    const filter = tags.length
      ? r.prefix || tags.length > 1
        ? { And: { Prefix: r.prefix || undefined, Tag: tags } }
        : { Tag: tags[0] }
      : { Prefix: r.prefix };
    return {
      ID: r.id,
      Filter: filter,
      Status: r.enabled ? 'Enabled' : 'Disabled',
      Expiration:
        r.expirationDays !== undefined
          ? { Days: r.expirationDays }
          : r.expirationDate
            ? { Date: r.expirationDate }
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
export function expires(
  rule: LifecycleRule,
  o: { key: string; tags?: Tag[]; lastModified: string },
  now: number,
): boolean {
  if (!rule.enabled || !o.key.startsWith(rule.prefix)) return false;
  if (!rule.tags.every((t) => o.tags?.some((x) => x.key === t.key && x.value === t.value))) return false;
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
