/**
 * The base of the euare-* commands: a QueryCommand for the IAM service whose run() can prepare
 * (prompt for a password, read a file) before the action and make follow-up calls after it
 * (euare-usercreate -g -k), and the options most of them share.
 */
import { Flags } from '@oclif/core';
import { type Parsed, QueryCommand, type Route, routedParams } from './command';
import { UsageError } from '../shared/errors';
import { type Params, QueryClient } from './query';
import { type XmlNode } from './xml';
import { credentialsConfig } from './credentials-config';

/** euca2ools' --as-account: the cloud admin acts on another account (DelegateAccount). */
export const asAccountFlag = Flags.string({
  summary: '[Eucalyptus cloud admin only] run this command as the administrator of another account',
  helpValue: 'ACCOUNT',
});

export function delegate(flags: Record<string, any>): Params {
  return flags['as-account'] ? { DelegateAccount: flags['as-account'] } : {};
}

/**
 * A name given either with its option (-u NAME, as the seeds do) or as the positional argument;
 * a missing required one is argparse's "too few arguments", as euca2ools says it.
 */
export function nameOf(parsed: Parsed, flag: string, _what: string, optional = false): string | undefined {
  const v = parsed.flags[flag] ?? parsed.args.name;
  if (!v && !optional) throw new UsageError(`too few arguments`);
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
  (param: string, _what: string, optional = false): Route =>
  (value: string | undefined, parsed: Parsed) => {
    const v = value ?? parsed.args.name;
    if (!v && !optional) throw new UsageError(`too few arguments`);
    return v ? { [param]: v } : {};
  };

export abstract class IamCommand extends QueryCommand {
  static override tabular = false;
  /** Most Euare actions answer nothing worth printing (Eucalyptus is silent on success). */
  protected print(_result: XmlNode, _parsed: Parsed): void {}

  static override service = 'iam' as const;
  private client?: QueryClient;
  private iamUrl?: URL;
  /** The access key the command signs with. */
  protected accessKeyId?: string;

  /** The action to call: the declared one, unless the arguments choose another. */
  /** The routed parameters, and --as-account's delegation (every Euare command has it). */
  protected override params(parsed: Parsed): Params {
    const ctor = this.ctor as unknown as typeof IamCommand;
    return { ...delegate(parsed.flags), ...ctor.fixedParams, ...routedParams(ctor.route, parsed) };
  }

  /** Runs before the action's parameters are built: prompts, file reads. */
  protected async prepare(_parsed: Parsed): Promise<void> {}

  /** A dry run's lines, printed instead of sending the action (euare-userdel -p); none by default. */
  protected async pretend(_parsed: Parsed): Promise<string[] | undefined> {
    return undefined;
  }

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
    const endpoint = await this.endpoint(parsed.flags);
    this.iamUrl = endpoint.url;
    this.accessKeyId = endpoint.accessKeyId;
    this.client = new QueryClient(endpoint);
    await this.prepare(parsed);
    const dryRun = await this.pretend(parsed);
    if (dryRun) return this.out(dryRun);
    const result = await this.client.call(this.actionFor(parsed), this.params(parsed));
    await this.after(result, parsed);
    this.print(result, parsed);
  }

  /**
   * A new access key's lines: its id and secret key, or with -w a euca2ools.ini(5) file
   * (credentials-config.ts), whose user section names the key's account (asked for when not given).
   */
  protected async accessKeyLines(key: XmlNode, flags: Record<string, any>, accountId?: string): Promise<string[]> {
    if (!flags['write-config']) return [key.AccessKeyId, key.SecretAccessKey];
    // The key exists now: a user who may not GetUser still gets it, without the account (as euca2ools).
    let account = accountId;
    if (account === undefined)
      try {
        const got = await this.call('GetUser', { ...delegate(flags), UserName: key.UserName });
        account = String(got.User?.Arn ?? '').split(':')[4];
      } catch (e) {
        process.stderr.write(`warning: unable to retrieve account ID (${(e as Error).message})\n`);
      }
    const { text, warning } = credentialsConfig({
      iamUrl: this.iamUrl!,
      domain: flags.domain,
      region: flags.region?.includes('@') ? flags.region.split('@')[1] || undefined : flags.region,
      userName: key.UserName ?? 'admin',
      accountId: account || undefined,
      keyId: key.AccessKeyId,
      secret: key.SecretAccessKey,
      setDefaultUser: flags['set-default-user'],
    });
    if (warning) process.stderr.write(warning + '\n');
    return [text.replace(/\n$/, '')];
  }

  /** Follow-up calls whose results print with the main one. */
  protected async after(_result: XmlNode, _parsed: Parsed): Promise<void> {}
}
