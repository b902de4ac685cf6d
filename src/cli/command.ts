/**
 * The base of every command. EucaCommand gives --help (rendered by cli/help from the command's
 * declaration) and leaves error reporting to the dispatcher. ServiceCommand adds the connection
 * flags and endpoint resolution; QueryCommand turns a command into a declaration: an action, a
 * mapping from arguments to Query parameters, and a printer.
 */
import * as fs from 'node:fs';
import { Command, Flags, type Interfaces } from '@oclif/core';
import { type Endpoint, resolveEndpoint, type ServiceName } from './config/resolve';
import { CliError } from '../shared/errors';
import { type CommandMeta, helpText } from './help';
import { checkFilters, type FilterSpec } from './filters';
import { showEmptyFields } from './output';
import { setProgressMode } from './progress';
import { packageVersion } from '../shared/package-root';
import { type Params, QueryClient } from './query';
import { type XmlNode } from './xml';

/**
 * A command's parsed command line, typed by its declaration: `ParsedOf<typeof MyCommand>` gives
 * its flags (its own and the base flags: the connection options) and arguments their declared
 * types, so that a flag read under a wrong name, or as the wrong type, does not compile.
 */
export interface ParsedOf<
  C extends { flags?: Interfaces.FlagInput; baseFlags?: Interfaces.FlagInput; args?: Interfaces.ArgInput },
> {
  flags: Interfaces.InferredFlags<C['flags']> & Interfaces.InferredFlags<C['baseFlags']>;
  args: Interfaces.InferredArgs<C['args']>;
  argv: unknown[];
}

/**
 * A command line as the framework (routing, shared helpers) sees it, for any command: a command's
 * own methods read theirs typed, as ParsedOf<typeof TheCommand>.
 */
export interface Parsed {
  args: Record<string, any>;
  argv: unknown[];
  flags: Record<string, any>;
}

export abstract class EucaCommand extends Command {
  /** How the positional arguments read in usage, when the default rendering is not right. */
  static usageArgs?: string;
  /**
   * Whether the command prints records and so takes --show-empty-fields (euca2ools gives it to
   * its EC2 commands and to the Euare commands that print tables).
   */
  static tabular = false;
  /** The filters a describe command takes (cli/filters.ts); --filter is checked against them. */
  static filters?: readonly FilterSpec[];

  get commandName(): string {
    return this.ctor.id ?? this.id ?? 'euca2ools';
  }

  override async init(): Promise<void> {
    const own = commandFlags(this.ctor as unknown as typeof EucaCommand);
    const spelled = (spelling: string) =>
      Object.entries(own).some(([name, f]) => spellingsOf(f as FlagSpellings, name).includes(spelling));
    const dashdash = this.argv.indexOf('--');
    const opts = dashdash < 0 ? this.argv : this.argv.slice(0, dashdash);
    if (opts.includes('--help') || (!spelled('-h') && opts.includes('-h'))) {
      process.stdout.write(
        helpText(
          commandMeta(this.ctor as unknown as typeof EucaCommand),
          (require('./style') as typeof import('./style')).styleFor(process.stdout),
        ),
      );
      this.exit(0);
    }
    if (opts.includes('--version') && !spelled('--version')) {
      process.stdout.write(versionText() + '\n');
      this.exit(0);
    }
  }

  /**
   * Positional arguments come from the command line only: oclif would otherwise read a piped
   * stdin into a missing one (waiting up to 10 ms for it), and `... | euca-describe-instances`
   * in a script would take the pipe's text for an instance id. The shared flags are the class's
   * (sharedFlags), whatever the caller passes: one rule for which spelling is whose.
   */
  protected override async parse<
    F extends Record<string, unknown>,
    B extends Record<string, unknown>,
    A extends Record<string, unknown>,
  >(options?: Interfaces.Input<F, B, A>, argv?: string[]): Promise<Interfaces.ParserOutput<F, B, A>> {
    const opts = options ?? (this.ctor as unknown as Interfaces.Input<F, B, A>);
    const args = Object.fromEntries(
      Object.entries(opts.args ?? {}).map(([k, a]) => [k, { ...(a as object), ignoreStdin: true }]),
    ) as Interfaces.ArgInput<A>;
    const baseFlags = sharedFlags(this.ctor as unknown as typeof EucaCommand, opts.flags ?? {});
    const parsed = await super.parse(
      { flags: opts.flags, baseFlags: baseFlags as Interfaces.FlagInput<B>, args, strict: opts.strict },
      argv,
    );
    const { filters } = this.ctor as unknown as typeof EucaCommand;
    if (filters) checkFilters(filters, (parsed.flags as { filter?: string[] }).filter);
    showEmptyFields(!!(parsed.flags as Record<string, unknown>)['show-empty-fields']);
    setProgressMode(parsed.flags as Record<string, unknown>);
    return parsed;
  }

  override async catch(err: Error): Promise<never> {
    throw err;
  }

  protected out(lines: string[]): void {
    if (lines.length) process.stdout.write(lines.join('\n') + '\n');
  }
}

/** A command's own flags (oclif keeps only a class's own statics when given the class). */
function commandFlags(cmd: typeof EucaCommand): Interfaces.FlagInput {
  return (cmd.flags ?? {}) as Interfaces.FlagInput;
}

export function commandMeta(cmd: typeof EucaCommand, id = cmd.id ?? ''): CommandMeta {
  const own = commandFlags(cmd);
  // The command's own options first, then the shared ones, as euca2ools lists them.
  const all = { ...own, ...sharedFlags(cmd, own) } as Record<string, any>;
  const flags: CommandMeta['flags'] = {};
  for (const [name, f] of Object.entries(all)) flags[name] = { ...f, name };
  const args: CommandMeta['args'] = {};
  for (const [name, a] of Object.entries((cmd.args ?? {}) as Record<string, any>)) args[name] = { ...a, name };
  return {
    id,
    summary: cmd.summary,
    description: cmd.description,
    examples: (cmd.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command)),
    flags,
    args,
    strict: cmd.strict,
    aliases: cmd.aliases,
    usageArgs: cmd.usageArgs,
    filters: cmd.filters?.map((f) => f.name),
  };
}

const CONNECTION = 'connection options';

/** The flags of every command that talks to a service. */
export const connectionFlags = {
  url: Flags.string({
    char: 'U',
    summary: 'URL of the cloud service to connect to',
    helpValue: 'URL',
    helpGroup: CONNECTION,
  }),
  'access-key': Flags.string({
    char: 'a',
    charAliases: ['I'],
    aliases: ['access-key-id'],
    summary: "user's access key ID",
    helpValue: 'KEY_ID',
    helpGroup: CONNECTION,
  }),
  'secret-key': Flags.string({
    char: 's',
    charAliases: ['S'],
    summary: "user's secret key",
    helpValue: 'KEY',
    helpGroup: CONNECTION,
  }),
  'security-token': Flags.string({
    summary: 'security token of temporary credentials (also AWS_SECURITY_TOKEN)',
    helpValue: 'TOKEN',
    helpGroup: CONNECTION,
  }),
  region: Flags.string({
    summary: 'region and/or user names to search for in the configuration files',
    helpValue: '[USER@]REGION',
    helpGroup: CONNECTION,
  }),
  'signature-version': Flags.string({
    summary: 'request signature version (2 for Eucalyptus 3 and older)',
    options: ['2', '4'],
    helpGroup: CONNECTION,
  }),
  debug: Flags.boolean({
    summary: 'show debugging output: each request and response, secrets redacted',
    helpGroup: CONNECTION,
  }),
};

/** What --version and euca-version print: the toolkit's version, and the cloud's where installed. */
export function versionText(): string {
  const lines = [`euca2ools ${packageVersion()} (euca2ools 3 compatible)`];
  try {
    const cloud = fs.readFileSync('/etc/eucalyptus/eucalyptus-version', 'utf8').split('\n')[0].trim();
    if (cloud) lines.push(`eucalyptus ${cloud}`);
  } catch {
    /* no Eucalyptus installed here */
  }
  return lines.join('\n');
}

/** Flags every command takes, as euca2ools' framework gives them to each (-h/--help is read in init). */
export const frameworkFlags = {
  debug: Flags.boolean({ summary: 'show debugging output: each request and response, secrets redacted' }),
  debugger: Flags.boolean({ summary: 'show the stack trace of an error' }),
  version: Flags.boolean({ summary: "show the program's version and exit" }),
};

/** --show-empty-fields, on the commands that print records (EucaCommand.tabular). */
export const showEmptyFieldsFlag = {
  'show-empty-fields': Flags.boolean({ summary: 'show empty values as "(nil)"' }),
};

interface FlagSpellings {
  name?: string;
  char?: string;
  charAliases?: string[];
  aliases?: string[];
}

/** Every spelling of a flag declared under `name`: -c, --name, and its aliases. */
export function spellingsOf(f: FlagSpellings, name = f.name ?? ''): string[] {
  return [
    ...[f.char, ...(f.charAliases ?? [])].filter((c): c is string => !!c).map((c) => `-${c}`),
    ...[name, ...(f.aliases ?? [])].filter(Boolean).map((n) => (n.length === 1 ? `-${n}` : `--${n}`)),
  ];
}

/**
 * The flags a command takes besides its own: its class's base flags (the connection options),
 * --show-empty-fields where it prints records, and the framework's. A spelling the command's own
 * flags take is theirs (euca2ools 3: `euca-describe-snapshots -a` is --all, not the access key),
 * and a shared flag left with no spelling at all is dropped.
 */
export function sharedFlags(cmd: typeof EucaCommand, own: Interfaces.FlagInput): Interfaces.FlagInput {
  const taken = new Set(Object.entries(own).flatMap(([name, f]) => spellingsOf(f as FlagSpellings, name)));
  const base = {
    ...((cmd.baseFlags ?? {}) as Interfaces.FlagInput),
    ...(cmd.tabular ? showEmptyFieldsFlag : {}),
    ...frameworkFlags,
  };
  const out: Interfaces.FlagInput = {};
  for (const [name, flag] of Object.entries(base)) {
    const f = flag as FlagSpellings;
    if (name in own || taken.has(`--${name}`)) continue;
    const shorts = [f.char, ...(f.charAliases ?? [])].filter((c): c is string => !!c && !taken.has(`-${c}`));
    const aliases = (f.aliases ?? []).filter((a) => !taken.has(a.length === 1 ? `-${a}` : `--${a}`));
    out[name] = { ...flag, char: shorts[0], charAliases: shorts.slice(1), aliases } as Interfaces.FlagInput[string];
  }
  return out;
}

/** `--filter NAME=VALUE`, repeatable, as every Describe command takes it. */
export const filterFlag = Flags.string({
  summary: 'restrict results to those that meet criteria',
  helpValue: 'NAME=VALUE',
  multiple: true,
  multipleNonGreedy: true,
});

/** `--filter NAME=VALUE ...` as Filter.N.Name / Filter.N.Value.M (a Route of the describe commands). */
export function filterParams(filters: string[] | undefined): Params {
  const byName = new Map<string, string[]>();
  for (const f of filters ?? []) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new CliError('InvalidParameterValue', `filter must have the form NAME=VALUE: ${f}`);
    const name = f.slice(0, eq);
    byName.set(name, [...(byName.get(name) ?? []), f.slice(eq + 1)]);
  }
  return byName.size ? { Filter: [...byName.entries()].map(([Name, Value]) => ({ Name, Value })) } : {};
}

export abstract class ServiceCommand extends EucaCommand {
  static service: ServiceName = 'ec2';
  static override baseFlags = connectionFlags;
  static override tabular = true;

  protected endpoint(
    flags: Record<string, any>,
    service = (this.ctor as unknown as typeof ServiceCommand).service,
  ): Promise<Endpoint> {
    return resolveEndpoint(service, flags, { commandName: this.commandName });
  }
}

/**
 * Where an argument or flag goes in the request (euca2ools' route_to): a parameter name (a true
 * boolean goes as 'true', a list as Name.N), or a function of the value and the whole command
 * line giving parameters (called even when the value is absent: it may need another, or refuse).
 */
export type Route = string | ((value: any, parsed: Parsed) => Params);

/** All the arguments of a non-strict command (`euca-describe-instances i-1 i-2`), as one list. */
export const REST = '...';

/** The request a command's routes make of its command line. */
export function routedParams(routes: Record<string, Route>, parsed: Parsed): Params {
  const out: Params = {};
  for (const [name, route] of Object.entries(routes)) {
    const value = name === REST ? (parsed.argv as string[]) : (parsed.flags[name] ?? parsed.args[name]);
    if (typeof route === 'function') Object.assign(out, route(value, parsed));
    else if (value !== undefined && value !== false && !(Array.isArray(value) && !value.length))
      out[route] = value === true ? 'true' : value;
  }
  return out;
}

/**
 * A command that is one Query action: declare `action`, where its arguments and flags go
 * (`route`, and `fixedParams` it always sends) and `print()`; `params()` only when the request
 * needs more than routing (reading a file, checking a combination).
 */
export abstract class QueryCommand extends ServiceCommand {
  static action: string;
  static route: Record<string, Route> = {};
  static fixedParams: Params = {};

  protected params(parsed: Parsed): Params {
    const ctor = this.ctor as unknown as typeof QueryCommand;
    return { ...ctor.fixedParams, ...routedParams(ctor.route, parsed) };
  }

  protected abstract print(result: XmlNode, parsed: Parsed): void;

  /** The action to send: the class's, unless the command line picks another. */
  protected actionFor(_parsed: Parsed): string {
    return (this.ctor as unknown as typeof QueryCommand).action;
  }

  async run(): Promise<void> {
    const ctor = this.ctor as unknown as typeof QueryCommand;
    // oclif spreads the options it is given, which keeps only a class's own statics; a command
    // that inherits its arguments (InstanceListCommand's) needs them read through the chain.
    const parsed = (await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      args: ctor.args,
      strict: ctor.strict,
    })) as Parsed;
    const client = new QueryClient(await this.endpoint(parsed.flags));
    this.print(await client.call(this.actionFor(parsed), this.params(parsed)), parsed);
  }
}
