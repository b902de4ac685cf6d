/**
 * The EC2 key pair actions: CreateKeyPair (an RSA 2048 key made here; the private key is in the
 * answer and nowhere else), ImportKeyPair (an OpenSSH, SSH2 or PEM RSA public key), DescribeKeyPairs
 * with names and filters, and DeleteKeyPair, which succeeds for a name that does not exist, as EC2's.
 */
import * as crypto from 'node:crypto';
import { promisify } from 'node:util';
import {
  parseRsaPublicKey,
  privateKeyFingerprint,
  publicKeyFingerprint,
  toOpenSshPublicKey,
} from '../../../shared/ssh-keys';
import { type RequestContext } from '../../context';
import { invalidParameter, ServiceError } from '../../errors';
import { applyFilters, filtersParam, listParam, requireParam } from '../../query-params';
import { type KeyPair } from './store';

/** EC2's rule: up to 255 ASCII characters. */
function keyName(ctx: RequestContext): string {
  const name = requireParam(ctx.params, 'KeyName');
  if (name.length > 255 || !/^[\x20-\x7e]+$/.test(name))
    throw invalidParameter('KeyName', name, 'A key pair name is 1 to 255 printable ASCII characters.');
  return name;
}

function insert(ctx: RequestContext, key: KeyPair): void {
  if (!ctx.cloud.keypairs.insert(ctx.principal.account.id, key))
    throw new ServiceError('InvalidKeyPair.Duplicate', `The keypair '${key.name}' already exists.`);
}

/** RSA key generation runs in libuv's thread pool: the cloud keeps answering meanwhile. */
const generateKeyPair = promisify(crypto.generateKeyPair);

export async function createKeyPair(ctx: RequestContext) {
  const name = keyName(ctx);
  if (ctx.cloud.keypairs.get(ctx.principal.account.id, name))
    throw new ServiceError('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);
  const { privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  const key = {
    name,
    fingerprint: privateKeyFingerprint(privateKey),
    publicKeyOpenSsh: toOpenSshPublicKey(privateKey, name),
  };
  insert(ctx, key);
  // PKCS#1 PEM, as EC2 answers: what ssh, ssh-keygen and euca-get-password read.
  const keyMaterial = (privateKey.export({ type: 'pkcs1', format: 'pem' }) as string).trimEnd();
  return { keyName: name, keyFingerprint: key.fingerprint, keyMaterial };
}

/** PublicKeyMaterial is base64 of the key file; a client that sent the text itself is accepted too. */
function publicKeyText(material: string): string {
  const decoded = Buffer.from(material, 'base64').toString('utf8');
  return /^(ssh-rsa |---- BEGIN|-----BEGIN)/.test(decoded.trim()) ? decoded : material;
}

export function importKeyPair(ctx: RequestContext) {
  const name = keyName(ctx);
  const material = requireParam(ctx.params, 'PublicKeyMaterial');
  let publicKey;
  try {
    publicKey = parseRsaPublicKey(publicKeyText(material));
  } catch (e) {
    throw new ServiceError(
      'InvalidKey.Format',
      `Key is not in valid OpenSSH public key format: ${(e as Error).message}`,
    );
  }
  const key = {
    name,
    fingerprint: publicKeyFingerprint(publicKey),
    publicKeyOpenSsh: toOpenSshPublicKey(publicKey, name),
  };
  insert(ctx, key);
  return { keyName: name, keyFingerprint: key.fingerprint };
}

export function describeKeyPairs(ctx: RequestContext) {
  const all = ctx.cloud.keypairs.list(ctx.principal.account.id);
  const names = listParam(ctx.params, 'KeyName');
  for (const n of names)
    if (!all.some((k) => k.name === n))
      throw new ServiceError('InvalidKeyPair.NotFound', `The key pair '${n}' does not exist`);
  const keys = applyFilters(names.length ? all.filter((k) => names.includes(k.name)) : all, filtersParam(ctx.params), {
    'key-name': (k) => k.name,
    fingerprint: (k) => k.fingerprint,
  });
  return { keySet: keys.map((k) => ({ keyName: k.name, keyFingerprint: k.fingerprint })) };
}

export function deleteKeyPair(ctx: RequestContext) {
  ctx.cloud.keypairs.delete(ctx.principal.account.id, requireParam(ctx.params, 'KeyName'));
  return { return: true };
}
