/**
 * Argument errors worded as argparse words them (euca2ools' framework), so that what a user or a
 * script sees of a bad command line is what euca2ools would print: the parser's errors
 * (oclif's, translated here) and the checks commands make themselves (UsageError, already in
 * these words). The caller prints the usage line, then `PROG: error: MESSAGE`, and exits 2.
 */
import { argumentName, type CommandMeta, type FlagMeta } from './help';

/** A flag by a name or spelling oclif used in a message (`key`, `--key`, `-k`). */
function flagOf(meta: CommandMeta, name: string): FlagMeta | undefined {
  const bare = name.replace(/^-+/, '').replace(/=.*$/, '');
  return (
    meta.flags[bare] ??
    Object.values(meta.flags).find((f) => f.char === bare || f.charAliases?.includes(bare) || f.aliases?.includes(bare))
  );
}

function argName(meta: CommandMeta, name: string): string {
  const f = flagOf(meta, name);
  return f ? argumentName(f) : name;
}

const quoteList = (items: string[]) => items.map((i) => `'${i}'`).join(', ');

const RULES: [RegExp, (m: RegExpExecArray, meta: CommandMeta) => string][] = [
  [/^Nonexistent flags?: (.*)$/s, (m) => `unrecognized arguments: ${m[1].split(/,\s*/).join(' ')}`],
  [/^Unexpected arguments?: (.*)$/s, (m) => `unrecognized arguments: ${m[1].split(/,\s*/).join(' ')}`],
  [/^Missing \d+ required args?/, () => 'too few arguments'],
  [/^Flag --([\w-]+) expects a value/, (m, meta) => `argument ${argName(meta, m[1])}: expected one argument`],
  [
    /^Expected --([\w-]+)=(.*) to be one of: (.*)$/s,
    (m, meta) =>
      `argument ${argName(meta, m[1])}: invalid choice: '${m[2]}' (choose from ${quoteList(m[3].split(/,\s*/))})`,
  ],
  [
    /^Parsing --([\w-]+)\s+Expected an integer but received: (.*?)(\s*See more help.*)?$/s,
    (m, meta) => `argument ${argName(meta, m[1])}: invalid int value: '${m[2]}'`,
  ],
  [
    /^Parsing --([\w-]+)\s+Expected an integer greater than or equal to (-?\d+) but received: (.*?)(\s*See more help.*)?$/s,
    (m, meta) => `argument ${argName(meta, m[1])}: must be at least ${m[2]}, not '${m[3]}'`,
  ],
  [/^Missing required flag ([\w-]+)/, (m, meta) => `argument ${argName(meta, m[1])} is required`],
  [
    /^Exactly one of the following must be provided: (.*)$/,
    (m, meta) =>
      `one of the arguments ${m[1]
        .split(/,\s*/)
        .map((f) => argName(meta, f))
        .join(' ')} is required`,
  ],
  [
    /^--([\w-]+)(?:=.*?)? cannot also be provided when using --([\w-]+)/,
    (m, meta) => `argument ${argName(meta, m[1])}: not allowed with argument ${argName(meta, m[2])}`,
  ],
];

/** The argparse wording of a parser's message (its first error, when it lists several). */
export function argparseMessage(message: string, meta: CommandMeta): string {
  const text = message
    .replace(/\nSee more help with --help\s*$/, '')
    .replace(/^The following errors? occurred:\s*/, '')
    .replace(/\x1b\[[0-9;]*m/g, '')
    .trim();
  const first = text.split('\n')[0].trim();
  for (const [re, say] of RULES) {
    const m = re.exec(text) ?? re.exec(first);
    if (m) return say(m, meta);
  }
  return first;
}

/** Whether an error is the parser's (usage, exit 2) rather than the command's own. */
export function isParserError(err: { message?: string; parse?: unknown }): boolean {
  return err.parse !== undefined || /^(Flag --[\w-]+ expects a value|Parsing --)/.test(err.message ?? '');
}
