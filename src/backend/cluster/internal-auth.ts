/**
 * The key the cloud shares with its node controllers (keys/node-cluster.key, 64 hex digits,
 * 0600, created at first need); requests between them are signed with it by lib/nc-protocol.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED_KEY_FILE } from '../node/local';

export function loadOrCreateNodeKey(keysDir: string): string {
  const file = path.join(keysDir, SHARED_KEY_FILE);
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
