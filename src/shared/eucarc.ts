/**
 * Reads a eucarc the way `source eucarc` would for the variables this toolkit uses: `export
 * NAME=value` lines, quotes removed, and `${EUCA_KEY_DIR}` / `$EUCA_KEY_DIR` standing for the folder
 * the eucarc lives in (the form Eucalyptus writes so a credentials folder can be moved).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function parseEucarc(text: string, dir: string): Record<string, string> {
  const vars: Record<string, string> = { EUCA_KEY_DIR: dir };
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
    if (!m || m[1] === 'EUCA_KEY_DIR') continue;
    let value = m[2].trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))
      value = value.slice(1, -1);
    vars[m[1]] = value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => vars[a ?? b] ?? '');
  }
  return vars;
}

export function readEucarc(file: string): Record<string, string> | undefined {
  try {
    return parseEucarc(fs.readFileSync(file, 'utf8'), path.dirname(path.resolve(file)));
  } catch {
    return undefined;
  }
}
