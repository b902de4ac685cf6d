/**
 * What the first start of a cloud creates, and what every start refreshes: the data dir, the
 * default eucalyptus.conf, the cloud's PKI (CA key and cloud-cert.pem), the `eucalyptus` account
 * with its `admin` user, access key and signing certificate, the local cluster, and the admin's
 * credentials folder (its eucarc names the URLs the cloud listens on now).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mkdirPrivate, writeSecretFile, writeFileAtomic } from '../shared/files';
import { createCertificate, generateRsaKeyPair } from '../shared/pki';
import { ensureConf, readConf } from './conf';
import { credentialFileNames, renderEucarc, writeCredentialsFolder } from './credentials';
import * as ids from './ids';
import { type CloudPaths } from '../shared/paths';
import { type CloudStore } from './store/types';

export { ADMIN_USER, CLOUD_ACCOUNT } from './iam/principals';
import { ADMIN_USER, CLOUD_ACCOUNT } from './iam/principals';

export interface CloudPki {
  certPem: string;
  privateKeyPem: string;
}

export function prepareDataDir(paths: CloudPaths): void {
  mkdirPrivate(paths.dataDir);
  ensureConf(paths.conf);
  for (const dir of [paths.keysDir, paths.dbDir, paths.logDir, paths.runDir]) mkdirPrivate(dir);
}

export function loadOrCreatePki(paths: CloudPaths): CloudPki {
  const certFile = path.join(paths.keysDir, 'cloud-cert.pem');
  const keyFile = path.join(paths.keysDir, 'cloud-pk.pem');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    return { certPem: fs.readFileSync(certFile, 'utf8'), privateKeyPem: fs.readFileSync(keyFile, 'utf8') };
  }
  const keys = generateRsaKeyPair();
  const certPem = createCertificate({
    subject: { C: 'US', ST: 'CA', L: 'Santa Barbara', O: 'Eucalyptus', OU: 'Eucalyptus', CN: 'www.eucalyptus.com' },
    publicKeyPem: keys.publicKeyPem,
    selfSignKeyPem: keys.privateKeyPem,
    years: 10,
    ca: true,
  });
  writeSecretFile(keyFile, keys.privateKeyPem);
  writeFileAtomic(certFile, certPem, 0o600);
  return { certPem, privateKeyPem: keys.privateKeyPem };
}

export interface ServiceUrls {
  ec2Url: string;
  s3Url: string;
  euareUrl: string;
}

/** Creates the eucalyptus account and its admin once, and writes the admin's credentials folder. */
export async function ensureCloudAdmin(
  paths: CloudPaths,
  store: CloudStore,
  pki: CloudPki,
  urls: ServiceUrls,
): Promise<void> {
  if (await store.getMeta('admin.certId')) return;
  const keys = generateRsaKeyPair();
  const certId = ids.certificateId();
  await store.transaction(async () => {
    if (await store.getMeta('admin.certId')) return; // another front end made it meanwhile
    const account = (await store.findAccountByName(CLOUD_ACCOUNT)) ?? (await store.createAccount(CLOUD_ACCOUNT));
    const user = (await store.findUser(account.id, ADMIN_USER)) ?? (await store.createUser(account.id, ADMIN_USER));
    const key = (await store.listAccessKeys(user.id))[0] ?? (await store.createAccessKey(user.id));
    const certPem = createCertificate({
      subject: { C: 'US', ST: 'CA', L: 'Santa Barbara', O: 'Eucalyptus', OU: account.name, CN: user.name },
      publicKeyPem: keys.publicKeyPem,
      issuer: pki,
    });
    await store.addCertificate(user.id, certId, certPem);
    const fields = {
      ...urls,
      accountId: account.id,
      userName: user.name,
      accessKeyId: key.id,
      secretAccessKey: key.secret,
      certId,
    };
    // Written before the commit, so that a failure leaves nothing recorded; a transaction run again
    // (a conflict on PostgreSQL) writes the folder again, with what that run made.
    writeCredentialsFolder(paths.credentialsDir, {
      ...fields,
      certPem,
      privateKeyPem: keys.privateKeyPem,
      cloudCertPem: pki.certPem,
    });
    await store.setMeta('admin.certId', certId);
  });
}

/** Rewrites the admin's eucarc with the URLs the cloud listens on now (the port may change). */
export async function refreshAdminEucarc(paths: CloudPaths, store: CloudStore, urls: ServiceUrls): Promise<void> {
  const account = (await store.findAccountByName(CLOUD_ACCOUNT))!;
  const user = (await store.findUser(account.id, ADMIN_USER))!;
  const key = (await store.listAccessKeys(user.id)).find((k) => k.status === 'Active')!;
  const certId = (await store.getMeta('admin.certId'))!;
  if (!fs.existsSync(path.join(paths.credentialsDir, credentialFileNames({ userName: user.name, certId }).cert))) {
    throw new Error(`the admin's certificate is missing from ${paths.credentialsDir}`);
  }
  writeSecretFile(
    paths.eucarc,
    renderEucarc({
      ...urls,
      accountId: account.id,
      userName: user.name,
      accessKeyId: key.id,
      secretAccessKey: key.secret,
      certId,
    }),
  );
}

/** Registers the local cluster controller named in eucalyptus.conf, once. */
export async function ensureLocalCluster(paths: CloudPaths, store: CloudStore, host: string): Promise<void> {
  if ((await store.listClusters()).length) return;
  const conf = readConf(paths.conf);
  await store.addCluster({ name: conf.CLUSTER_NAME || 'cluster01', host, port: Number(conf.CC_PORT) || 8774 });
}
