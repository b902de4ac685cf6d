/**
 * The policy commands, the same five for users (-u) and groups (-g): addpolicy builds a
 * one-statement document from -e/-a/-r, uploadpolicy sends one from a file or the command line,
 * getpolicy prints one, listpolicies lists names (with -v their documents), delpolicy removes one.
 * Each kind declares itself for an owner (spec); a command file is `Kind.for('user')`.
 */
import * as fs from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { buildPolicy } from '../shared/policy-builder';
import { type Parsed } from './command';
import { CliError, UsageError } from '../shared/errors';
import { asAccountFlag, delegate, IamCommand, nameOf } from './iam-command';
import { type Params } from './query';
import { listOf, type XmlNode } from './xml';

export type PolicyOwner = 'user' | 'group';

const OWNER = {
  user: { flag: 'user-name', char: 'u', param: 'UserName', helpValue: 'USER' },
  group: { flag: 'group-name', char: 'g', param: 'GroupName', helpValue: 'GROUP' },
} as const;

/** The owner option (-u USER or -g GROUP), the policy name (-p) and --as-account. */
export function policyFlags(owner: PolicyOwner, policyNameRequired = true) {
  const o = OWNER[owner];
  return {
    [o.flag]: Flags.string({ char: o.char, summary: `name of the ${owner}`, helpValue: o.helpValue }),
    'policy-name': Flags.string({
      char: 'p',
      summary: 'name of the policy',
      helpValue: 'POLICY',
      required: policyNameRequired,
    }),
    'as-account': asAccountFlag,
  };
}

export const ownerArgs = (owner: PolicyOwner) => ({ name: Args.string({ description: `name of the ${owner}` }) });

/** IAM sends policy documents URL-encoded. */
export const policyText = (encoded: string) => decodeURIComponent(encoded);

/** --pretty-print: the policy document reformatted, four spaces an indent (as euca2ools prints it). */
export const prettyPrintFlag = Flags.boolean({ summary: 'reformat the policy for easier reading' });

function documentText(encoded: string, pretty: boolean, name: string): string {
  const text = policyText(encoded);
  if (!pretty) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 4);
  } catch {
    throw new CliError('MalformedPolicyDocument', `policy '${name}' does not appear to be valid JSON`);
  }
}

/** What a policy command declares for one owner. */
export interface PolicySpec {
  summary: string;
  action: string;
  flags: Record<string, unknown>;
  examples?: string[];
}

const Owner = (owner: PolicyOwner) => (owner === 'user' ? 'User' : 'Group');

export abstract class PolicyCommand extends IamCommand {
  static owner: PolicyOwner;

  /** The command's declaration for an owner; each kind of policy command says its own. */
  static spec(owner: PolicyOwner): PolicySpec {
    return {
      summary: `Remove a policy from a ${owner}`,
      action: `Delete${Owner(owner)}Policy`,
      flags: policyFlags(owner),
    };
  }

  /** The command for one owner: `export default AddPolicyCommand.for('group')`. */
  static for<T extends typeof PolicyCommand>(this: T, owner: PolicyOwner): T {
    const spec = this.spec(owner);
    const Base = this as unknown as new () => PolicyCommand;
    return class extends Base {
      static owner = owner;
      static summary = spec.summary;
      static action = spec.action;
      static flags = spec.flags as any;
      static args = ownerArgs(owner);
      static examples = spec.examples;
    } as unknown as T;
  }

  protected get owner(): PolicyOwner {
    return (this.ctor as unknown as typeof PolicyCommand).owner;
  }

  protected ownerParams(parsed: Parsed): Params {
    const o = OWNER[this.owner];
    return { ...delegate(parsed.flags), [o.param]: nameOf(parsed, o.flag, `${this.owner} name`) };
  }

  protected override params(parsed: Parsed): Params {
    return {
      ...this.ownerParams(parsed),
      ...(parsed.flags['policy-name'] ? { PolicyName: parsed.flags['policy-name'] } : {}),
    };
  }
}

/** euare-{user,group}addpolicy: -e EFFECT -a ACTION... [-r RESOURCE...] [-o]. */
export abstract class AddPolicyCommand extends PolicyCommand {
  /** -a names actions here, as in euca2ools; the access key keeps -I and --access-key. */
  static override description =
    'Builds a one-statement policy document from the effect, actions and resources (default *) and adds it; ' +
    '-o prints the document.';

  static override spec(owner: PolicyOwner): PolicySpec {
    return {
      summary: `Add a new policy to a ${owner}, built from an effect, actions and resources`,
      action: `Put${Owner(owner)}Policy`,
      flags: AddPolicyCommand.addFlags(owner),
      examples: [
        `<%= command.id %> -${OWNER[owner].char} ${owner === 'user' ? 'alice' : 'developers'} -p allow-run -e Allow -a ec2:RunInstances -o`,
      ],
    };
  }

  static addFlags(owner: PolicyOwner) {
    return {
      ...policyFlags(owner),
      effect: Flags.string({ char: 'e', summary: 'Allow or Deny', helpValue: 'EFFECT', required: true }),
      action: Flags.string({
        char: 'a',
        summary: 'an action the policy names, such as ec2:RunInstances (repeatable)',
        helpValue: 'ACTION',
        required: true,
        multiple: true,
        multipleNonGreedy: true,
      }),
      resource: Flags.string({
        char: 'r',
        summary: 'a resource ARN the policy names (repeatable; default *)',
        helpValue: 'RESOURCE',
        multiple: true,
        multipleNonGreedy: true,
      }),
      output: Flags.boolean({ char: 'o', summary: 'print the policy document' }),
    };
  }

  private document(parsed: Parsed): string {
    try {
      return buildPolicy(parsed.flags.effect, parsed.flags.action, parsed.flags.resource ?? []);
    } catch (e) {
      throw new CliError('InvalidParameterValue', (e as Error).message);
    }
  }

  protected override params(parsed: Parsed): Params {
    return { ...super.params(parsed), PolicyDocument: this.document(parsed) };
  }

  protected override print(_result: XmlNode, parsed: Parsed): void {
    if (parsed.flags.output) this.out([this.document(parsed)]);
  }
}

/** euare-{user,group}uploadpolicy: the document from -f FILE or -o JSON. */
export abstract class UploadPolicyCommand extends PolicyCommand {
  static override spec(owner: PolicyOwner): PolicySpec {
    return {
      summary: `Attach a policy document, from a file or the command line, to a ${owner}`,
      action: `Put${Owner(owner)}Policy`,
      flags: UploadPolicyCommand.uploadFlags(owner),
    };
  }

  static uploadFlags(owner: PolicyOwner) {
    return {
      ...policyFlags(owner),
      'policy-document': Flags.string({
        char: 'f',
        summary: 'file holding the policy document',
        helpValue: 'FILE',
        exclusive: ['policy-content'],
      }),
      'policy-content': Flags.string({
        char: 'o',
        summary: 'the policy document itself, as JSON',
        helpValue: 'JSON',
        exclusive: ['policy-document'],
      }),
    };
  }

  protected override async prepare(parsed: Parsed): Promise<void> {
    const { flags } = parsed;
    if (flags['policy-content'] !== undefined) return;
    const file = flags['policy-document'];
    if (file === undefined)
      throw new UsageError('one of the arguments -o/--policy-content -f/--policy-document is required');
    try {
      flags['policy-content'] = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
      throw new CliError(
        'InvalidParameterValue',
        `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      );
    }
  }

  protected override params(parsed: Parsed): Params {
    return { ...super.params(parsed), PolicyDocument: parsed.flags['policy-content'] };
  }
}

/** euare-{user,group}getpolicy: prints the document. */
export abstract class GetPolicyCommand extends PolicyCommand {
  static override spec(owner: PolicyOwner): PolicySpec {
    return {
      summary: `Display one of a ${owner}'s policies`,
      action: `Get${Owner(owner)}Policy`,
      flags: { ...policyFlags(owner), 'pretty-print': prettyPrintFlag },
    };
  }

  protected override print(result: XmlNode, parsed: Parsed): void {
    this.out([documentText(result.PolicyDocument, parsed.flags['pretty-print'], parsed.flags['policy-name'])]);
  }
}

/** euare-{user,group}listpolicies: names, one per line; -v adds each document; -p just that one. */
export abstract class ListPoliciesCommand extends PolicyCommand {
  static override spec(owner: PolicyOwner): PolicySpec {
    return {
      summary: `List the names of a ${owner}'s policies (-v: with their documents)`,
      action: `List${Owner(owner)}Policies`,
      flags: {
        ...policyFlags(owner, false),
        verbose: Flags.boolean({ char: 'v', summary: 'also print each policy document' }),
        'pretty-print': prettyPrintFlag,
      },
    };
  }

  private documents: Map<string, string> = new Map();

  protected override params(parsed: Parsed): Params {
    return this.ownerParams(parsed);
  }

  private names(result: XmlNode, parsed: Parsed): string[] {
    const all = listOf(result, 'PolicyNames').map(String);
    const only = parsed.flags['policy-name'];
    return only === undefined ? all : all.filter((n) => n === only);
  }

  protected override async after(result: XmlNode, parsed: Parsed): Promise<void> {
    if (!parsed.flags.verbose) return;
    const action = `Get${Owner(this.owner)}Policy`;
    for (const name of this.names(result, parsed)) {
      const got = await this.call(action, { ...this.ownerParams(parsed), PolicyName: name });
      this.documents.set(name, documentText(got.PolicyDocument, parsed.flags['pretty-print'], name));
    }
  }

  /**
   * As euca2ools prints them: each name, then its document with -v; with -p, that one policy's
   * name, or with -v its document alone. A user's list ends "IsTruncated: false" (every page was
   * read), a group's does not.
   */
  protected override print(result: XmlNode, parsed: Parsed): void {
    const lines: string[] = [];
    const one = parsed.flags['policy-name'] !== undefined;
    for (const name of this.names(result, parsed)) {
      if (!(one && this.documents.has(name))) lines.push(name);
      if (this.documents.has(name)) lines.push(this.documents.get(name)!);
    }
    if (this.owner === 'user') lines.push('IsTruncated: false');
    this.out(lines);
  }
}
