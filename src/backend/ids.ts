/**
 * Identifiers in Eucalyptus' forms: resource IDs are a prefix and 8 uppercase hex digits
 * (emi-EC1410C1), account IDs 12 digits, access key IDs 20 uppercase characters, secret keys 40.
 */
import { randomBytes, randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function pick(alphabet: string, n: number): string {
  let s = '';
  for (const b of randomBytes(n)) s += alphabet[b % alphabet.length];
  return s;
}

export function resourceId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex').toUpperCase()}`;
}

/**
 * A well-formed ID of these prefixes (`i`, `e[mkr]i`, ...): Eucalyptus' 8 hex digits or EC2's long
 * form of 17 (i-0123456789abcdef0), which SDK users send. A well-formed ID this cloud never made
 * is NotFound, not Malformed.
 */
export function idPattern(prefixes: string): RegExp {
  return new RegExp(`^(?:${prefixes})-(?:[0-9a-f]{8}|[0-9a-f]{17})$`, 'i');
}

export function accountId(): string {
  return String(randomInt(1, 10)) + Array.from({ length: 11 }, () => randomInt(0, 10)).join('');
}

export const accessKeyId = () => 'AKI' + pick(ALNUM, 17);
export const secretAccessKey = () => pick(SECRET, 40);
export const userId = () => 'AID' + pick(ALNUM, 18);
export const groupId = () => 'AGP' + pick(ALNUM, 18);
export const certificateId = () => pick(ALNUM, 32);
export const requestId = () => {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
