/**
 * A real cloud daemon for a test: `eucalyptus-cloud start --foreground` on a free port with a
 * temporary data dir, its admin's eucarc read back as the environment `source eucarc` would set.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readEucarc } from '../../src/shared/eucarc';
import { localNodeDir, nodePaths } from '../../src/shared/node-paths';
import { cloudPaths } from '../../src/shared/paths';
import { cleanEnv, commandsDir, tempDir } from './cli';
import { newPostgresDatabase, testPostgres } from './database';

export interface TestCloud {
  dataDir: string;
  port: number;
  /** What `source eucarc` sets for the admin. */
  eucarc: Record<string, string>;
  /** A clean environment with the admin's eucarc applied. */
  env: Record<string, string>;
  /** What the daemon has printed so far: its access log and any internal error. */
  output(): string;
  /** The Dashboard's URL, when it serves one. */
  dashboardUrl?: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CloudOptions {
  /** What the local node runs instances with (HYPERVISOR): simulated unless a test boots real guests. */
  hypervisor?: 'simulated' | 'kvm' | 'qemu';
  /** Serve the Dashboard (on a free port): only the tests of the Dashboard do. */
  dashboard?: boolean;
  /** The cloud's database (`--db`), rather than the test run's choice. */
  db?: string;
}

export async function startCloud(
  dataDir = tempDir('euca-cloud-'),
  port = 0,
  opts: CloudOptions = {},
): Promise<TestCloud> {
  const paths = cloudPaths(dataDir);
  fs.rmSync(paths.pidFile, { force: true });
  // The local node controller reports a fixed size, whatever machine the tests run on.
  const nodeConf = nodePaths(localNodeDir(dataDir)).conf;
  if (!fs.existsSync(nodeConf)) {
    fs.mkdirSync(path.dirname(nodeConf), { recursive: true });
    fs.writeFileSync(
      nodeConf,
      `MAX_CORES="16"\nMAX_MEM="8192"\nMAX_DISK="200"\nBOOT_DELAY_MS="100"\nHYPERVISOR="${opts.hypervisor ?? 'simulated'}"\n`,
    );
  }
  // On the PostgreSQL test server, a cloud's first start gives it a database of its own (--db);
  // a restart finds it in the data dir's eucalyptus.conf.
  const server = testPostgres();
  const known = fs.existsSync(paths.conf) && /^CLOUD_DB=/m.test(fs.readFileSync(paths.conf, 'utf8'));
  const db = opts.db ? ['--db', opts.db] : server && !known ? ['--db', await newPostgresDatabase(server)] : [];
  const child: ChildProcess = spawn(
    path.join(commandsDir(), 'eucalyptus-cloud'),
    [
      'start',
      '--foreground',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      ...(opts.dashboard ? ['--dashboard-port', '0'] : ['--no-dashboard']),
      ...db,
    ],
    {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Ready: the pid file written and its "listening" line read (the pipe may lag the file).
  const ready = () => fs.existsSync(paths.pidFile) && / listening on /.test(output);
  for (let i = 0; i < 600 && !ready(); i++) {
    if (child.exitCode !== null) throw new Error(`cloud exited: ${output}`);
    await sleep(25);
  }
  if (!ready()) throw new Error(`cloud did not start: ${output}`);
  const eucarc = readEucarc(paths.eucarc)!;
  const env = cleanEnv(eucarc);
  return {
    dataDir,
    port: Number(new URL(eucarc.EC2_URL).port),
    eucarc,
    env,
    output: () => output,
    dashboardUrl: fs.existsSync(paths.dashboardFile) ? fs.readFileSync(paths.dashboardFile, 'utf8').trim() : undefined,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/**
 * Another front end of `first`'s cloud on the database `db`: a data dir of its own (`dataDir`,
 * which may hold an eucalyptus.conf already) given the first one's keys and credentials, as
 * README's "Running on many hosts" says.
 */
export async function startFrontEnd(
  first: TestCloud,
  db: string,
  dataDir = tempDir('euca-cloud-'),
): Promise<TestCloud> {
  const [from, to] = [cloudPaths(first.dataDir), cloudPaths(dataDir)];
  fs.mkdirSync(path.dirname(to.keysDir), { recursive: true });
  fs.cpSync(from.keysDir, to.keysDir, { recursive: true });
  fs.cpSync(path.dirname(from.eucarc), path.dirname(to.eucarc), { recursive: true });
  return startCloud(dataDir, 0, { db });
}
