/**
 * RSA key pairs the way EC2 handles them, shared by the cloud and euca-fingerprint-key: the two
 * fingerprints EC2 prints (SHA1 of the private key in PKCS#8 DER for keys it creates, MD5 of the
 * public key in DER (SubjectPublicKeyInfo) for imported ones, both as colon-separated hex), and
 * reading and writing the OpenSSH `ssh-rsa AAAA...` public key form.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

const colonHex = (digest: Buffer) => digest.toString('hex').match(/../g)!.join(':');

/** The fingerprint EC2 gives a key pair it created: SHA1 of the private key as PKCS#8 DER. */
export function privateKeyFingerprint(privateKey: KeyObject | string): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return colonHex(
    createHash('sha1')
      .update(key.export({ type: 'pkcs8', format: 'der' }))
      .digest(),
  );
}

/** The fingerprint EC2 gives an imported key: MD5 of the public key as DER SubjectPublicKeyInfo. */
export function publicKeyFingerprint(publicKey: KeyObject): string {
  return colonHex(
    createHash('md5')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest(),
  );
}

/** An SSH wire-format string: 4-byte big-endian length, then the bytes. */
function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** An SSH mpint from unsigned big-endian bytes: a leading zero byte keeps it positive. */
function mpint(unsigned: Buffer): Buffer {
  let b = unsigned;
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return sshString(b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

/** `ssh-rsa AAAA...` for an RSA public (or private) key. */
export function toOpenSshPublicKey(key: KeyObject, comment?: string): string {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  if (jwk.kty !== 'RSA') throw new Error('only RSA keys have an ssh-rsa form');
  const blob = Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    mpint(Buffer.from(jwk.e!, 'base64url')),
    mpint(Buffer.from(jwk.n!, 'base64url')),
  ]);
  return `ssh-rsa ${blob.toString('base64')}${comment ? ' ' + comment : ''}`;
}

/** The key of an `ssh-rsa` blob (the base64 field of an OpenSSH line, decoded). */
function fromSshRsaBlob(blob: Buffer): KeyObject {
  const fields: Buffer[] = [];
  let off = 0;
  while (off < blob.length) {
    if (off + 4 > blob.length) throw new Error('truncated key blob');
    const len = blob.readUInt32BE(off);
    if (off + 4 + len > blob.length) throw new Error('truncated key blob');
    fields.push(blob.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  if (fields.length !== 3 || fields[0].toString() !== 'ssh-rsa') throw new Error('not an ssh-rsa key');
  const unsigned = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b);
  return createPublicKey({
    key: { kty: 'RSA', e: unsigned(fields[1]).toString('base64url'), n: unsigned(fields[2]).toString('base64url') },
    format: 'jwk',
  });
}

/**
 * Reads an RSA public key as people hand them to EC2's ImportKeyPair: an OpenSSH line
 * (`ssh-rsa AAAA... comment`), an RFC 4716 `---- BEGIN SSH2 PUBLIC KEY ----` block, or PEM
 * (`PUBLIC KEY` or `RSA PUBLIC KEY`). Throws on anything else, or on an RSA key under 1024 bits.
 */
export function parseRsaPublicKey(text: string): KeyObject {
  const t = text.trim();
  let key: KeyObject;
  const openssh = /^ssh-rsa\s+([A-Za-z0-9+/=]+)(\s.*)?$/s.exec(t);
  if (openssh) key = fromSshRsaBlob(Buffer.from(openssh[1], 'base64'));
  else if (t.startsWith('---- BEGIN SSH2 PUBLIC KEY ----')) {
    const body = t
      .split(/\r?\n/)
      .slice(1, -1)
      .filter((l, i, all) => !/^[A-Za-z-]+:/.test(l) && !(i > 0 && all[i - 1].endsWith('\\')))
      .join('');
    key = fromSshRsaBlob(Buffer.from(body, 'base64'));
  } else if (t.startsWith('-----BEGIN')) key = createPublicKey(t);
  else throw new Error('not an OpenSSH, SSH2 or PEM public key');
  if (key.asymmetricKeyType !== 'rsa') throw new Error('only RSA keys are supported');
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) throw new Error('the key is shorter than 1024 bits');
  return key;
}
