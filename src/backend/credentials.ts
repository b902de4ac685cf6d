/**
 * A user's credentials folder, as Eucalyptus hands it out: eucarc (which sets, relative to its
 * own folder, everything the CLI reads), cloud-cert.pem, and the user's certificate and private key
 * named euca2-<user>-<id>-cert.pem / -pk.pem. Files 0600, folder 0700.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeSecretFile, mkdirPrivate } from '../shared/files';
import { createCertificate, generateRsaKeyPairAsync } from '../shared/pki';
import { ServiceError } from './errors';
import * as ids from './ids';
import type { Account, CloudStore, User } from './store/types';

/** What eucarc says: where the services are, who the user is, and which files hold the keys. */
export interface EucarcFields {
  ec2Url: string;
  s3Url: string;
  euareUrl: string;
  accountId: string;
  userName: string;
  accessKeyId: string;
  secretAccessKey: string;
  certId: string;
}

export interface CredentialSet extends EucarcFields {
  certPem: string;
  privateKeyPem: string;
  cloudCertPem: string;
}

export function credentialFileNames(c: Pick<CredentialSet, 'userName' | 'certId'>): { cert: string; key: string } {
  const stem = `euca2-${c.userName}-${c.certId.slice(0, 8).toLowerCase()}`;
  return { cert: `${stem}-cert.pem`, key: `${stem}-pk.pem` };
}

export function renderEucarc(c: EucarcFields): string {
  const f = credentialFileNames(c);
  return `EUCA_KEY_DIR=$(cd $(dirname \${BASH_SOURCE:-$0}); pwd -P)
export EC2_URL=${c.ec2Url}
export S3_URL=${c.s3Url}
export EUARE_URL=${c.euareUrl}
export AWS_IAM_URL=${c.euareUrl}
export EC2_PRIVATE_KEY=\${EUCA_KEY_DIR}/${f.key}
export EC2_CERT=\${EUCA_KEY_DIR}/${f.cert}
export EUCALYPTUS_CERT=\${EUCA_KEY_DIR}/cloud-cert.pem
export EC2_ACCOUNT_NUMBER='${c.accountId}'
export EC2_ACCESS_KEY='${c.accessKeyId}'
export EC2_SECRET_KEY='${c.secretAccessKey}'
export AWS_ACCESS_KEY='${c.accessKeyId}'
export AWS_SECRET_KEY='${c.secretAccessKey}'
export EC2_USER_ID='${c.accountId}'
alias ec2-bundle-image="ec2-bundle-image --cert \${EC2_CERT} --privatekey \${EC2_PRIVATE_KEY} --user \${EC2_ACCOUNT_NUMBER} --ec2cert \${EUCALYPTUS_CERT}"
alias ec2-upload-bundle="ec2-upload-bundle -a \${EC2_ACCESS_KEY} -s \${EC2_SECRET_KEY} --url \${S3_URL}"
`;
}

/** The folder's files, by name; shared by the local cloud's folder and the credentials zip. */
export function credentialFiles(c: CredentialSet): Record<string, string> {
  const f = credentialFileNames(c);
  return { eucarc: renderEucarc(c), 'cloud-cert.pem': c.cloudCertPem, [f.cert]: c.certPem, [f.key]: c.privateKeyPem };
}

export function writeCredentialsFolder(dir: string, c: CredentialSet): void {
  mkdirPrivate(dir);
  for (const [name, content] of Object.entries(credentialFiles(c))) writeSecretFile(path.join(dir, name), content);
}

/** Euare's per-user limits on what handing out credentials makes. */
export const MAX_ACCESS_KEYS = 2;
export const MAX_CERTIFICATES = 10;

/** The cloud CA, as its keys folder holds it. */
export function cloudCa(keysDir: string): { certPem: string; privateKeyPem: string } {
  return {
    certPem: fs.readFileSync(path.join(keysDir, 'cloud-cert.pem'), 'utf8'),
    privateKeyPem: fs.readFileSync(path.join(keysDir, 'cloud-pk.pem'), 'utf8'),
  };
}

/**
 * A user's credentials as Eucalyptus hands them out (euca_conf --get-credentials, the
 * Dashboard's "Download new credentials"): the first time a new access key, later the active one;
 * every time a new key pair and a certificate signed by the cloud CA, registered as one of the
 * user's signing certificates. Answers the files by name.
 */
export async function userCredentials(
  store: CloudStore,
  ca: { certPem: string; privateKeyPem: string },
  urls: { ec2Url: string; s3Url: string; euareUrl: string },
  account: Account,
  user: User,
): Promise<Record<string, string>> {
  const keys = await generateRsaKeyPairAsync();
  const certPem = createCertificate({
    subject: { C: 'US', O: 'Eucalyptus', OU: account.name, CN: user.name },
    publicKeyPem: keys.publicKeyPem,
    issuer: ca,
  }).replace(/\r\n/g, '\n');
  const certId = ids.certificateId();
  const accessKey = await store.transaction(async () => {
    // Within Euare's limits: two access keys, and a bounded number of signing certificates.
    const keysNow = await store.listAccessKeys(user.id);
    const active = keysNow.find((k) => k.status === 'Active');
    if (!active && keysNow.length >= MAX_ACCESS_KEYS)
      throw new ServiceError(
        'LimitExceeded',
        `${user.name} has ${MAX_ACCESS_KEYS} access keys, none active: delete one first`,
        409,
      );
    if ((await store.countCertificates(user.id)) >= MAX_CERTIFICATES)
      throw new ServiceError(
        'LimitExceeded',
        `${user.name} has ${MAX_CERTIFICATES} certificates: delete old ones first`,
        409,
      );
    await store.addCertificate(user.id, certId, certPem);
    return active ?? (await store.createAccessKey(user.id));
  });
  return credentialFiles({
    ...urls,
    accountId: account.id,
    userName: user.name,
    accessKeyId: accessKey.id,
    secretAccessKey: accessKey.secret,
    certId,
    certPem,
    privateKeyPem: keys.privateKeyPem.replace(/\r\n/g, '\n'),
    cloudCertPem: ca.certPem,
  });
}
