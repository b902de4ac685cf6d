/**
 * Progress of long work (bundling, unbundling, uploading, downloading): a bar on stderr when
 * stderr is a terminal, and nothing at all when it is not, so scripts and logs see only the
 * command's own output. Lines the command prints while a bar is up go through `log`, which
 * clears the bar, prints the line on stdout and draws the bar again below it. The transfer
 * commands' --progress and --no-progress force the bar on or off, and --porcelain prints
 * `LABEL DONE/TOTAL` lines on stderr instead, as euca2ools does.
 */
import { Flags } from '@oclif/core';
import type { SingleBar } from 'cli-progress';

export type ProgressMode = 'auto' | 'bar' | 'none' | 'porcelain';
let mode: ProgressMode = 'auto';

/** The flags of the commands that move files, as euca2ools' transfer commands take them. */
export const progressFlags = {
  progress: Flags.boolean({
    summary: 'show progress (the default when run interactively)',
    exclusive: ['no-progress'],
  }),
  'no-progress': Flags.boolean({ summary: 'do not show progress (the default when run non-interactively)' }),
  porcelain: Flags.boolean({ summary: 'show progress as machine-readable "LABEL DONE/TOTAL" lines on stderr' }),
};

/** Set once per command, from its progress flags. */
export function setProgressMode(flags: Record<string, unknown>): void {
  mode = flags.porcelain ? 'porcelain' : flags.progress ? 'bar' : flags['no-progress'] ? 'none' : 'auto';
}

export interface Progress {
  /** Work done so far, in the unit of the total (bytes here). */
  update(done: number): void;
  /** A line for stdout, printed above the bar. */
  log(line: string): void;
  /** Removes the bar; a finished bar is left as the last frame. */
  stop(): void;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i ? n.toFixed(1) : n} ${UNITS[i]}`;
}

/** Prints only the logged lines: what a command shows when stderr is not a terminal. */
function silentProgress(out: NodeJS.WritableStream): Progress {
  return { update() {}, log: (line) => void out.write(line + '\n'), stop() {} };
}

/** `LABEL DONE/TOTAL` lines, at most ten a second and the last one always. */
function porcelainProgress(label: string, total: number, stream: NodeJS.WritableStream, out: NodeJS.WritableStream) {
  let last = -1;
  let shown = 0;
  let stopped = false;
  const show = (done: number) => {
    stream.write(`${label} ${Math.floor(done)}/${Math.floor(total)}\n`);
    last = done;
    shown = Date.now();
  };
  show(0);
  return {
    update(done: number) {
      if (!stopped && done !== last && Date.now() - shown > 100) show(done);
    },
    log: (line: string) => void out.write(line + '\n'),
    stop() {
      if (!stopped) show(total);
      stopped = true;
    },
  };
}

/**
 * A byte-count progress bar labelled `label`, of `total` bytes. `stream` is where the bar goes
 * (stderr); `out` where logged lines go (stdout).
 */
export function progressBar(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  out: NodeJS.WritableStream = process.stdout,
): Progress {
  if (mode === 'porcelain') return porcelainProgress(label, total, stream, out);
  if (mode === 'none' || (mode === 'auto' && !stream.isTTY)) return silentProgress(out);
  // Loaded only when a bar is drawn: most runs (scripts, tests) never need it.

  const { SingleBar: Bar } = require('cli-progress') as typeof import('cli-progress');
  const bar: SingleBar = new Bar({
    stream,
    format: `${label} |{bar}| {percentage}% | {done} / {size} | ETA {eta_formatted}`,
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    hideCursor: true,
    // Redrawn even when unchanged: log() clears the line it was on.
    forceRedraw: true,
    clearOnComplete: false,
    etaBuffer: 50,
    // --progress draws the bar even when stderr is not a terminal.
    noTTYOutput: mode === 'bar',
  });
  const size = formatBytes(total);
  bar.start(Math.max(total, 1), 0, { done: formatBytes(0), size });
  let stopped = false;
  return {
    update(done) {
      if (!stopped) bar.update(Math.min(done, Math.max(total, 1)), { done: formatBytes(done), size });
    },
    log(line) {
      if (stopped) return void out.write(line + '\n');
      stream.write('\r\x1b[2K');
      out.write(line + '\n');
      // The bar returns the cursor to where it was saved when it stops: below this line now.
      stream.write('\x1b7');
      (bar as unknown as { render(): void }).render();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
