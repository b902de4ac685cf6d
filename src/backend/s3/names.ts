/**
 * What may name a bucket or an object. Buckets: S3's DNS-compatible rules (3-63 characters of
 * lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit, not an
 * IP address), plus the names older Eucalyptus clouds accepted ("extended" naming: up to 255
 * characters, upper case and underscores too). Keys: any UTF-8 up to 1024 bytes; they are data,
 * never paths. And how both come out of a request's raw path.
 */
import { ServiceError } from '../errors';

export const MAX_KEY_BYTES = 1024;

const DNS_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const EXTENDED_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;
const IP_LIKE = /^\d+\.\d+\.\d+\.\d+$/;

export function validBucketName(name: string): boolean {
  if (IP_LIKE.test(name) || name.includes('..')) return false;
  return DNS_NAME.test(name) || EXTENDED_NAME.test(name);
}

export function checkBucketName(name: string): void {
  if (!validBucketName(name)) throw new ServiceError('InvalidBucketName', 'The specified bucket is not valid.');
}

export function checkKey(key: string): void {
  if (!key) throw new ServiceError('InvalidArgument', 'An object key must not be empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new ServiceError('KeyTooLongError', 'Your key is too long');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Percent-decodes a path segment into UTF-8 text; '+' stays a plus, as S3 paths have it. */
export function decodePathText(raw: string): string {
  if (!/[%\u0080-\uffff]/.test(raw)) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x100) {
      // Node hands raw (unencoded) bytes of the request line over as latin1 characters.
      bytes.push(c);
    } else {
      bytes.push(...Buffer.from(raw[i], 'utf8'));
    }
  }
  try {
    return strictUtf8.decode(Buffer.from(bytes));
  } catch {
    throw new ServiceError('InvalidURI', "Couldn't parse the specified URI.");
  }
}

/** Splits a path below the service ('/', '/bucket', '/bucket/', '/bucket/key/with/slashes'). */
export function splitResource(resourcePath: string): { bucket?: string; key?: string } {
  const rest = resourcePath.replace(/^\//, '');
  if (!rest) return {};
  const slash = rest.indexOf('/');
  const bucket = decodePathText(slash < 0 ? rest : rest.slice(0, slash));
  const key = slash < 0 ? '' : decodePathText(rest.slice(slash + 1));
  return { bucket, key: key === '' ? undefined : key };
}
