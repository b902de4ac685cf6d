/**
 * EC2's key fingerprints and the OpenSSH public key form, against ssh-keygen and openssl.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  parseRsaPublicKey,
  privateKeyFingerprint,
  publicKeyFingerprint,
  toOpenSshPublicKey,
} from '../../src/shared/ssh-keys';
import { tempDir } from '../helpers/cli';
import { opensslPrivateFingerprint, opensslPublicFingerprint, sshKeygen, sshPublicKeyOf } from '../helpers/openssl';

test('the created-key fingerprint is the SHA1 of the PKCS#8 DER, as openssl computes it', () => {
  const dir = tempDir('ssh-keys-');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = path.join(dir, 'k.pem');
  fs.writeFileSync(file, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  assert.equal(privateKeyFingerprint(privateKey), opensslPrivateFingerprint(file));
  assert.equal(privateKeyFingerprint(fs.readFileSync(file, 'utf8')), opensslPrivateFingerprint(file));
  // The OpenSSH form is what ssh-keygen derives from the private key.
  assert.equal(toOpenSshPublicKey(privateKey), sshPublicKeyOf(file));
  fs.rmSync(dir, { recursive: true });
});

test('an ssh-keygen public key reads back, with the MD5 of its DER public key as fingerprint', () => {
  const dir = tempDir('ssh-keys-');
  const file = path.join(dir, 'id_rsa');
  sshKeygen(file);
  const line = fs.readFileSync(`${file}.pub`, 'utf8');
  const key = parseRsaPublicKey(line);
  assert.equal(publicKeyFingerprint(key), opensslPublicFingerprint(`${file}.pub`));
  assert.equal(toOpenSshPublicKey(key, 'test@example'), line.trim());
  // The same key as PEM and as an SSH2 block gives the same key.
  const pem = key.export({ type: 'spki', format: 'pem' }) as string;
  assert.equal(publicKeyFingerprint(parseRsaPublicKey(pem)), publicKeyFingerprint(key));
  const ssh2 = `---- BEGIN SSH2 PUBLIC KEY ----\nComment: "a \\\nlong comment"\n${line
    .split(' ')[1]
    .match(/.{1,70}/g)!
    .join('\n')}\n---- END SSH2 PUBLIC KEY ----\n`;
  assert.equal(publicKeyFingerprint(parseRsaPublicKey(ssh2)), publicKeyFingerprint(key));
  fs.rmSync(dir, { recursive: true });
});

test('anything but an RSA key of 1024 bits or more is refused', () => {
  assert.throws(() => parseRsaPublicKey('ssh-dss AAAAB3NzaC1kc3MAAACBAP== me'));
  assert.throws(() => parseRsaPublicKey('hello'));
  assert.throws(() => parseRsaPublicKey('ssh-rsa AAAAB3NzaC1yc2EAAAAD'));
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 512 });
  assert.throws(() => parseRsaPublicKey(toOpenSshPublicKey(publicKey)), /1024/);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
    type: 'spki',
    format: 'pem',
  }) as string;
  assert.throws(() => parseRsaPublicKey(ec), /RSA/);
});
