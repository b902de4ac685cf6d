/**
 * -w/--write-config of euare-accountcreate, euare-usercreate and euare-useraddkey: a new access
 * key printed as a euca2ools.ini(5) file instead of by itself. A [region] section gives the
 * service URLs: with -d DOMAIN, `scheme://SERVICE.DOMAIN/` as euca2ools writes them; for a cloud
 * whose IAM URL is a Eucalyptus service path (/services/Euare, as this cloud's), that cloud's own
 * paths. Then a [user ACCOUNT:NAME] section with the key; -l makes it the region's default user.
 */
import { Flags } from '@oclif/core';

export const writeConfigFlags = {
  'write-config': Flags.boolean({
    char: 'w',
    summary: 'print the access key and region information as a euca2ools.ini(5) file (implies -k)',
  }),
  domain: Flags.string({
    char: 'd',
    summary: "the DNS domain for the file's region section (default: from the IAM URL)",
    helpValue: 'DOMAIN',
  }),
  'set-default-user': Flags.boolean({
    char: 'l',
    summary: "make this user the region's default user in the -w file",
  }),
};

/** The services euca2ools writes a URL for, SERVICE.DOMAIN each. */
const SERVICES = [
  'autoscaling',
  'bootstrap',
  'cloudformation',
  'ec2',
  'elasticloadbalancing',
  'iam',
  'monitoring',
  'properties',
  'reporting',
  's3',
  'sts',
];
/** This cloud's services by their Eucalyptus paths. */
const EUCALYPTUS_PATHS: Record<string, string> = {
  ec2: '/services/Eucalyptus',
  iam: '/services/Euare',
  s3: '/services/Walrus',
};

export interface NewKey {
  iamUrl: URL;
  domain?: string;
  region?: string;
  userName: string;
  accountId?: string;
  keyId: string;
  secret: string;
  setDefaultUser?: boolean;
}

/** The file's text, and a warning for stderr when it cannot say where the services are. */
export function credentialsConfig(k: NewKey): { text: string; warning?: string } {
  const sections: [string, [string, string][]][] = [];
  let warning: string | undefined;
  const urls = regionUrls(k);
  const user = k.accountId ? `${k.accountId}:${k.userName}` : k.userName;
  if (urls) {
    const entries = urls.urls;
    if (k.setDefaultUser) entries.push(['user', user]);
    sections.push([`region ${urls.name}`, entries]);
  } else
    warning =
      `warning: IAM URL ${k.iamUrl.toString()} refers to a specific IP; for a complete configuration file ` +
      "supply the region's DNS domain with -d/--domain";
  sections.push([
    `user ${user}`,
    [
      ['key-id', k.keyId],
      ['secret-key', k.secret],
      ...(k.accountId ? [['account-id', k.accountId] as [string, string]] : []),
    ],
  ]);
  const text = sections
    .map(([name, entries]) => `[${name}]\n${entries.map(([key, v]) => `${key} = ${v}\n`).join('')}\n`)
    .join('');
  return { text, warning };
}

function regionUrls(k: NewKey): { name: string; urls: [string, string][] } | undefined {
  const scheme = k.iamUrl.protocol.replace(/:$/, '');
  let domain = k.domain;
  if (!domain) {
    if (k.iamUrl.pathname.replace(/\/$/, '') === EUCALYPTUS_PATHS.iam)
      return {
        name: k.region ?? k.iamUrl.hostname,
        urls: Object.entries(EUCALYPTUS_PATHS).map(([s, p]) => [`${s}-url`, new URL(p, k.iamUrl.origin).toString()]),
      };
    const host = k.iamUrl.hostname;
    if (/^[\d.]+$/.test(host) || host.startsWith('[')) return undefined;
    domain = host.split('.').slice(1).join('.') || host;
  }
  if (!domain.includes(':') && k.iamUrl.port) domain += `:${k.iamUrl.port}`;
  return {
    name: k.region ?? domain.split(':')[0],
    urls: SERVICES.map((s) => [`${s}-url`, `${scheme}://${s}.${domain}/`]),
  };
}
