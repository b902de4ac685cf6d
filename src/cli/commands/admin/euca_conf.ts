import { Args, Flags } from '@oclif/core';
import { EucaCommand } from '../../command';
import { loadAdmin } from '../../../shared/launcher';
import { NODE_HYPERVISORS } from '../../../shared/hypervisors';
import { promptPassword } from '../../prompt';

const list = (summary: string) => Flags.string({ summary, helpValue: '"HOST[:PORT] ..."' });

export default class EucaConf extends EucaCommand {
  static override summary =
    "Configure a cloud: clusters, nodes and their keys, eucalyptus.conf, and users' credentials";
  static override description =
    "Works on the cloud's data dir (-d DIR, or $EUCALYPTUS, or the local cloud's) as its administrator, on " +
    'the host it runs on. ' +
    'A node controller started without a key prints a one-time pairing token; --addnode hands it the cluster ' +
    'key sealed with that token ' +
    '(given with --token, or typed at the prompt). Settings are checked before eucalyptus.conf is written, ' +
    'comments kept; ' +
    'the output says what to restart for them to take effect.';
  static override strict = false;
  static override args = {
    more: Args.string({ description: 'the HOST of --addcluster, or the NEW file of --upgrade-conf' }),
  };
  static override flags = {
    dir: Flags.string({
      char: 'd',
      summary: "the cloud's data dir (default $EUCALYPTUS, or the local cloud's)",
      helpValue: 'DIR',
    }),
    'get-credentials': Flags.string({
      summary: "write a user's credentials zip (eucarc, certificates, private key) to FILE",
      helpValue: 'FILE.zip',
    }),
    'cred-account': Flags.string({
      summary: 'the account of --get-credentials (default eucalyptus)',
      helpValue: 'ACCOUNT',
      default: 'eucalyptus',
    }),
    'cred-user': Flags.string({
      summary: 'the user of --get-credentials (default admin)',
      helpValue: 'USER',
      default: 'admin',
    }),
    addcluster: Flags.string({
      summary: 'register a cluster (an availability zone) NAME at HOST[:PORT]',
      helpValue: 'NAME',
    }),
    delcluster: Flags.string({ summary: 'deregister a cluster that has no nodes left', helpValue: 'NAME' }),
    'list-clusters': Flags.boolean({ summary: 'list the registered clusters' }),
    addnode: list('pair and register node controllers'),
    delnode: list('deregister node controllers'),
    'list-nodes': Flags.boolean({ summary: 'list the registered node controllers and their state' }),
    nodes: list('set the node controllers the cluster polls (NODES)'),
    synckeys: Flags.boolean({
      summary: 'check that every node in NODES holds the cluster key; pair those that have none',
    }),
    token: Flags.string({
      summary: 'pairing token printed by the node (one per node, in order; prompted for when missing)',
      helpValue: 'TOKEN',
      multiple: true,
    }),
    cluster: Flags.string({
      summary: 'the cluster --addnode registers nodes with (default: the first)',
      helpValue: 'NAME',
    }),
    hypervisor: Flags.string({ summary: 'the hypervisor the node controllers use', options: [...NODE_HYPERVISORS] }),
    instances: Flags.string({ summary: 'where node controllers keep instances (INSTANCE_PATH)', helpValue: 'PATH' }),
    set: Flags.string({
      summary: 'set any eucalyptus.conf setting (VNET_MODE, VNET_SUBNET, SCHEDPOLICY, MAX_CORES, ...)',
      helpValue: 'KEY=VALUE',
      multiple: true,
      multipleNonGreedy: true,
    }),
    account: Flags.string({
      summary: 'the account of --disable-user, --enable-user and --reset-password (default eucalyptus)',
      helpValue: 'ACCOUNT',
      default: 'eucalyptus',
    }),
    'disable-user': Flags.string({
      summary: 'disable a user: its access keys are refused until it is enabled again',
      helpValue: 'USER',
    }),
    'enable-user': Flags.string({ summary: 'enable a disabled user again', helpValue: 'USER' }),
    'reset-password': Flags.string({
      summary: "reset a user's password (prompted for without echo unless --password is given)",
      helpValue: 'USER',
    }),
    password: Flags.string({ summary: 'the new password of --reset-password', helpValue: 'PASSWORD' }),
    'list-account-requests': Flags.boolean({
      summary: 'list the account sign-ups (RequestAccount) waiting for approval',
    }),
    'approve-account': Flags.string({
      summary: 'approve an account request: the account and its admin user are created',
      helpValue: 'NAME',
    }),
    'reject-account': Flags.string({ summary: 'reject an account request', helpValue: 'NAME' }),
    'upgrade-conf': Flags.string({
      summary: "carry an older eucalyptus.conf's settings into NEW (default: the cloud's)",
      helpValue: 'OLD',
    }),
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
    const { dir, ...rest } = flags;
    const result = await loadAdmin().eucaConf({
      dir,
      more: argv[0] as string | undefined,
      flags: rest,
      askSecret: promptPassword,
    });
    this.out(result.lines);
    if (result.failed) this.exit(1);
  }
}
