/**
 * The base of every command. EucaCommand gives --help (rendered by cli/help from the command's
 * declaration) and leaves error reporting to the dispatcher. ServiceCommand adds the connection
 * flags and endpoint resolution; QueryCommand turns a command into a declaration: an action, a
 * mapping from arguments to Query parameters, and a printer.
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import { type Endpoint, resolveEndpoint, type ServiceName } from './config/resolve';
import { CliError } from '../shared/errors';
import { type CommandMeta, helpText } from './help';
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

  get commandName(): string {
    return this.ctor.id ?? this.id ?? 'euca2ools';
  }

  override async init(): Promise<void> {
    const flags = (this.ctor.flags ?? {}) as Record<string, { char?: string }>;
    const hOwned = Object.values(flags).some((f) => f.char === 'h');
    const dashdash = this.argv.indexOf('--');
    const opts = dashdash < 0 ? this.argv : this.argv.slice(0, dashdash);
    if (opts.includes('--help') || (!hOwned && opts.includes('-h'))) {
      process.stdout.write(
        helpText(
          commandMeta(this.ctor as unknown as typeof EucaCommand),
          (require('./style') as typeof import('./style')).styleFor(process.stdout),
        ),
      );
      this.exit(0);
    }
  }

  /**
   * Positional arguments come from the command line only: oclif would otherwise read a piped
   * stdin into a missing one (waiting up to 10 ms for it), and `... | euca-describe-instances`
   * in a script would take the pipe's text for an instance id.
   */
  protected override parse<
    F extends Record<string, unknown>,
    B extends Record<string, unknown>,
    A extends Record<string, unknown>,
  >(options?: Interfaces.Input<F, B, A>, argv?: string[]): Promise<Interfaces.ParserOutput<F, B, A>> {
    const opts = options ?? (this.ctor as unknown as Interfaces.Input<F, B, A>);
    const args = Object.fromEntries(
      Object.entries(opts.args ?? {}).map(([k, a]) => [k, { ...(a as object), ignoreStdin: true }]),
    ) as Interfaces.ArgInput<A>;
    return super.parse({ flags: opts.flags, baseFlags: opts.baseFlags, args, strict: opts.strict }, argv);
  }

  override async catch(err: Error): Promise<never> {
    throw err;
  }

  protected out(lines: string[]): void {
    if (lines.length) process.stdout.write(lines.join('\n') + '\n');
  }
}

export function commandMeta(cmd: typeof EucaCommand, id = cmd.id ?? ''): CommandMeta {
  const all = { ...(cmd.baseFlags ?? {}), ...(cmd.flags ?? {}) } as Record<string, any>;
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

/**
 * The connection flags less some short options, for commands whose own options take them (as
 * euca-register's -a ARCH): the access key is then -I only, the secret key -S only.
 */
export function connectionFlagsWithout(...chars: string[]): typeof connectionFlags {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(connectionFlags) as [string, { char?: string; charAliases?: string[] }][]) {
    const shorts = [f.char, ...(f.charAliases ?? [])].filter((c): c is string => !!c && !chars.includes(c));
    out[name] = { ...f, char: shorts[0], charAliases: shorts.slice(1) };
  }
  return out as typeof connectionFlags;
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
    this.print(await client.call(ctor.action, this.params(parsed)), parsed);
  }
}
