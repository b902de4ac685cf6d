/**
 * The HMAC scheme between the cloud and its node controllers (the NC protocol contract): a request
 * carries `X-Euca-Date: <ISO time>` and `Authorization: EUCA-NC-HMAC-SHA256 <hex>` where hex is
 * HMAC-SHA256(key, method \n path \n date \n sha256hex(body)) under a 32-byte key both ends hold.
 * More than 5 minutes off, or a bad signature, is refused. The key lives in the cloud's keys
 * folder, created at first need (0600).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const NC_AUTH_SCHEME = 'EUCA-NC-HMAC-SHA256';
export const MAX_SKEW_MS = 5 * 60 * 1000;

export function ncSignature(keyHex: string, method: string, urlPath: string, date: string, body: Buffer | string = ''): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update(`${method}\n${urlPath}\n${date}\n${bodyHash}`).digest('hex');
}

/** The headers that sign a request. */
export function ncAuthHeaders(keyHex: string, method: string, urlPath: string, body: Buffer | string = '', now = new Date()): Record<string, string> {
  const date = now.toISOString();
  return { 'X-Euca-Date': date, Authorization: `${NC_AUTH_SCHEME} ${ncSignature(keyHex, method, urlPath, date, body)}` };
}

/** Why a request is refused, or undefined when it is signed with the key. Headers in lower case. */
export function verifyNcRequest(keyHex: string, method: string, urlPath: string, headers: Record<string, string>, body: Buffer | string = '', now = Date.now()): string | undefined {
  const date = headers['x-euca-date'];
  const auth = headers.authorization ?? '';
  if (!date || !auth.startsWith(`${NC_AUTH_SCHEME} `)) return 'missing X-Euca-Date or EUCA-NC-HMAC-SHA256 authorization';
  const t = Date.parse(date);
  if (Number.isNaN(t) || Math.abs(now - t) > MAX_SKEW_MS) return 'request date is more than 5 minutes off';
  const given = Buffer.from(auth.slice(NC_AUTH_SCHEME.length + 1).trim(), 'hex');
  const want = Buffer.from(ncSignature(keyHex, method, urlPath, date, body), 'hex');
  if (given.length !== want.length || !timingSafeEqual(given, want)) return 'signature does not match';
  return undefined;
}

/** The key shared with node controllers: keys/node-controller.key, hex, created at first need. */
export function loadOrCreateNodeKey(keysDir: string): string {
  const file = path.join(keysDir, 'node-controller.key');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(keysDir, { recursive: true, mode: 0o700 });
    const key = randomBytes(32).toString('hex');
    try {
      fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
    } catch {
      return fs.readFileSync(file, 'utf8').trim();
    }
    return key;
  }
}
