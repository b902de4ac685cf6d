/**
 * What a Windows instance does at its first boot that the node must stand in for: generate the
 * Administrator password and encrypt it with the instance's keypair public key (RSA, PKCS#1 v1.5,
 * base64), printed in the console log between <Password> tags as EC2's Windows instances print
 * it, which is where GetPasswordData reads it from. Keys come as OpenSSH `ssh-rsa` lines (what
 * keypairs store) or PEM.
 */
import * as crypto from 'node:crypto';

const PASSWORD_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#$%&*()-=+?';

export function generateAdminPassword(length = 16): string {
  const bytes = crypto.randomBytes(length);
  return Array.from(bytes, (b) => PASSWORD_CHARS[b % PASSWORD_CHARS.length]).join('');
}

/** An RSA public key from an OpenSSH `ssh-rsa AAAA... comment` line or a PEM block. */
export function rsaPublicKey(text: string): crypto.KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return crypto.createPublicKey(trimmed);
  const m = /^ssh-rsa\s+([A-Za-z0-9+/=]+)/.exec(trimmed);
  if (!m) throw new Error('the public key is neither ssh-rsa nor PEM');
  const blob = Buffer.from(m[1], 'base64');
  const fields: Buffer[] = [];
  for (let at = 0; at < blob.length && fields.length < 3;) {
    const len = blob.readUInt32BE(at);
    fields.push(blob.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  if (fields.length < 3 || fields[0].toString() !== 'ssh-rsa') throw new Error('a malformed ssh-rsa public key');
  const unsigned = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b).toString('base64url');
  return crypto.createPublicKey({ key: { kty: 'RSA', e: unsigned(fields[1]), n: unsigned(fields[2]) }, format: 'jwk' });
}

/** The password encrypted for the keypair's owner, base64, as GetPasswordData returns it. */
export function encryptPassword(password: string, publicKey: string): string {
  return crypto
    .publicEncrypt(
      { key: rsaPublicKey(publicKey), padding: crypto.constants.RSA_PKCS1_PADDING },
      Buffer.from(password, 'utf8'),
    )
    .toString('base64');
}

/** The console lines that carry it. */
export function passwordConsoleLines(publicKey: string): string[] {
  return ['<Password>', encryptPassword(generateAdminPassword(), publicKey), '</Password>'];
}
