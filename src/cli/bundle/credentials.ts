/**
 * The files and account a bundle is made or opened with: the user's certificate and private key,
 * the cloud's certificate and the account id. Each comes from the first of: the command's flags;
 * the environment `source eucarc` sets (EC2_CERT, EC2_PRIVATE_KEY, EUCALYPTUS_CERT, EC2_USER_ID);
 * euca2ools' ini files ([user] certificate, private-key, account-id; [region] certificate); and,
 * only when no cloud is configured at all, the local cloud's credentials folder. Bundling needs no
 * service, so the local cloud's eucarc is read as it lies; its daemon is started only when the
 * credentials do not exist yet.
 */
import * as os from 'node:os';
import { cloudPaths, localCloudDir } from '../../shared/paths';
import { readEucarc } from '../../shared/eucarc';
import { configFiles, loadIniFiles } from '../config/ini';
import { localCloudEucarc } from '../config/local-cloud';
import { first, selectProfile } from '../config/resolve';
import { CliError } from '../../shared/errors';
import { assertKeyPair, readCertificate, readPrivateKey } from '../../shared/bundle/keys';

export interface BundleIdentity {
  certificate?: string;
  privateKey?: string;
  cloudCertificate?: string;
  accountId?: string;
}

export interface IdentityContext {
  commandName: string;
  /** [USER@]REGION naming ini sections, as --region gives it. */
  region?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

async function localCloud(env: NodeJS.ProcessEnv, commandName: string): Promise<Record<string, string>> {
  const existing = readEucarc(cloudPaths(localCloudDir(env)).eucarc);
  return existing ?? localCloudEucarc(env, commandName);
}

/** Fills in what the flags left out; `needed` says which values the command cannot do without. */
export async function resolveBundleIdentity(
  given: BundleIdentity,
  needed: (keyof BundleIdentity)[],
  ctx: IdentityContext,
): Promise<BundleIdentity> {
  const env = ctx.env ?? process.env;
  const ini = loadIniFiles(configFiles(ctx.home ?? env.HOME ?? os.homedir()));
  const { region, user } = selectProfile(ini, ctx.region);

  const id: BundleIdentity = {
    certificate: first(given.certificate, env.EC2_CERT, user?.certificate),
    privateKey: first(given.privateKey, env.EC2_PRIVATE_KEY, user?.['private-key']),
    cloudCertificate: first(given.cloudCertificate, env.EUCALYPTUS_CERT, region?.certificate),
    accountId: first(given.accountId, env.EC2_USER_ID, user?.['account-id']),
  };
  const missing = () => needed.filter((k) => !id[k]);
  const cloudConfigured = first(env.EC2_URL, env.S3_URL, region?.['ec2-url'], region?.['s3-url']) !== undefined;
  if (missing().length && !cloudConfigured) {
    const local = await localCloud(env, ctx.commandName);
    id.certificate ??= local.EC2_CERT;
    id.privateKey ??= local.EC2_PRIVATE_KEY;
    id.cloudCertificate ??= local.EUCALYPTUS_CERT;
    id.accountId ??= local.EC2_USER_ID;
  }
  const FLAG: Record<keyof BundleIdentity, string> = {
    certificate: '-c (or EC2_CERT)',
    privateKey: '-k (or EC2_PRIVATE_KEY)',
    cloudCertificate: '--ec2cert (or EUCALYPTUS_CERT)',
    accountId: '-u (or EC2_USER_ID)',
  };
  const lacking = missing();
  if (lacking.length)
    throw new CliError(
      'MissingParameter',
      `missing ${lacking.map((k) => FLAG[k]).join(', ')}: give it, or source the cloud's eucarc`,
    );
  if (id.accountId) id.accountId = id.accountId.replace(/-/g, '');
  return id;
}

export interface BundleSigningFiles {
  userCertPem: string;
  userPrivateKeyPem: string;
  cloudCertPem: string;
  accountId: string;
}

/** Reads and checks the files a bundle is made with: every one readable, the user's a key pair. */
export function loadSigningFiles(id: BundleIdentity): BundleSigningFiles {
  const userCertPem = readCertificate(id.certificate!, 'user certificate');
  const userPrivateKeyPem = readPrivateKey(id.privateKey!);
  assertKeyPair(userCertPem, userPrivateKeyPem, id.certificate!, id.privateKey!);
  const cloudCertPem = readCertificate(id.cloudCertificate!, 'cloud certificate');
  return { userCertPem, userPrivateKeyPem, cloudCertPem, accountId: id.accountId! };
}
