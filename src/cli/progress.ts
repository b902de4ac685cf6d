/**
 * Progress of long work (bundling, unbundling, uploading, downloading): a bar on stderr when
 * stderr is a terminal, and nothing at all when it is not, so scripts and logs see only the
 * command's own output. Lines the command prints while a bar is up go through `log`, which
 * clears the bar, prints the line on stdout and draws the bar again below it.
 */
import type { SingleBar } from 'cli-progress';

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
  if (!stream.isTTY) return silentProgress(out);
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
