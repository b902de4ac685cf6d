/**
 * The Dashboard's TLS certificate: made once, signed by the cloud's CA (cloud-cert.pem, the
 * certificate users import), for localhost, this machine's name and 127.0.0.1, and kept in the
 * keys folder (the key 0600). Made again when it is missing or the CA changed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import forge from 'node-forge';
import { writeFileAtomic, writeSecretFile } from '../../shared/files';
import { createCertificate, generateRsaKeyPair } from '../../shared/pki';

export interface TlsFiles {
  cert: string;
  key: string;
}

export function dashboardCertificate(keysDir: string): { certPem: string; keyPem: string } {
  const certFile = path.join(keysDir, 'dashboard-cert.pem');
  const keyFile = path.join(keysDir, 'dashboard-pk.pem');
  const ca = {
    certPem: fs.readFileSync(path.join(keysDir, 'cloud-cert.pem'), 'utf8'),
    privateKeyPem: fs.readFileSync(path.join(keysDir, 'cloud-pk.pem'), 'utf8'),
  };
  try {
    const certPem = fs.readFileSync(certFile, 'utf8');
    const keyPem = fs.readFileSync(keyFile, 'utf8');
    const caCert = forge.pki.certificateFromPem(ca.certPem);
    if (caCert.verify(forge.pki.certificateFromPem(certPem))) return { certPem, keyPem };
  } catch {
    /* made below */
  }
  const keys = generateRsaKeyPair();
  const certPem = createCertificate({
    subject: { C: 'US', O: 'Eucalyptus', OU: 'Dashboard', CN: 'localhost' },
    publicKeyPem: keys.publicKeyPem,
    issuer: ca,
    server: { dns: ['localhost', os.hostname()], ip: ['127.0.0.1'] },
  });
  writeSecretFile(keyFile, keys.privateKeyPem);
  writeFileAtomic(certFile, certPem, 0o644);
  return { certPem, keyPem: keys.privateKeyPem };
}
