/**
 * A second account for tests, until Euare can create one: written straight into a stopped or
 * running cloud's SQLite store (WAL allows a second connection), with an access key and a signing
 * certificate issued by the cloud's CA, and a credentials folder like the admin's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeCredentialsFolder } from '../../src/backend/credentials';
import { cloudPaths } from '../../src/shared/paths';
import { SqlStore } from '../../src/backend/store/sql-store';
import { cloudDatabase } from '../../src/backend/store/database';
import { createCertificate, generateRsaKeyPair } from '../../src/shared/pki';
import { readEucarc } from '../../src/shared/eucarc';
import { cleanEnv } from './cli';

export interface TestAccount {
  accountId: string;
  eucarc: Record<string, string>;
  env: Record<string, string>;
}

export async function createTestAccount(
  dataDir: string,
  name: string,
  adminEucarc: Record<string, string>,
): Promise<TestAccount> {
  const paths = cloudPaths(dataDir);
  const store = await SqlStore.open(cloudDatabase(paths));
  try {
    const ca = {
      certPem: fs.readFileSync(path.join(paths.keysDir, 'cloud-cert.pem'), 'utf8'),
      privateKeyPem: fs.readFileSync(path.join(paths.keysDir, 'cloud-pk.pem'), 'utf8'),
    };
    const account = await store.createAccount(name);
    const user = await store.createUser(account.id, 'admin');
    const key = await store.createAccessKey(user.id);
    const keys = generateRsaKeyPair();
    const certPem = createCertificate({
      subject: { O: 'Eucalyptus', OU: name, CN: 'admin' },
      publicKeyPem: keys.publicKeyPem,
      issuer: ca,
    });
    const certId = `${name}cert`.padEnd(32, '0').toUpperCase();
    await store.addCertificate(user.id, certId, certPem);
    const dir = path.join(dataDir, 'test-accounts', name);
    writeCredentialsFolder(dir, {
      ec2Url: adminEucarc.EC2_URL,
      s3Url: adminEucarc.S3_URL,
      euareUrl: adminEucarc.EUARE_URL,
      accountId: account.id,
      userName: user.name,
      accessKeyId: key.id,
      secretAccessKey: key.secret,
      certId,
      certPem,
      privateKeyPem: keys.privateKeyPem,
      cloudCertPem: ca.certPem,
    });
    const eucarc = readEucarc(path.join(dir, 'eucarc'))!;
    return { accountId: account.id, eucarc, env: cleanEnv(eucarc) };
  } finally {
    await store.close();
  }
}
