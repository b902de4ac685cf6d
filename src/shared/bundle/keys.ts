/**
 * A bundle's keys: the random AES-128 key and IV, wrapped for the cloud and for the user, and
 * unwrapped again. As euca2ools and the EC2 AMI tools do, it is the 32-character lowercase hex
 * STRING of the key and of the IV that is RSA-encrypted (PKCS#1 v1.5), and the ciphertext is
 * stored hex-encoded. Node's crypto does the encryption; Node 20 refuses PKCS#1 v1.5 decryption,
 * so that one operation is node-forge's, loaded only when a bundle is opened.
 * Also here: loading and checking the certificates and private key a bundle is made with.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { CliError } from '../errors';
import type { Manifest } from './manifest';

export interface BundleKeys {
  key: Buffer;
  iv: Buffer;
}

export function generateBundleKeys(): BundleKeys {
  return { key: crypto.randomBytes(16), iv: crypto.randomBytes(16) };
}

/** RSA PKCS#1 v1.5 encryption of the hex string, with the certificate's public key; hex out. */
export function wrapKey(secret: Buffer, certPem: string): string {
  const publicKey = new crypto.X509Certificate(certPem).publicKey;
  return crypto
    .publicEncrypt(
      { key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING },
      Buffer.from(secret.toString('hex'), 'ascii'),
    )
    .toString('hex');
}

function loadForge(): typeof import('node-forge') {
  return require('node-forge');
}

const MISMATCH =
  'the private key does not match the bundle: it cannot decrypt the bundle key (use the key of a certificate ' +
  'the image was bundled for)';

/** The inverse of wrapKey, with the matching private key (PEM, PKCS#1 or PKCS#8). */
export function unwrapKey(wrappedHex: string, privateKeyPem: string): Buffer {
  const forge = loadForge();
  // Node parses every PEM form; forge gets it as PKCS#1, which it always reads.
  const pkcs1 = crypto.createPrivateKey(privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(pkcs1) as import('node-forge').pki.rsa.PrivateKey;
  let plain: string;
  try {
    plain = key.decrypt(Buffer.from(wrappedHex, 'hex').toString('binary'), 'RSAES-PKCS1-V1_5');
  } catch {
    throw new CliError('KeyMismatch', MISMATCH);
  }
  const textual = plain.trim();
  if (/^[0-9a-fA-F]{32}$/.test(textual)) return Buffer.from(textual, 'hex');
  // Tools that wrapped the raw 16 bytes instead of their hex.
  if (plain.length === 16) return Buffer.from(plain, 'binary');
  throw new CliError('KeyMismatch', MISMATCH);
}

/**
 * The bundle's AES key and IV, unwrapped from the user's or the cloud's copy in the manifest;
 * 'either' tries the user's and then the cloud's (a cloud administrator's key opens any bundle).
 */
export function decryptBundleKeys(
  manifest: Manifest,
  privateKeyPem: string,
  which: 'user' | 'ec2' | 'either' = 'user',
): BundleKeys {
  if (which === 'either') {
    try {
      return decryptBundleKeys(manifest, privateKeyPem, 'user');
    } catch (e) {
      if (!(e instanceof CliError) || !manifest.image.ec2EncryptedKey) throw e;
      try {
        return decryptBundleKeys(manifest, privateKeyPem, 'ec2');
      } catch {
        throw e;
      }
    }
  }
  const i = manifest.image;
  const [k, v] = which === 'user' ? [i.userEncryptedKey, i.userEncryptedIv] : [i.ec2EncryptedKey, i.ec2EncryptedIv];
  if (!k || !v)
    throw new CliError('InvalidManifest', `the manifest has no ${which}_encrypted_key and ${which}_encrypted_iv`);
  if (!/^[0-9a-fA-F]+$/.test(k) || !/^[0-9a-fA-F]+$/.test(v))
    throw new CliError('InvalidManifest', `the manifest's ${which}_encrypted_key or _iv is not hex`);
  return { key: unwrapKey(k, privateKeyPem), iv: unwrapKey(v, privateKeyPem) };
}

// --- the files a bundle is made with ---

function readPem(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError('NoSuchFile', `${what} file does not exist: ${file}`);
    throw new CliError(
      'InvalidParameterValue',
      `cannot read the ${what} file ${file}: ${code ?? (e as Error).message}`,
    );
  }
}

export function readCertificate(file: string, what: string): string {
  const pem = readPem(file, what);
  try {
    new crypto.X509Certificate(pem);
  } catch {
    throw new CliError('InvalidCertificate', `the ${what} file is not a PEM X.509 certificate: ${file}`);
  }
  return pem;
}

export function readPrivateKey(file: string): string {
  const pem = readPem(file, 'private key');
  try {
    if (crypto.createPrivateKey(pem).asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch {
    throw new CliError('InvalidPrivateKey', `the private key file is not a PEM RSA private key: ${file}`);
  }
  return pem;
}

/** Refuses a certificate and private key that are not a pair: the bundle could never be opened. */
export function assertKeyPair(certPem: string, privateKeyPem: string, certFile: string, keyFile: string): void {
  const fromCert = new crypto.X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  const fromKey = crypto.createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' });
  if (!fromCert.equals(fromKey))
    throw new CliError('KeyMismatch', `the private key ${keyFile} does not match the certificate ${certFile}`);
}
