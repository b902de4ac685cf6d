/**
 * Test identities for bundling without a cloud: a user's and a cloud's RSA key pairs with
 * self-signed certificates, written as PEM files the way a credentials folder holds them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createCertificate, generateRsaKeyPair } from '../../src/shared/pki';

export interface TestIdentity {
  userCert: string;
  userKey: string;
  cloudCert: string;
  cloudKey: string;
  accountId: string;
}

function pair(dir: string, name: string): { cert: string; key: string } {
  const keys = generateRsaKeyPair(2048);
  const cert = createCertificate({
    subject: { CN: name, O: 'Eucalyptus' },
    publicKeyPem: keys.publicKeyPem,
    selfSignKeyPem: keys.privateKeyPem,
  });
  const certFile = path.join(dir, `${name}-cert.pem`);
  const keyFile = path.join(dir, `${name}-pk.pem`);
  fs.writeFileSync(certFile, cert);
  fs.writeFileSync(keyFile, keys.privateKeyPem, { mode: 0o600 });
  return { cert: certFile, key: keyFile };
}

/** Key files in `dir`: user-cert.pem, user-pk.pem, cloud-cert.pem, cloud-pk.pem. */
export function testIdentity(dir: string, accountId = '123456789012'): TestIdentity {
  const user = pair(dir, 'user');
  const cloud = pair(dir, 'cloud');
  return { userCert: user.cert, userKey: user.key, cloudCert: cloud.cert, cloudKey: cloud.key, accountId };
}
