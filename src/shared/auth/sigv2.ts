/**
 * Signature Version 2, the scheme Eucalyptus 3 and older speak. Two forms: the Query form for
 * EC2 and IAM (HmacSHA256 over method, host, path and the sorted, RFC 3986-encoded parameters), and
 * the S3 form (`Authorization: AWS key:signature`, HMAC-SHA1 over the request's canonical string).
 * Both the client and the embedded cloud's verifier use these functions; AWS's published examples
 * and boto 2 pin them in the tests.
 */
import { createHmac } from 'node:crypto';

/** RFC 3986 encoding as AWS wants it: everything but unreserved characters is %XX. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function canonicalQueryV2(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(params[k])}`)
    .join('&');
}

export function queryStringToSignV2(
  method: string,
  host: string,
  path: string,
  params: Record<string, string>,
): string {
  return [method.toUpperCase(), host.toLowerCase(), path || '/', canonicalQueryV2(params)].join('\n');
}

export type V2Method = 'HmacSHA256' | 'HmacSHA1';

export function hmacBase64(method: V2Method, secret: string, text: string): string {
  return createHmac(method === 'HmacSHA1' ? 'sha1' : 'sha256', secret)
    .update(text, 'utf8')
    .digest('base64');
}

/** Adds the V2 authentication parameters (and the signature) to a Query request's parameters. */
export function signQueryV2(
  method: string,
  host: string,
  path: string,
  params: Record<string, string>,
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  now = new Date(),
): Record<string, string> {
  const signed: Record<string, string> = {
    ...params,
    ...(creds.sessionToken ? { SecurityToken: creds.sessionToken } : {}),
    AWSAccessKeyId: creds.accessKeyId,
    SignatureMethod: 'HmacSHA256',
    SignatureVersion: '2',
    Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  signed.Signature = hmacBase64('HmacSHA256', creds.secretAccessKey, queryStringToSignV2(method, host, path, signed));
  return signed;
}

/** S3 sub-resources that take part in the V2 canonical resource. */
const S3_SUBRESOURCES = new Set([
  'acl',
  'cors',
  'delete',
  'lifecycle',
  'location',
  'logging',
  'notification',
  'partNumber',
  'policy',
  'requestPayment',
  'restore',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'website',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
]);

/**
 * The S3 V2 string to sign. `resource` is the path as sent (already URI-encoded), `query` the
 * decoded query parameters, `date` the Date header or, for presigned URLs, the Expires value.
 */
export function s3StringToSignV2(
  method: string,
  headers: Record<string, string | undefined>,
  resource: string,
  query: Record<string, string>,
  date: string,
): string {
  const h = (name: string) => headers[name] ?? '';
  const amz = Object.keys(headers)
    .filter((k) => k.startsWith('x-amz-') && headers[k] !== undefined)
    .sort()
    .map((k) => `${k}:${String(headers[k]).trim()}`);
  const sub = Object.keys(query)
    .filter((k) => S3_SUBRESOURCES.has(k))
    .sort()
    .map((k) => (query[k] === '' ? k : `${k}=${query[k]}`));
  const canonicalResource = resource + (sub.length ? '?' + sub.join('&') : '');
  return [method.toUpperCase(), h('content-md5'), h('content-type'), date, ...amz, canonicalResource].join('\n');
}
