/**
 * The toolkit's installed folder, found from wherever this code runs (the bundle in dist/, or the
 * compiled tree in dist/src when tests load modules directly).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'euca2ools') return (root = dir);
    } catch {
      /* keep climbing */
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find the euca2ools package above ${__dirname}`);
  }
}

export function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;
}

/** The single entry every command name points to. */
export function entryScript(): string {
  return path.join(packageRoot(), 'bin', 'euca2ools.js');
}
