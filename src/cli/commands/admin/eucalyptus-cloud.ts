import * as fs from 'node:fs';
import { Flags } from '@oclif/core';
import { readEucarc } from '../../../shared/eucarc';
import { EucaCommand } from '../../command';
import { CliError } from '../../../shared/errors';
import { controlDaemon, daemonArgs, daemonFlags } from '../../daemon-command';
import { loadCloud } from '../../../shared/launcher';
import { cloudPaths, localCloudDir } from '../../../shared/paths';
import { runningPid } from '../../../shared/daemon';
import { localNodeDir, nodeAddress, nodeHypervisor, nodePaths } from '../../../shared/node-paths';
import { describeHypervisor } from '../../../shared/hypervisors';

export default class EucalyptusCloud extends EucaCommand {
  static override summary = 'Start, stop or query the embedded cloud (cloud controller, Walrus and Euare)';
  static override description =
    'The cloud keeps its state, keys, log and pid file in its data dir (default ~/.euca/local, or $EUCA_LOCAL_DIR). ' +
    'The first start creates the cloud PKI, the eucalyptus account and its admin credentials, written to ' +
    'DATA_DIR/credentials/eucarc.';
  static override args = daemonArgs;
  static override flags = {
    ...daemonFlags,
    port: Flags.integer({ summary: 'port to listen on (default 8773; 0 picks a free one)', min: 0, max: 65535 }),
    'data-dir': Flags.string({ summary: "the cloud's data dir", helpValue: 'DIR' }),
    'dashboard-port': Flags.integer({
      summary: "the Dashboard's HTTPS port (default 8443, or a free one when 8443 is taken; 0 picks a free one)",
      min: 0,
      max: 65535,
    }),
    dashboard: Flags.boolean({ summary: 'serve the Dashboard (--no-dashboard: do not)', allowNo: true, default: true }),
    db: Flags.string({
      summary:
        "the cloud's database from now on: a postgresql:// URL, which several front ends may share, or a SQLite " +
        "file (default: DATA_DIR's own); kept in eucalyptus.conf as CLOUD_DB",
      helpValue: 'URL',
    }),
  };
  static override usageArgs = 'start|stop|status|restart';
  static override examples = [
    '<%= command.id %> start',
    '<%= command.id %> status',
    '<%= command.id %> start --foreground --port 0 --data-dir /tmp/cloud',
    '<%= command.id %> start --db postgresql://eucalyptus@db.example.com/cloud',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(EucalyptusCloud);
    const paths = cloudPaths(flags['data-dir'] ?? localCloudDir());
    const url = () => readEucarc(paths.eucarc)?.EC2_URL ?? '?';
    // Kept in the cloud's eucalyptus.conf before it starts (never on a command line, where ps shows it).
    if (flags.db !== undefined) {
      if (args.action !== 'start') throw new CliError('InvalidParameterCombination', '--db goes with start');
      if (runningPid(paths) !== undefined)
        throw new CliError('AlreadyRunning', `a cloud is already running on ${paths.dataDir}; stop it before --db`);
      await loadCloud().useDatabase(paths.dataDir, flags.db);
    }
    const status = await controlDaemon(
      args.action,
      flags.foreground,
      {
        name: 'eucalyptus-cloud',
        paths,
        where: url,
        runForeground: () =>
          loadCloud().runCloud({
            dataDir: paths.dataDir,
            port: flags.port,
            bind: flags.bind,
            dashboardPort: flags.dashboard ? flags['dashboard-port'] : false,
          }),
        detached: {
          port: flags.port,
          bind: flags.bind,
          args: [
            ...(flags.dashboard ? [] : ['--no-dashboard']),
            ...(flags['dashboard-port'] !== undefined ? ['--dashboard-port', String(flags['dashboard-port'])] : []),
          ],
        },
        // The node controller the cloud started for itself, if it did.
        statusExtra: () => {
          const node = nodePaths(localNodeDir(paths.dataDir));
          const nodePid = runningPid(node);
          const at = nodeAddress(node);
          const hypervisor = nodeHypervisor(node);
          const dashboard = fs.existsSync(paths.dashboardFile)
            ? [`Dashboard: ${fs.readFileSync(paths.dashboardFile, 'utf8').trim()}`]
            : [];
          return nodePid !== undefined && at
            ? [
                ...dashboard,
                `eucalyptus-nc is running (pid ${nodePid}) at ${at.host}:${at.port}; data in ${node.dataDir}`,
                ...(hypervisor ? [`eucalyptus-nc hypervisor: ${describeHypervisor(hypervisor)}`] : []),
              ]
            : dashboard;
        },
      },
      (lines) => this.out(lines),
    );
    if (status) this.exit(status);
  }
}
