/**
 * Endpoint and credential resolution, highest precedence first: command-line flags; the
 * environment that `source eucarc` sets; euca2ools' ini files ([region NAME] and [user NAME]
 * sections, chosen by --region USER@REGION or [global] default-region); and last the local cloud.
 * Each value is resolved on its own, except that the local cloud's keys are used only when the
 * endpoint is the local cloud too.
 */
import * as os from 'node:os';
import { CliError } from '../../shared/errors';
import { configFiles, type IniSections, loadIniFiles } from './ini';
import { localCloudEucarc } from './local-cloud';

export type ServiceName = 'ec2' | 's3' | 'iam';

export interface ConnectionFlags {
  url?: string;
  'access-key'?: string;
  'secret-key'?: string;
  'security-token'?: string;
  region?: string;
  debug?: boolean;
  'signature-version'?: string;
}

export interface Endpoint {
  service: ServiceName;
  url: URL;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The security token of temporary credentials (--security-token), sent with every request. */
  sessionToken?: string;
  signatureVersion: 2 | 4;
  /** The EC2 API version to send; only for ec2. */
  apiVersion?: string;
  debug: boolean;
  /** Where the endpoint came from, for error messages. */
  source: 'flag' | 'environment' | 'config' | 'local cloud';
  /** Everything known about the user: certificate and key paths, account id. */
  identity: { certificate?: string; privateKey?: string; cloudCertificate?: string; accountId?: string };
}

const URL_VARS: Record<ServiceName, string[]> = {
  ec2: ['EC2_URL'],
  s3: ['S3_URL'],
  iam: ['EUARE_URL', 'AWS_IAM_URL'],
};
const URL_KEYS: Record<ServiceName, string> = { ec2: 'ec2-url', s3: 's3-url', iam: 'iam-url' };
const LOCAL_PATHS: Record<ServiceName, string> = {
  ec2: '/services/Eucalyptus',
  s3: '/services/Walrus',
  iam: '/services/Euare',
};

export const DEFAULT_EC2_VERSION = '2014-06-15';

/** The first value that is set and not empty. */
export function first(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && v !== '');
}

export interface Profile {
  regionName?: string;
  region?: Record<string, string>;
  user?: Record<string, string>;
}

/**
 * The ini sections that apply: the region from --region [USER@]REGION or [global] default-region,
 * and the user named by --region, the region's `user`, or [global] default-user.
 */
export function selectProfile(ini: IniSections, regionFlag?: string): Profile {
  const [userPart, regionPart] = regionFlag?.includes('@') ? regionFlag.split('@', 2) : [undefined, regionFlag];
  const regionName = first(regionPart, ini.get('global')?.['default-region']);
  const region = regionName ? ini.get(`region ${regionName}`) : undefined;
  const userName = first(userPart, region?.user, ini.get('global')?.['default-user']);
  const user = userName ? ini.get(`user ${userName}`) : undefined;
  if (userName && !user)
    throw new CliError('InvalidUser', `no [user ${userName}] section in the euca2ools configuration`);
  return { regionName, region, user };
}

function fromEnv(env: NodeJS.ProcessEnv, names: string[]): string | undefined {
  return first(...names.map((n) => env[n]));
}

function parseUrl(text: string, where: string): URL {
  try {
    const u = new URL(text);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return u;
  } catch {
    throw new CliError('InvalidEndpoint', `${where} is not an http or https URL: ${text}`);
  }
}

/** The signing region when none is configured: AWS host names carry it, Eucalyptus ones don't. */
function regionFromHost(host: string): string {
  const m = /(?:^|\.)(?:ec2|iam|s3|s3-)[.-]?([a-z]{2}-[a-z]+-\d)\.amazonaws\.com/.exec(host);
  return m ? m[1] : host.endsWith('amazonaws.com') ? 'us-east-1' : 'eucalyptus';
}

export interface ResolveContext {
  env?: NodeJS.ProcessEnv;
  home?: string;
  ini?: IniSections;
  commandName: string;
}

export async function resolveEndpoint(
  service: ServiceName,
  flags: ConnectionFlags,
  ctx: ResolveContext,
): Promise<Endpoint> {
  const env = ctx.env ?? process.env;
  const ini = ctx.ini ?? loadIniFiles(configFiles(ctx.home ?? env.HOME ?? os.homedir()));

  const { regionName, region: regionSection, user: userSection } = selectProfile(ini, flags.region);

  let url: string | undefined;
  let source: Endpoint['source'];
  if (flags.url) [url, source] = [flags.url, 'flag'];
  else if ((url = fromEnv(env, URL_VARS[service]))) source = 'environment';
  else if ((url = regionSection?.[URL_KEYS[service]])) source = 'config';
  else source = 'local cloud';

  let accessKeyId = first(
    flags['access-key'],
    fromEnv(env, ['EC2_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_ACCESS_KEY']),
    userSection?.['key-id'],
  );
  let secretAccessKey = first(
    flags['secret-key'],
    fromEnv(env, ['EC2_SECRET_KEY', 'AWS_SECRET_ACCESS_KEY', 'AWS_SECRET_KEY']),
    userSection?.['secret-key'],
  );
  const identity: Endpoint['identity'] = {
    certificate: first(env.EC2_CERT, userSection?.certificate),
    privateKey: first(env.EC2_PRIVATE_KEY, userSection?.['private-key']),
    cloudCertificate: first(env.EUCALYPTUS_CERT, regionSection?.certificate),
    accountId: first(env.EC2_USER_ID, userSection?.['account-id']),
  };

  if (source === 'local cloud') {
    const local = await localCloudEucarc(env, ctx.commandName);
    url = fromEnv(local, URL_VARS[service]) ?? new URL(LOCAL_PATHS[service], local.EC2_URL).toString();
    accessKeyId ??= local.EC2_ACCESS_KEY;
    secretAccessKey ??= local.EC2_SECRET_KEY;
    identity.certificate ??= local.EC2_CERT;
    identity.privateKey ??= local.EC2_PRIVATE_KEY;
    identity.cloudCertificate ??= local.EUCALYPTUS_CERT;
    identity.accountId ??= local.EC2_USER_ID;
  }
  if (!accessKeyId || !secretAccessKey) {
    throw new CliError(
      'MissingCredentials',
      'no access key and secret key: use -a and -s, set EC2_ACCESS_KEY and EC2_SECRET_KEY (source eucarc), ' +
        'or name a [user] in ~/.euca/*.ini',
    );
  }
  const endpointUrl = parseUrl(url!, source === 'flag' ? '--url' : `the ${service} URL from the ${source}`);

  const sig = first(flags['signature-version'], regionSection?.['signature-version']) ?? '4';
  if (sig !== '2' && sig !== '4')
    throw new CliError('InvalidParameterValue', `signature version must be 2 or 4, not ${sig}`);
  return {
    service,
    url: endpointUrl,
    region: regionName ?? regionFromHost(endpointUrl.hostname),
    accessKeyId,
    secretAccessKey,
    sessionToken: first(flags['security-token'], fromEnv(env, ['AWS_SECURITY_TOKEN', 'AWS_SESSION_TOKEN'])),
    signatureVersion: sig === '2' ? 2 : 4,
    apiVersion:
      service === 'ec2'
        ? (first(regionSection?.['ec2-version'], env.EC2_API_VERSION) ?? DEFAULT_EC2_VERSION)
        : undefined,
    debug: !!flags.debug,
    source,
    identity,
  };
}
