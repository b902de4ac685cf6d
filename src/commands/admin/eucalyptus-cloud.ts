import * as path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { readEucarc } from '../../lib/config/eucarc';
import { EucaCommand } from '../../lib/command';
import { CliError } from '../../lib/errors';
import { packageRoot } from '../../lib/package-root';
import { cloudPaths, localCloudDir } from '../../backend/paths';
import { runningPid, startDetached, stopDaemon } from '../../backend/daemon';
import { localNodeDir, nodeAddress, nodePaths } from '../../backend/node/paths';

/** The server is its own bundle (dist/cloud.js), loaded only by the daemon itself. */
function loadCloud(): typeof import('../../backend/cloud') {
  return require(path.join(packageRoot(), 'dist', 'cloud.js'));
}

export default class EucalyptusCloud extends EucaCommand {
  static override summary = 'Start, stop or query the embedded cloud (cloud controller, Walrus and Euare)';
  static override description =
    'The cloud keeps its state, keys, log and pid file in its data dir (default ~/.euca/local, or $EUCA_LOCAL_DIR). ' +
    'The first start creates the cloud PKI, the eucalyptus account and its admin credentials, written to DATA_DIR/credentials/eucarc.';
  static override args = {
    action: Args.string({ description: 'what to do', options: ['start', 'stop', 'status', 'restart'], required: true }),
  };
  static override flags = {
    foreground: Flags.boolean({ summary: 'stay attached instead of detaching (for supervisors and tests)' }),
    port: Flags.integer({ summary: 'port to listen on (default 8773; 0 picks a free one)', min: 0, max: 65535 }),
    bind: Flags.string({ summary: 'address to listen on (default 127.0.0.1)', helpValue: 'ADDR' }),
    'data-dir': Flags.string({ summary: 'the cloud\'s data dir', helpValue: 'DIR' }),
  };
  static override usageArgs = 'start|stop|status|restart';
  static override examples = ['<%= command.id %> start', '<%= command.id %> status', '<%= command.id %> start --foreground --port 0 --data-dir /tmp/cloud'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(EucalyptusCloud);
    const paths = cloudPaths(flags['data-dir'] ?? localCloudDir());
    const url = () => readEucarc(paths.eucarc)?.EC2_URL ?? '?';
    const start = async () => {
      if (flags.foreground) {
        const { runCloud } = loadCloud();
        return runCloud({ dataDir: paths.dataDir, port: flags.port, bind: flags.bind });
      }
      const running = runningPid(paths);
      if (running !== undefined) return this.out([`eucalyptus-cloud is already running (pid ${running}) at ${url()}`]);
      const pid = await startDetached(paths, { port: flags.port, bind: flags.bind });
      this.out([`eucalyptus-cloud started (pid ${pid}) at ${url()}; data in ${paths.dataDir}, log in ${paths.log}`]);
    };
    const stop = async () => {
      const pid = await stopDaemon(paths);
      this.out([pid === undefined ? 'eucalyptus-cloud is not running' : `eucalyptus-cloud stopped (pid ${pid})`]);
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
        this.out([pid === undefined ? 'eucalyptus-cloud is not running' : `eucalyptus-cloud is running (pid ${pid}) at ${url()}; data in ${paths.dataDir}`]);
        if (pid === undefined) this.exit(3);
        // The node controller the cloud started for itself, if it did.
        const node = nodePaths(localNodeDir(paths.dataDir));
        const nodePid = runningPid(node);
        const at = nodeAddress(node);
        if (nodePid !== undefined && at) this.out([`eucalyptus-nc is running (pid ${nodePid}) at ${at.host}:${at.port}; data in ${node.dataDir}`]);
      }
    }
  }
}
