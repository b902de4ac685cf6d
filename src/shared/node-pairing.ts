/**
 * Handing a node controller its cluster's key without ssh. A node that has no key makes a
 * one-time pairing token at its first start and prints it (and keeps it in its keys folder,
 * 0600, until used). The administrator gives that token to `euca_conf --addnode` (or types it at
 * its prompt), which sends the cluster key sealed with it: AES-256-GCM under a key derived from
 * the token by scrypt. Only a node that knows the token can open it; the node keeps the key and
 * forgets the token, so a token pairs once.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomInt, scryptSync } from 'node:crypto';

export const PAIR_ACTION = 'Pair';
/** The pairing token's file, beside where the key will be. */
export const PAIRING_TOKEN_FILE = 'pairing-token';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A token easy to read out and type: four groups of five, no 0/O or 1/I. */
export function newPairingToken(): string {
  const groups = Array.from({ length: 4 }, () =>
    Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
  );
  return groups.join('-');
}

/** The token as typed: case and separators do not matter. */
export const normalizeToken = (token: string) => token.toUpperCase().replace(/[^A-Z0-9]/g, '');

export interface SealedKey {
  salt: string;
  iv: string;
  data: string;
  tag: string;
}

const derive = (token: string, salt: Buffer) => scryptSync(normalizeToken(token), salt, 32, { N: 16384, r: 8, p: 1 });

export function sealKey(token: string, key: string): SealedKey {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(token, salt), iv);
  const data = Buffer.concat([cipher.update(key, 'utf8'), cipher.final()]);
  return {
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    data: data.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/** The key, or an error when the token is not the one it was sealed with. */
export function openKey(token: string, sealed: SealedKey): string {
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      derive(token, Buffer.from(sealed.salt, 'base64')),
      Buffer.from(sealed.iv, 'base64'),
    );
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('the pairing token does not match');
  }
}
