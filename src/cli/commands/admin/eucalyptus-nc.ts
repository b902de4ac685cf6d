import * as fs from 'node:fs';
import * as path from 'node:path';
import { PAIRING_TOKEN_FILE } from '../../../shared/node-pairing';
import { Flags } from '@oclif/core';
import { EucaCommand } from '../../command';
import { controlDaemon, daemonArgs, daemonFlags } from '../../daemon-command';
import { loadNode } from '../../../shared/launcher';
import { localCloudDir } from '../../../shared/paths';
import { localNodeDir, nodeAddress, nodeHypervisor, nodePaths } from '../../../shared/node-paths';
import { describeHypervisor } from '../../../shared/hypervisors';

export default class EucalyptusNc extends EucaCommand {
  static override summary = 'Start, stop or query a node controller (runs instances for a cluster controller)';
  static override description =
    'A node controller keeps its eucalyptus.conf, the key it shares with the cluster controller, its ' +
    'instances, log and pid file in its data dir ' +
    '(default ~/.euca/local/node, or $EUCA_LOCAL_DIR/node, which the local cloud starts for itself). It runs ' +
    'instances with the simulated hypervisor driver, ' +
    'fetching their images from the cloud named by --cloud-url (CLOUD_URL in its eucalyptus.conf).';
  static override args = daemonArgs;
  static override flags = {
    ...daemonFlags,
    port: Flags.integer({ summary: 'port to listen on (default 8775; 0 picks a free one)', min: 0, max: 65535 }),
    'data-dir': Flags.string({ summary: "the node controller's data dir", helpValue: 'DIR' }),
    'cloud-url': Flags.string({
      summary:
        "the cloud to fetch images and metadata from, e.g. http://127.0.0.1:8773, or several front ends' URLs " +
        'separated by spaces, asked in turn (kept in eucalyptus.conf)',
      helpValue: 'URL',
    }),
    'key-file': Flags.string({
      summary: 'the key shared with the cluster controller (default DATA_DIR/var/lib/eucalyptus/keys/node-cluster.key)',
      helpValue: 'FILE',
    }),
  };
  static override usageArgs = 'start|stop|status|restart';
  static override examples = [
    '<%= command.id %> start --cloud-url http://127.0.0.1:8773',
    '<%= command.id %> status',
    '<%= command.id %> start --foreground --port 0 --data-dir /tmp/node --key-file /tmp/node.key',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(EucalyptusNc);
    const paths = nodePaths(flags['data-dir'] ?? localNodeDir(localCloudDir()));
    const where = () => {
      const a = nodeAddress(paths);
      return a ? `${a.host}:${a.port}` : '?';
    };
    const more: string[] = [];
    if (flags['cloud-url'] !== undefined) more.push('--cloud-url', flags['cloud-url']);
    if (flags['key-file'] !== undefined) more.push('--key-file', path.resolve(flags['key-file']));
    const status = await controlDaemon(
      args.action,
      flags.foreground,
      {
        name: 'eucalyptus-nc',
        paths,
        where,
        runForeground: () =>
          loadNode().runNodeController({
            dataDir: paths.dataDir,
            port: flags.port,
            bind: flags.bind,
            cloudUrl: flags['cloud-url'],
            keyFile: flags['key-file'],
          }),
        detached: { command: 'eucalyptus-nc', port: flags.port, bind: flags.bind, args: more },
        statusExtra: () => {
          const hypervisor = nodeHypervisor(paths);
          return hypervisor ? [`hypervisor: ${describeHypervisor(hypervisor)}`] : [];
        },
      },
      (lines) => this.out(lines),
    );
    if (status) this.exit(status);
    // An unpaired node's one-time token: what the administrator gives euca_conf --addnode.
    const tokenFile = path.join(paths.keysDir, PAIRING_TOKEN_FILE);
    if ((args.action === 'start' || args.action === 'restart') && !flags.foreground && fs.existsSync(tokenFile)) {
      this.out([
        `not paired with a cluster yet; pairing ` +
          `token: ${fs.readFileSync(tokenFile, 'utf8').trim()} (euca_conf --addnode ${where()} asks for it)`,
      ]);
    }
  }
}
