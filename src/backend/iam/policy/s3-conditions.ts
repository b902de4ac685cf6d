/**
 * The condition keys an S3 request brings to policies, as S3 defines them: from its query
 * (s3:prefix, s3:delimiter, s3:max-keys, s3:VersionId), its headers (s3:x-amz-acl, the
 * s3:x-amz-grant-*, s3:x-amz-copy-source, encryption, metadata directive, storage class, the
 * s3:object-lock-* ones, s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys from
 * x-amz-tagging, aws:Referer, aws:UserAgent) and how it was signed (s3:signatureversion,
 * s3:authType). s3:ExistingObjectTag/<key> needs the object itself: the caller adds those.
 */
import type { S3Request } from './actions';

/** Headers whose value is the condition key of the same name under s3:. */
const HEADER_KEYS = [
  'x-amz-acl',
  'x-amz-grant-read',
  'x-amz-grant-write',
  'x-amz-grant-read-acp',
  'x-amz-grant-write-acp',
  'x-amz-grant-full-control',
  'x-amz-copy-source',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-metadata-directive',
  'x-amz-storage-class',
  'x-amz-content-sha256',
  'x-amz-website-redirect-location',
];

/** The x-amz-object-lock-* headers and their keys. */
const LOCK_KEYS: [string, string][] = [
  ['x-amz-object-lock-mode', 's3:object-lock-mode'],
  ['x-amz-object-lock-retain-until-date', 's3:object-lock-retain-until-date'],
  ['x-amz-object-lock-legal-hold', 's3:object-lock-legal-hold'],
];

export function s3ConditionKeys(req: S3Request, now = Date.now()): Record<string, string | string[]> {
  const h = req.headers ?? {};
  const q = req.query ?? {};
  const keys: Record<string, string | string[]> = {};
  for (const name of HEADER_KEYS) if (h[name] !== undefined) keys[`s3:${name}`] = h[name];
  for (const [name, key] of LOCK_KEYS) if (h[name] !== undefined) keys[key] = h[name];
  const until = Date.parse(h['x-amz-object-lock-retain-until-date'] ?? '');
  if (!Number.isNaN(until)) keys['s3:object-lock-remaining-retention-days'] = String(Math.ceil((until - now) / 864e5));
  const [bucket, key] = splitPath(req);
  // A listing names its prefix, delimiter and page size; a listing without a prefix lists from "".
  if (bucket && key === undefined && req.method.toUpperCase() === 'GET') {
    keys['s3:prefix'] = q.prefix ?? '';
    if (q.delimiter !== undefined) keys['s3:delimiter'] = q.delimiter;
    if (q['max-keys'] !== undefined) keys['s3:max-keys'] = q['max-keys'];
  }
  if (q.versionId !== undefined) keys['s3:VersionId'] = q.versionId;
  if (h['x-amz-tagging'] !== undefined) {
    const tags = [...new URLSearchParams(h['x-amz-tagging'])];
    for (const [k, v] of tags) keys[`s3:RequestObjectTag/${k}`] = v;
    keys['s3:RequestObjectTagKeys'] = tags.map(([k]) => k);
  }
  if (h.referer !== undefined) keys['aws:Referer'] = h.referer;
  if (h['user-agent'] !== undefined) keys['aws:UserAgent'] = h['user-agent'];
  const auth = h.authorization ?? '';
  if (auth.startsWith('AWS4-') || q['X-Amz-Algorithm'] !== undefined) keys['s3:signatureversion'] = 'AWS4-HMAC-SHA256';
  else if (auth.startsWith('AWS ') || q.Signature !== undefined) keys['s3:signatureversion'] = 'AWS';
  if (req.authType) keys['s3:authType'] = req.authType;
  else if (auth) keys['s3:authType'] = 'REST-HEADER';
  else if (q['X-Amz-Signature'] !== undefined || q.Signature !== undefined) keys['s3:authType'] = 'REST-QUERY-STRING';
  return keys;
}

/** The bucket and key a request names. */
export function splitPath(req: S3Request): [string | undefined, string | undefined] {
  const path = req.path.replace(/^\//, '');
  if (req.bucket) return [req.bucket, path === '' ? undefined : path];
  const slash = path.indexOf('/');
  if (slash < 0) return [path || undefined, undefined];
  return [path.slice(0, slash), path.slice(slash + 1) || undefined];
}
