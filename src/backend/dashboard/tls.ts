/**
 * The Dashboard's TLS certificate: signed by the cloud's CA (cloud-cert.pem, the certificate
 * users import), for localhost, this machine's name, 127.0.0.1, ::1 and the address it is bound
 * to, and kept in the keys folder (the key 0600). Made again when it is missing, the CA changed,
 * its names no longer fit, or it ends within 30 days.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic, writeSecretFile } from '../../shared/files';
import { createCertificate, generateRsaKeyPair } from '../../shared/pki';

/** Browsers accept server certificates of at most 825 days: two years, made again before they end. */
const VALID_DAYS = 730;
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** The names and addresses the certificate answers for: localhost, this machine, the bind address. */
function altNames(bind: string): { dns: string[]; ip: string[] } {
  const ip = ['127.0.0.1', '::1'];
  if (/^[\d.]+$|:/.test(bind) && bind !== '0.0.0.0' && bind !== '::' && !ip.includes(bind)) ip.push(bind);
  return { dns: [...new Set(['localhost', os.hostname()])], ip };
}

export function dashboardCertificate(keysDir: string, bind: string): { certPem: string; keyPem: string } {
  const certFile = path.join(keysDir, 'dashboard-cert.pem');
  const keyFile = path.join(keysDir, 'dashboard-pk.pem');
  const ca = {
    certPem: fs.readFileSync(path.join(keysDir, 'cloud-cert.pem'), 'utf8'),
    privateKeyPem: fs.readFileSync(path.join(keysDir, 'cloud-pk.pem'), 'utf8'),
  };
  const names = altNames(bind);
  try {
    const certPem = fs.readFileSync(certFile, 'utf8');
    const keyPem = fs.readFileSync(keyFile, 'utf8');
    const cert = new X509Certificate(certPem);
    const current =
      cert.verify(new X509Certificate(ca.certPem).publicKey) &&
      Date.parse(cert.validTo) - Date.now() > RENEW_BEFORE_MS &&
      names.dns.every((n) => cert.subjectAltName?.includes(`DNS:${n}`)) &&
      names.ip.every((a) => cert.checkIP(a) !== undefined);
    if (current) return { certPem, keyPem };
  } catch {
    /* made below */
  }
  const keys = generateRsaKeyPair();
  const certPem = createCertificate({
    subject: { C: 'US', O: 'Eucalyptus', OU: 'Dashboard', CN: 'localhost' },
    publicKeyPem: keys.publicKeyPem,
    issuer: ca,
    days: VALID_DAYS,
    server: names,
  });
  writeSecretFile(keyFile, keys.privateKeyPem);
  writeFileAtomic(certFile, certPem, 0o644);
  return { certPem, keyPem: keys.privateKeyPem };
}
