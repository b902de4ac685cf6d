import * as path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { EucaCommand } from '../../lib/command';
import { CliError } from '../../lib/errors';
import { packageRoot } from '../../lib/package-root';
import { promptPassword } from '../../lib/prompt';

/** The data-dir operations are their own bundle (dist/admin.js): SQLite, PKI and zip load only here. */
function loadAdmin(): typeof import('../../backend/admin') {
  return require(path.join(packageRoot(), 'dist', 'admin.js'));
}

/** The options that qualify an action rather than ask for one. */
const MODIFIERS = new Set(['dir', 'cred-account', 'cred-user', 'token', 'cluster', 'account', 'password']);

const list = (summary: string) => Flags.string({ summary, helpValue: '"HOST[:PORT] ..."' });

export default class EucaConf extends EucaCommand {
  static override summary = "Configure a cloud: clusters, nodes and their keys, eucalyptus.conf, and users' credentials";
  static override description =
    'Works on the cloud\'s data dir (-d DIR, or $EUCALYPTUS, or the local cloud\'s) as its administrator, on the host it runs on. ' +
    'A node controller started without a key prints a one-time pairing token; --addnode hands it the cluster key sealed with that token ' +
    '(given with --token, or typed at the prompt). Settings are checked before eucalyptus.conf is written, comments kept; ' +
    'the output says what to restart for them to take effect.';
  static override strict = false;
  static override args = { more: Args.string({ description: 'the HOST of --addcluster, or the NEW file of --upgrade-conf' }) };
  static override flags = {
    dir: Flags.string({ char: 'd', summary: "the cloud's data dir (default $EUCALYPTUS, or the local cloud's)", helpValue: 'DIR' }),
    'get-credentials': Flags.string({ summary: 'write a user\'s credentials zip (eucarc, certificates, private key) to FILE', helpValue: 'FILE.zip' }),
    'cred-account': Flags.string({ summary: 'the account of --get-credentials (default eucalyptus)', helpValue: 'ACCOUNT', default: 'eucalyptus' }),
    'cred-user': Flags.string({ summary: 'the user of --get-credentials (default admin)', helpValue: 'USER', default: 'admin' }),
    addcluster: Flags.string({ summary: 'register a cluster (an availability zone) NAME at HOST[:PORT]', helpValue: 'NAME' }),
    delcluster: Flags.string({ summary: 'deregister a cluster that has no nodes left', helpValue: 'NAME' }),
    'list-clusters': Flags.boolean({ summary: 'list the registered clusters' }),
    addnode: list('pair and register node controllers'),
    delnode: list('deregister node controllers'),
    'list-nodes': Flags.boolean({ summary: 'list the registered node controllers and their state' }),
    nodes: list('set the node controllers the cluster polls (NODES)'),
    synckeys: Flags.boolean({ summary: 'check that every node in NODES holds the cluster key; pair those that have none' }),
    token: Flags.string({ summary: 'pairing token printed by the node (one per node, in order; prompted for when missing)', helpValue: 'TOKEN', multiple: true }),
    cluster: Flags.string({ summary: 'the cluster --addnode registers nodes with (default: the first)', helpValue: 'NAME' }),
    hypervisor: Flags.string({ summary: 'the hypervisor the node controllers use', options: ['xen', 'kvm', 'simulated'] }),
    instances: Flags.string({ summary: 'where node controllers keep instances (INSTANCE_PATH)', helpValue: 'PATH' }),
    set: Flags.string({ summary: 'set any eucalyptus.conf setting (VNET_MODE, VNET_SUBNET, SCHEDPOLICY, MAX_CORES, ...)', helpValue: 'KEY=VALUE', multiple: true, multipleNonGreedy: true }),
    account: Flags.string({ summary: 'the account of --disable-user, --enable-user and --reset-password (default eucalyptus)', helpValue: 'ACCOUNT', default: 'eucalyptus' }),
    'disable-user': Flags.string({ summary: "disable a user: its access keys are refused until it is enabled again", helpValue: 'USER' }),
    'enable-user': Flags.string({ summary: 'enable a disabled user again', helpValue: 'USER' }),
    'reset-password': Flags.string({ summary: "reset a user's password (prompted for without echo unless --password is given)", helpValue: 'USER' }),
    password: Flags.string({ summary: 'the new password of --reset-password', helpValue: 'PASSWORD' }),
    'list-account-requests': Flags.boolean({ summary: 'list the account sign-ups (RequestAccount) waiting for approval' }),
    'approve-account': Flags.string({ summary: 'approve an account request: the account and its admin user are created', helpValue: 'NAME' }),
    'reject-account': Flags.string({ summary: 'reject an account request', helpValue: 'NAME' }),
    'upgrade-conf': Flags.string({ summary: "carry an older eucalyptus.conf's settings into NEW (default: the cloud's)", helpValue: 'OLD' }),
  };
  static override examples = [
    '<%= command.id %> --get-credentials creds.zip',
    '<%= command.id %> --get-credentials alice.zip --cred-account acme --cred-user alice',
    '<%= command.id %> --addnode "10.0.0.5 10.0.0.6:8775"',
    '<%= command.id %> --set VNET_MODE=SYSTEM',
    '<%= command.id %> --addcluster cluster02 10.0.1.1',
  ];

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(EucaConf);
    const admin = loadAdmin();
    const paths = admin.cloudPaths(flags.dir ?? process.env.EUCALYPTUS ?? admin.localCloudDir());
    const more = argv[0] as string | undefined;
    const out: string[] = [];
    const conf = () => admin.readConf(paths.conf);
    const nodesOf = (text: string) => admin.parseNodes(text, Number(conf().NC_PORT || 8775));
    const tokens = [...(flags.token ?? [])];
    const tokenFor = async (n: { host: string; port: number }) => tokens.shift() ?? (await promptPassword(`Pairing token printed by the node controller at ${admin.nodeName(n)}:`));
    let failed = false;

    if (flags['get-credentials']) {
      const files = admin.issueCredentials(paths, flags['cred-account'], flags['cred-user']);
      await admin.writeZip(flags['get-credentials'], files);
      out.push(`wrote the credentials of ${flags['cred-user']} (account ${flags['cred-account']}) to ${flags['get-credentials']}`);
    }
    if (flags.addcluster) {
      if (!more) throw new CliError('MissingParameter', '--addcluster NAME needs the cluster controller\'s HOST[:PORT] after it');
      out.push(admin.addCluster(paths, flags.addcluster, more));
    }
    if (flags.delcluster) out.push(admin.delCluster(paths, flags.delcluster));
    if (flags['list-clusters']) out.push(...admin.listClusters(paths));
    if (flags.addnode) {
      const r = await admin.addNodes(paths, nodesOf(flags.addnode), tokenFor, flags.cluster);
      out.push(...r.lines);
      failed ||= r.failed;
    }
    if (flags.delnode) out.push(...admin.delNodes(paths, nodesOf(flags.delnode)));
    if (flags['list-nodes']) out.push(...admin.listNodes(paths));
    const settings: Record<string, string> = {};
    if (flags.nodes !== undefined) settings.NODES = nodesOf(flags.nodes).map(admin.nodeName).join(' ');
    if (flags.hypervisor) settings.HYPERVISOR = flags.hypervisor;
    if (flags.instances) settings.INSTANCE_PATH = flags.instances;
    for (const s of flags.set ?? []) {
      const eq = s.indexOf('=');
      if (eq <= 0) throw new CliError('InvalidParameterValue', `--set takes KEY=VALUE: ${s}`);
      settings[s.slice(0, eq)] = s.slice(eq + 1);
    }
    if (Object.keys(settings).length) {
      const notes = admin.applySettings(paths.conf, settings);
      out.push(...Object.entries(settings).map(([k, v]) => `${k}="${v}"`), ...notes);
    }
    if (flags['upgrade-conf']) {
      const target = more ?? paths.conf;
      const keys = admin.upgradeConf(flags['upgrade-conf'], target);
      out.push(`carried ${keys.length} settings from ${flags['upgrade-conf']} into ${target}`, ...admin.restartNote(keys));
    }
    if (flags.synckeys) out.push(...(await admin.syncKeys(paths, tokenFor)));
    if (flags['list-account-requests']) out.push(...admin.listAccountRequests(paths));
    if (flags['approve-account']) out.push(admin.approveAccount(paths, flags['approve-account']));
    if (flags['reject-account']) out.push(admin.rejectAccount(paths, flags['reject-account']));
    if (flags['disable-user']) out.push(admin.setUserEnabled(paths, flags.account, flags['disable-user'], false));
    if (flags['enable-user']) out.push(admin.setUserEnabled(paths, flags.account, flags['enable-user'], true));
    if (flags['reset-password']) {
      const password = flags.password ?? (await promptPassword(`New password for ${flags['reset-password']}:`));
      out.push(admin.resetPassword(paths, flags.account, flags['reset-password'], password));
    }
    if (!Object.keys(flags).some((f) => !MODIFIERS.has(f))) throw new CliError('MissingParameter', 'nothing to do: see euca_conf --help');
    this.out(out);
    if (failed) this.exit(1);
  }
}
