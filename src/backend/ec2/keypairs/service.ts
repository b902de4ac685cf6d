/**
 * Key pairs: CreateKeyPair (an RSA 2048 key made here; the private key is handed back once and
 * stored nowhere), ImportKeyPair (an OpenSSH, SSH2 or PEM RSA public key), describe and delete
 * (which succeeds for a name that does not exist, as EC2's). An account sees only its own.
 */
import * as crypto from 'node:crypto';
import { promisify } from 'node:util';
import {
  parseRsaPublicKey,
  privateKeyFingerprint,
  publicKeyFingerprint,
  toOpenSshPublicKey,
} from '../../../shared/ssh-keys';
import { invalidParameter, ServiceError } from '../../errors';
import { applyFilters, type Filter } from '../../query-params';
import type { Principal } from '../../store/types';
import type { KeyPair, KeyPairStore } from './store';

/** RSA key generation runs in libuv's thread pool: the cloud keeps answering meanwhile. */
const generateKeyPair = promisify(crypto.generateKeyPair);

const duplicate = (name: string) =>
  new ServiceError('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);

/** EC2's rule: up to 255 ASCII characters. */
function checkName(name: string): void {
  if (!name || name.length > 255 || !/^[\x20-\x7e]+$/.test(name))
    throw invalidParameter('KeyName', name, 'A key pair name is 1 to 255 printable ASCII characters.');
}

/** PublicKeyMaterial is base64 of the key file; a client that sent the text itself is accepted too. */
function publicKeyText(material: string): string {
  const decoded = Buffer.from(material, 'base64').toString('utf8');
  return /^(ssh-rsa |---- BEGIN|-----BEGIN)/.test(decoded.trim()) ? decoded : material;
}

export class KeyPairService {
  constructor(private readonly keypairs: KeyPairStore) {}

  /** A new key pair; its private key (PKCS#1 PEM, what ssh and euca-get-password read) only here. */
  async create(p: Principal, name: string): Promise<{ key: KeyPair; privateKeyPem: string }> {
    checkName(name);
    if (await this.keypairs.get(p.account.id, name)) throw duplicate(name);
    const { privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
    const key = {
      name,
      fingerprint: privateKeyFingerprint(privateKey),
      publicKeyOpenSsh: toOpenSshPublicKey(privateKey, name),
    };
    await this.insert(p, key);
    return { key, privateKeyPem: (privateKey.export({ type: 'pkcs1', format: 'pem' }) as string).trimEnd() };
  }

  async import(p: Principal, name: string, material: string): Promise<KeyPair> {
    checkName(name);
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
    await this.insert(p, key);
    return key;
  }

  async describe(p: Principal, q: { names: string[]; filters: Filter[] }): Promise<KeyPair[]> {
    const all = await this.keypairs.list(p.account.id);
    for (const n of q.names)
      if (!all.some((k) => k.name === n))
        throw new ServiceError('InvalidKeyPair.NotFound', `The key pair '${n}' does not exist`);
    return applyFilters(q.names.length ? all.filter((k) => q.names.includes(k.name)) : all, q.filters, {
      'key-name': (k) => k.name,
      fingerprint: (k) => k.fingerprint,
    });
  }

  async delete(p: Principal, name: string): Promise<void> {
    await this.keypairs.delete(p.account.id, name);
  }

  private async insert(p: Principal, key: KeyPair): Promise<void> {
    if (!(await this.keypairs.insert(p.account.id, key))) throw duplicate(key.name);
  }
}
