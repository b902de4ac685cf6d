/**
 * Starting, finding and stopping a daemon (the cloud, a node controller) from outside it. Kept
 * free of the server's own modules (SQLite, PKI) so the CLI can check for the local cloud on
 * every run at no cost.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { CliError } from './errors';
import { entryScript } from './package-root';

/** What starting and stopping a daemon needs to know of its data dir. */
export interface DaemonPaths {
  dataDir: string;
  logDir: string;
  log: string;
  pidFile: string;
}

export function runningPid(paths: Pick<DaemonPaths, 'pidFile'>): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(paths.pidFile, 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function lastLogLine(paths: DaemonPaths): string {
  try {
    const lines = fs.readFileSync(paths.log, 'utf8').trim().split('\n');
    return lines[lines.length - 1] ?? '';
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StartOptions {
  port?: number;
  bind?: string;
  timeoutMs?: number;
  /** The daemon's command (default eucalyptus-cloud), more arguments, and its environment. */
  command?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts `eucalyptus-cloud --foreground` (or opts.command) detached, its output appended to its
 * log, and waits until it has written its pid file (it does so only once it listens).
 */
export async function startDetached(paths: DaemonPaths, opts: StartOptions = {}): Promise<number> {
  const command = opts.command ?? 'eucalyptus-cloud';
  const what = command === 'eucalyptus-cloud' ? 'the cloud' : command;
  const code = command === 'eucalyptus-cloud' ? 'CloudStartFailed' : 'NodeStartFailed';
  fs.mkdirSync(paths.logDir, { recursive: true, mode: 0o700 });
  const out = fs.openSync(paths.log, 'a', 0o600);
  const args = [entryScript(), command, 'start', '--foreground', '--data-dir', paths.dataDir, ...(opts.args ?? [])];
  if (opts.port !== undefined) args.push('--port', String(opts.port));
  if (opts.bind !== undefined) args.push('--bind', opts.bind);
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: opts.env ?? process.env,
  });
  fs.closeSync(out);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  child.unref();
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited !== null)
      throw new CliError(
        code,
        `${what} in ${paths.dataDir} did not start: ${lastLogLine(paths) || `exit status ${exited}`} (log: ${paths.log})`,
      );
    if (runningPid(paths) === child.pid) return child.pid!;
    await sleep(25);
  }
  throw new CliError(
    code,
    `${what} in ${paths.dataDir} did not answer within ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s (log: ${paths.log})`,
  );
}

export async function stopDaemon(paths: Pick<DaemonPaths, 'pidFile'>, timeoutMs = 20_000): Promise<number | undefined> {
  const pid = runningPid(paths);
  if (pid === undefined) return undefined;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return pid;
    }
    await sleep(25);
  }
  process.kill(pid, 'SIGKILL');
  try {
    fs.unlinkSync(paths.pidFile);
  } catch {
    /* already gone */
  }
  return pid;
}
