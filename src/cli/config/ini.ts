/**
 * euca2ools' configuration files: /etc/euca2ools/euca2ools.ini, /etc/euca2ools/conf.d/*.ini and
 * ~/.euca/*.ini, read in that order with later files overriding earlier keys. Sections are named
 * `[region NAME]`, `[user NAME]` and `[global]`. Written by hand rather than with the `ini` package
 * because region and user names routinely contain dots, which that package turns into nesting.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type IniSections = Map<string, Record<string, string>>;

export function parseIni(text: string, into: IniSections = new Map()): IniSections {
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) {
      const name = header[1].replace(/\s+/g, ' ');
      section = into.get(name) ?? {};
      into.set(name, section);
      continue;
    }
    const eq = line.search(/[=:]/);
    if (eq < 0 || !section) continue;
    section[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return into;
}

function iniFilesIn(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ini'))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

/** The files euca2ools reads, in precedence order (lowest first). */
export function configFiles(home: string, etcDir = '/etc/euca2ools'): string[] {
  return [
    path.join(etcDir, 'euca2ools.ini'),
    ...iniFilesIn(path.join(etcDir, 'conf.d')),
    ...iniFilesIn(path.join(home, '.euca')),
  ];
}

export function loadIniFiles(files: string[]): IniSections {
  const sections: IniSections = new Map();
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    parseIni(text, sections);
  }
  return sections;
}
