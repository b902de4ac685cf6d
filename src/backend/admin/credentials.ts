/**
 * `euca_conf --get-credentials`: a user's credentials as Eucalyptus hands them out, in a zip:
 * eucarc, cloud-cert.pem, and the user's certificate and private key. The first call gives the
 * user an access key and later calls return that same one; every call makes a new key pair and a
 * certificate signed by the cloud CA (registered as one of the user's signing certificates).
 * Works on the cloud's data dir; the cloud's URLs are those its own admin eucarc names.
 */
import * as path from 'node:path';
import { CliError } from '../../shared/errors';
import { readEucarc } from '../../shared/eucarc';
import { cloudCa, userCredentials } from '../credentials';
import { type CloudPaths } from '../../shared/paths';
import { SqlStore } from '../store/sql-store';
import { cloudDatabase } from '../store/database';

export async function issueCredentials(
  paths: CloudPaths,
  accountName: string,
  userName: string,
): Promise<Record<string, string>> {
  const adminEucarc = readEucarc(path.join(paths.credentialsDir, 'eucarc'));
  if (!adminEucarc)
    throw new CliError('NotInitialized', `no cloud in ${paths.dataDir}: start it once first (eucalyptus-cloud start)`);
  const store = await SqlStore.open(cloudDatabase(paths));
  try {
    const account = await store.findAccountByName(accountName);
    if (!account) throw new CliError('NoSuchEntity', `no account named ${accountName}`);
    const user = await store.findUser(account.id, userName);
    if (!user) throw new CliError('NoSuchEntity', `no user named ${userName} in account ${accountName}`);
    return await userCredentials(
      store,
      cloudCa(paths.keysDir),
      {
        ec2Url: adminEucarc.EC2_URL,
        s3Url: adminEucarc.S3_URL,
        euareUrl: adminEucarc.EUARE_URL,
      },
      account,
      user,
    );
  } finally {
    await store.close();
  }
}
