import * as path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { EucaCommand } from '../../lib/command';
import { CliError } from '../../lib/errors';
import { packageRoot } from '../../lib/package-root';
import { localCloudDir } from '../../backend/paths';
import { runningPid, startDetached, stopDaemon } from '../../backend/daemon';
import { localNodeDir, nodeAddress, nodePaths } from '../../backend/node/paths';

/** The node controller is its own bundle (dist/node.js), loaded only by the daemon itself. */
function loadNode(): typeof import('../../backend/node/nc') {
  return require(path.join(packageRoot(), 'dist', 'node.js'));
}

export default class EucalyptusNc extends EucaCommand {
  static override summary = 'Start, stop or query a node controller (runs instances for a cluster controller)';
  static override description =
    'A node controller keeps its eucalyptus.conf, the key it shares with the cluster controller, its instances, log and pid file in its data dir ' +
    '(default ~/.euca/local/node, or $EUCA_LOCAL_DIR/node, which the local cloud starts for itself). It runs instances with the simulated hypervisor driver, ' +
    'fetching their images from the cloud named by --cloud-url (CLOUD_URL in its eucalyptus.conf).';
  static override args = {
    action: Args.string({ description: 'what to do', options: ['start', 'stop', 'status', 'restart'], required: true }),
  };
  static override flags = {
    foreground: Flags.boolean({ summary: 'stay attached instead of detaching (for supervisors and tests)' }),
    port: Flags.integer({ summary: 'port to listen on (default 8775; 0 picks a free one)', min: 0, max: 65535 }),
    bind: Flags.string({ summary: 'address to listen on (default 127.0.0.1)', helpValue: 'ADDR' }),
    'data-dir': Flags.string({ summary: "the node controller's data dir", helpValue: 'DIR' }),
    'cloud-url': Flags.string({ summary: 'the cloud to fetch images and metadata from, e.g. http://127.0.0.1:8773 (kept in eucalyptus.conf)', helpValue: 'URL' }),
    'key-file': Flags.string({ summary: 'the key shared with the cluster controller (default DATA_DIR/var/lib/eucalyptus/keys/node-cluster.key)', helpValue: 'FILE' }),
  };
  static override usageArgs = 'start|stop|status|restart';
  static override examples = ['<%= command.id %> start --cloud-url http://127.0.0.1:8773', '<%= command.id %> status', '<%= command.id %> start --foreground --port 0 --data-dir /tmp/node --key-file /tmp/node.key'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(EucalyptusNc);
    const paths = nodePaths(flags['data-dir'] ?? localNodeDir(localCloudDir()));
    const where = () => {
      const a = nodeAddress(paths);
      return a ? `${a.host}:${a.port}` : '?';
    };
    const start = async () => {
      if (flags.foreground) {
        const { runNodeController } = loadNode();
        return runNodeController({ dataDir: paths.dataDir, port: flags.port, bind: flags.bind, cloudUrl: flags['cloud-url'], keyFile: flags['key-file'] });
      }
      const running = runningPid(paths);
      if (running !== undefined) return this.out([`eucalyptus-nc is already running (pid ${running}) at ${where()}`]);
      const more: string[] = [];
      if (flags['cloud-url'] !== undefined) more.push('--cloud-url', flags['cloud-url']);
      if (flags['key-file'] !== undefined) more.push('--key-file', path.resolve(flags['key-file']));
      const pid = await startDetached(paths, { command: 'eucalyptus-nc', port: flags.port, bind: flags.bind, args: more });
      this.out([`eucalyptus-nc started (pid ${pid}) at ${where()}; data in ${paths.dataDir}, log in ${paths.log}`]);
    };
    const stop = async () => {
      const pid = await stopDaemon(paths);
      this.out([pid === undefined ? 'eucalyptus-nc is not running' : `eucalyptus-nc stopped (pid ${pid})`]);
    };
    switch (args.action) {
      case 'start':
        return start();
      case 'stop':
        return stop();
      case 'restart':
        if (flags.foreground) throw new CliError('InvalidParameterCombination', 'restart cannot run in the foreground');
        await stop();
        return start();
      case 'status': {
        const pid = runningPid(paths);
        this.out([pid === undefined ? 'eucalyptus-nc is not running' : `eucalyptus-nc is running (pid ${pid}) at ${where()}; data in ${paths.dataDir}`]);
        if (pid === undefined) this.exit(3);
      }
    }
  }
}
