/**
 * --help text and man pages, both rendered from a command's own declaration (summary,
 * description, arguments, flags, examples), so the two can never disagree.
 */
/** How --help marks headings and examples (plain unless the caller colours them: cli/style). */
export interface HelpStyle {
  bold(s: string): string;
  cyan(s: string): string;
}
const PLAIN: HelpStyle = { bold: (s) => s, cyan: (s) => s };

export interface FlagMeta {
  name: string;
  char?: string;
  charAliases?: string[];
  aliases?: string[];
  summary?: string;
  description?: string;
  helpValue?: string | string[];
  type: 'boolean' | 'option';
  multiple?: boolean;
  options?: readonly string[];
  hidden?: boolean;
  required?: boolean;
  helpGroup?: string;
}

export interface ArgMeta {
  name: string;
  description?: string;
  required?: boolean;
}

export interface CommandMeta {
  id: string;
  summary?: string;
  description?: string;
  examples?: string[];
  flags: Record<string, FlagMeta>;
  args: Record<string, ArgMeta>;
  strict?: boolean;
  aliases?: string[];
  /** How the positional arguments read in the usage line, when the default is not right. */
  usageArgs?: string;
  /** The names --filter takes, for a describe command. */
  filters?: string[];
}

function valueName(f: FlagMeta): string {
  if (f.type === 'boolean') return '';
  const hv = Array.isArray(f.helpValue) ? f.helpValue.join('|') : f.helpValue;
  return ' ' + (hv ?? (f.options ? `{${f.options.join(',')}}` : f.name.toUpperCase().replace(/-/g, '_')));
}

/** A flag's spellings, short ones first: -k, --key, --key-name. */
export function spellings(f: FlagMeta): string[] {
  const shorts = [f.char, ...(f.charAliases ?? [])].filter(Boolean).map((c) => `-${c}`);
  const longs = [f.name, ...(f.aliases ?? [])].map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
  return [...shorts, ...longs];
}

/** How argparse names a flag in its messages: every spelling, joined by "/" (-k/--key). */
export function argumentName(f: FlagMeta): string {
  return spellings(f).join('/');
}

function flagNames(f: FlagMeta): string {
  return spellings(f).join(', ') + valueName(f);
}

function visibleFlags(cmd: CommandMeta): FlagMeta[] {
  return Object.values(cmd.flags).filter((f) => !f.hidden);
}

export function usageArgs(cmd: CommandMeta): string {
  if (cmd.usageArgs !== undefined) return cmd.usageArgs;
  return Object.values(cmd.args)
    .map((a) => {
      const n = a.name.toUpperCase();
      if (cmd.strict === false) return a.required ? `${n} [${n} ...]` : `[${n} ...]`;
      return a.required ? n : `[${n}]`;
    })
    .join(' ');
}

/**
 * The usage line as argparse prints it: every option by its first spelling (in brackets unless
 * required), then the positional arguments, wrapped to the terminal's width with the parts
 * aligned after the command's name.
 */
export function usageLine(cmd: CommandMeta, columns = terminalColumns()): string {
  const options = visibleFlags(cmd).map((f) => {
    const part = spellings(f)[0] + valueName(f);
    return f.required ? part : `[${part}]`;
  });
  options.push(Object.values(cmd.flags).some((f) => f.char === 'h') ? '[--help]' : '[-h]');
  const positionals = usageArgs(cmd) ? [usageArgs(cmd)] : [];
  const prefix = 'usage: ';
  const width = columns - 2;
  const all = [cmd.id, ...options, ...positionals].join(' ');
  if (prefix.length + all.length <= width) return prefix + all;
  const indent = ' '.repeat(prefix.length + cmd.id.length + 1);
  const wrap = (parts: string[], first: boolean): string[] => {
    const lines: string[] = [];
    let line: string[] = [];
    let len = (first ? prefix.length : indent.length) - 1;
    for (const part of parts) {
      if (len + 1 + part.length > width && line.length) {
        lines.push(line.join(' '));
        line = [];
        len = indent.length - 1;
      }
      line.push(part);
      len += part.length + 1;
    }
    if (line.length) lines.push(line.join(' '));
    return lines;
  };
  const lines = [...wrap([cmd.id, ...options], true), ...(positionals.length ? wrap(positionals, false) : [])];
  return prefix + lines.join('\n' + indent);
}

function terminalColumns(): number {
  return Number(process.env.COLUMNS) || process.stdout.columns || 80;
}

function groupFlags(cmd: CommandMeta): [string, FlagMeta[]][] {
  const groups = new Map<string, FlagMeta[]>();
  for (const f of visibleFlags(cmd)) {
    const g = f.helpGroup ?? 'options';
    groups.set(g, [...(groups.get(g) ?? []), f]);
  }
  return [...groups.entries()];
}

/** --help's text; `style` colours headings and examples when it goes to a terminal. */
export function helpText(cmd: CommandMeta, style: HelpStyle = PLAIN): string {
  const heading = (s: string) => style.bold(s);
  const out: string[] = [usageLine(cmd), ''];
  if (cmd.summary) out.push(cmd.summary, '');
  if (cmd.description) out.push(cmd.description.trim(), '');
  const args = Object.values(cmd.args);
  if (args.length) {
    out.push(heading('positional arguments:'));
    for (const a of args) out.push(`  ${a.name.toUpperCase().padEnd(24)}${a.description ?? ''}`);
    out.push('');
  }
  for (const [group, flags] of groupFlags(cmd)) {
    out.push(heading(`${group}:`));
    for (const f of flags) {
      const names = `  ${flagNames(f)}`;
      const text = f.summary ?? f.description ?? '';
      out.push(names.length >= 26 ? `${names}\n${' '.repeat(26)}${text}` : `${names.padEnd(26)}${text}`);
    }
    out.push('');
  }
  out.push(`${'  -h, --help'.padEnd(26)}show this help message and exit`, '');
  if (cmd.filters?.length) out.push(heading('allowed filter names:'), ...cmd.filters.map((n) => `  ${n}`), '');
  if (cmd.examples?.length) {
    out.push(heading('examples:'));
    for (const e of cmd.examples) out.push(`  ${style.cyan(e.replace(/<%= command.id %>/g, cmd.id))}`);
    out.push('');
  }
  if (cmd.aliases?.length) out.push(`also available as: ${cmd.aliases.join(', ')}`, '');
  return out.join('\n');
}

function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/^([.'])/gm, '\\&$1')
    .replace(/-/g, '\\-');
}

export function manPage(cmd: CommandMeta, version: string, date: string): string {
  const out: string[] = [
    `.TH ${cmd.id.toUpperCase()} 1 "${date}" "euca2ools ${version}" "User Commands"`,
    '.SH NAME',
    `${roff(cmd.id)} \\- ${roff(cmd.summary ?? '')}`,
    '.SH SYNOPSIS',
    `.B ${roff(cmd.id)}`,
    roff(usageLine(cmd, 1000).replace(`usage: ${cmd.id} `, '')),
  ];
  if (cmd.description) out.push('.SH DESCRIPTION', roff(cmd.description.trim()));
  const args = Object.values(cmd.args);
  if (args.length) {
    out.push('.SH ARGUMENTS');
    for (const a of args) out.push('.TP', `.I ${roff(a.name.toUpperCase())}`, roff(a.description ?? ''));
  }
  for (const [group, flags] of groupFlags(cmd)) {
    out.push(`.SH ${roff(group.toUpperCase())}`);
    for (const f of flags) out.push('.TP', `.B ${roff(flagNames(f))}`, roff(f.summary ?? f.description ?? ''));
  }
  out.push('.TP', `.B ${roff('-h, --help')}`, 'show this help message and exit');
  if (cmd.filters?.length) out.push('.SH FILTERS', ...cmd.filters.flatMap((n) => ['.TP', `.B ${roff(n)}`]));
  if (cmd.examples?.length) {
    out.push('.SH EXAMPLES');
    for (const e of cmd.examples) out.push('.PP', '.nf', roff(e.replace(/<%= command.id %>/g, cmd.id)), '.fi');
  }
  if (cmd.aliases?.length) out.push('.SH ALIASES', roff(cmd.aliases.join(', ')));
  out.push('.SH SEE ALSO', 'euca2ools(7)');
  return out.join('\n') + '\n';
}
