/**
 * Keys and X.509 certificates. RSA keys come from Node's crypto (native, fast); certificates are
 * built and signed with node-forge, which Node's crypto cannot do.
 */
import { generateKeyPair, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function generateRsaKeyPair(bits = 2048): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** The same, made off the event loop (a daemon answering others meanwhile). */
export function generateRsaKeyPairAsync(bits = 2048): Promise<KeyPair> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      {
        modulusLength: bits,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      },
      (e, publicKey, privateKey) => (e ? reject(e) : resolve({ privateKeyPem: privateKey, publicKeyPem: publicKey })),
    ),
  );
}

export type Subject = { name: string; value: string }[];

export function subject(fields: Record<string, string>): Subject {
  return Object.entries(fields).map(
    ([name, value]) => ({ shortName: name, value }) as unknown as { name: string; value: string },
  );
}

function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive
  return b.toString('hex');
}

export interface CertOptions {
  subject: Record<string, string>;
  publicKeyPem: string;
  issuer?: { certPem: string; privateKeyPem: string };
  /** Self-signing key, for a CA certificate. */
  selfSignKeyPem?: string;
  years?: number;
  /** Validity in days, instead of years. */
  days?: number;
  ca?: boolean;
  /** A TLS server certificate: the names and addresses it answers for (subjectAltName). */
  server?: { dns: string[]; ip: string[] };
}

export function createCertificate(opts: CertOptions): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.publicKeyPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + (opts.days ?? (opts.years ?? 5) * 365) * 24 * 3600 * 1000);
  cert.setSubject(subject(opts.subject));
  let signer: forge.pki.rsa.PrivateKey;
  if (opts.issuer) {
    const issuerCert = forge.pki.certificateFromPem(opts.issuer.certPem);
    cert.setIssuer(issuerCert.subject.attributes);
    signer = forge.pki.privateKeyFromPem(opts.issuer.privateKeyPem) as forge.pki.rsa.PrivateKey;
  } else {
    cert.setIssuer(subject(opts.subject));
    signer = forge.pki.privateKeyFromPem(opts.selfSignKeyPem!) as forge.pki.rsa.PrivateKey;
  }
  cert.setExtensions(
    opts.ca
      ? [
          { name: 'basicConstraints', cA: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, dataEncipherment: true },
          ...(opts.server
            ? [
                { name: 'extKeyUsage', serverAuth: true },
                {
                  name: 'subjectAltName',
                  altNames: [
                    ...opts.server.dns.map((value) => ({ type: 2, value })),
                    ...opts.server.ip.map((ip) => ({ type: 7, ip })),
                  ],
                },
              ]
            : []),
        ],
  );
  cert.sign(signer, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
