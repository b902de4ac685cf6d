/**
 * The base of the euare-* commands: a QueryCommand for the IAM service whose run() can prepare
 * (prompt for a password, read a file) before the action and make follow-up calls after it
 * (euare-usercreate -g -k), and the options most of them share.
 */
import { Flags } from '@oclif/core';
import { type Parsed, QueryCommand, type Route, routedParams } from './command';
import { CliError } from '../shared/errors';
import { type Params, QueryClient } from './query';
import { type XmlNode } from './xml';

/** euca2ools' --as-account: the cloud admin acts on another account (DelegateAccount). */
export const asAccountFlag = Flags.string({
  summary: '[Eucalyptus cloud admin only] run this command as the administrator of another account',
  helpValue: 'ACCOUNT',
});

export function delegate(flags: Record<string, any>): Params {
  return flags['as-account'] ? { DelegateAccount: flags['as-account'] } : {};
}

/** A name given either with its option (-u NAME, as the seeds do) or as the positional argument. */
export function nameOf(parsed: Parsed, flag: string, what: string, optional = false): string | undefined {
  const v = parsed.flags[flag] ?? parsed.args.name;
  if (!v && !optional) throw new CliError('MissingParameter', `${what} is required`);
  return v;
}

/** An optional user name (the caller when absent). */
export function userParam(parsed: Parsed): Params {
  const v = nameOf(parsed, 'user-name', 'user name', true);
  return v ? { UserName: v } : {};
}

/**
 * The route of a name given with its option or as the positional argument (`-u alice` or
 * `alice`), required unless `optional`.
 */
export const named =
  (param: string, what: string, optional = false): Route =>
  (value: string | undefined, parsed: Parsed) => {
    const v = value ?? parsed.args.name;
    if (!v && !optional) throw new CliError('MissingParameter', `${what} is required`);
    return v ? { [param]: v } : {};
  };

export abstract class IamCommand extends QueryCommand {
  /** Most Euare actions answer nothing worth printing (Eucalyptus is silent on success). */
  protected print(_result: XmlNode, _parsed: Parsed): void {}

  static override service = 'iam' as const;
  private client?: QueryClient;

  /** The action to call: the declared one, unless the arguments choose another. */
  protected actionFor(_parsed: Parsed): string {
    return (this.ctor as unknown as typeof IamCommand).action;
  }

  /** The routed parameters, and --as-account's delegation (every Euare command has it). */
  protected override params(parsed: Parsed): Params {
    const ctor = this.ctor as unknown as typeof IamCommand;
    return { ...delegate(parsed.flags), ...ctor.fixedParams, ...routedParams(ctor.route, parsed) };
  }

  /** Runs before the action's parameters are built: prompts, file reads. */
  protected async prepare(_parsed: Parsed): Promise<void> {}

  /** A further action on the same endpoint, after the main one. */
  protected call(action: string, params: Params): Promise<XmlNode> {
    return this.client!.call(action, params);
  }

  override async run(): Promise<void> {
    const ctor = this.ctor as unknown as typeof IamCommand;
    const parsed = (await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      args: ctor.args,
      strict: ctor.strict,
    })) as Parsed;
    this.client = new QueryClient(await this.endpoint(parsed.flags));
    await this.prepare(parsed);
    const result = await this.client.call(this.actionFor(parsed), this.params(parsed));
    await this.after(result, parsed);
    this.print(result, parsed);
  }

  /** Follow-up calls whose results print with the main one. */
  protected async after(_result: XmlNode, _parsed: Parsed): Promise<void> {}
}
