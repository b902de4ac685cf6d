/**
 * What the daemon commands (eucalyptus-cloud, eucalyptus-nc) share: the start|stop|status|restart
 * argument, the flags every daemon takes, and the control itself — start in the foreground or
 * detached, stop, restart, and status (exit status 3 when not running, as init scripts do).
 */
import { Args, Flags } from '@oclif/core';
import { type DaemonPaths, runningPid, startDetached, stopDaemon } from '../shared/daemon';
import { CliError } from '../shared/errors';

export const daemonArgs = {
  action: Args.string({ description: 'what to do', options: ['start', 'stop', 'status', 'restart'], required: true }),
};

export const daemonFlags = {
  foreground: Flags.boolean({ summary: 'stay attached instead of detaching (for supervisors and tests)' }),
  bind: Flags.string({ summary: 'address to listen on (default 127.0.0.1)', helpValue: 'ADDR' }),
};

export interface Daemon {
  /** The command's name, as it prints in messages. */
  name: string;
  paths: DaemonPaths;
  /** Where it answers, for messages. */
  where(): string;
  runForeground(): Promise<void>;
  /** How to start it detached: the options startDetached takes. */
  detached: Parameters<typeof startDetached>[1];
  /** More lines for `status` while it runs. */
  statusExtra?(): string[];
}

/** Carries out `action`; returns the exit status (3: status found it not running). */
export async function controlDaemon(
  action: string,
  foreground: boolean,
  d: Daemon,
  out: (lines: string[]) => void,
): Promise<number> {
  const start = async () => {
    if (foreground) return d.runForeground();
    const running = runningPid(d.paths);
    if (running !== undefined) return out([`${d.name} is already running (pid ${running}) at ${d.where()}`]);
    const pid = await startDetached(d.paths, d.detached);
    out([`${d.name} started (pid ${pid}) at ${d.where()}; data in ${d.paths.dataDir}, log in ${d.paths.log}`]);
  };
  const stop = async () => {
    const pid = await stopDaemon(d.paths);
    out([pid === undefined ? `${d.name} is not running` : `${d.name} stopped (pid ${pid})`]);
  };
  switch (action) {
    case 'start':
      await start();
      return 0;
    case 'stop':
      await stop();
      return 0;
    case 'restart':
      if (foreground) throw new CliError('InvalidParameterCombination', 'restart cannot run in the foreground');
      await stop();
      await start();
      return 0;
    default: {
      const pid = runningPid(d.paths);
      if (pid === undefined) {
        out([`${d.name} is not running`]);
        return 3;
      }
      out([
        `${d.name} is running (pid ${pid}) at ${d.where()}; data in ${d.paths.dataDir}`,
        ...(d.statusExtra?.() ?? []),
      ]);
      return 0;
    }
  }
}
