/**
 * Signature Version 4 computed from a request as the server received it: canonical request,
 * string to sign, signing key and signature. Held to AWS's published SigV4 test suite.
 */
import { createHash, createHmac } from 'node:crypto';
import { rfc3986 } from '../../shared/auth/sigv2';

export interface V4Request {
  method: string;
  /** The path as it came on the wire (still percent-encoded). */
  rawPath: string;
  /** Decoded query parameters, in arrival order. */
  query: [string, string][];
  /** Header values by lower-case name; repeated headers already joined with ','. */
  headers: Record<string, string>;
  payloadHash: string;
  /** S3 encodes the path once and does not normalize it; every other service does both. */
  s3: boolean;
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * The bytes a text made of request headers stands for: Node hands a header's bytes over one per
 * character (latin1), so a value sent as UTF-8 (a non-ASCII x-amz-meta-*) is signed as those
 * bytes. A text with a character above 0xFF did not come from the wire: its UTF-8.
 */
export const wireBytes = (text: string): Buffer => Buffer.from(text, /[^\x00-\xff]/.test(text) ? 'utf8' : 'latin1');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function canonicalUri(rawPath: string, s3: boolean): string {
  if (!rawPath || rawPath === '/') return '/';
  if (s3)
    return rawPath
      .split('/')
      .map((seg) => rfc3986(safeDecode(seg)))
      .join('/');
  const out: string[] = [];
  const segments = rawPath.split('/');
  for (const seg of segments) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(rfc3986(seg));
  }
  const trailing = rawPath.endsWith('/') && out.length ? '/' : '';
  return '/' + out.join('/') + trailing;
}

export function canonicalQuery(query: [string, string][], exclude?: string): string {
  return query
    .filter(([k]) => k !== exclude)
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function canonicalRequest(req: V4Request, signedHeaders: string[], excludeQuery?: string): string {
  const headerLines = signedHeaders.map((h) => `${h}:${(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}`);
  return [
    req.method,
    canonicalUri(req.rawPath, req.s3),
    canonicalQuery(req.query, excludeQuery),
    headerLines.join('\n') + '\n',
    signedHeaders.join(';'),
    req.payloadHash,
  ].join('\n');
}

export function stringToSign(amzDate: string, scope: string, creq: string): string {
  return ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(wireBytes(creq))].join('\n');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac('AWS4' + secret, date), region), service), 'aws4_request');
}

export function signature(secret: string, scope: string, amzDate: string, creq: string): string {
  const [date, region, service] = scope.split('/');
  return createHmac('sha256', signingKey(secret, date, region, service))
    .update(stringToSign(amzDate, scope, creq), 'utf8')
    .digest('hex');
}
