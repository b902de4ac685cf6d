/**
 * What euca-authorize and euca-revoke share: their flags, turning them into one IpPermissions
 * entry (ports checked as euca2ools checks them, before anything is sent), and printing the rule
 * that changed. -s and -S both name the CIDR source here: -s as in euca2ools 3 and the seed's
 * user guide, -S as in euca2ools 1.x and the seed's quick start; the secret key is --secret-key.
 */
import { Args, Flags } from '@oclif/core';
import { type Parsed, QueryCommand } from './command';
import { UsageError } from '../shared/errors';
import { ruleChangeLines } from './printers/groups';
import { type Params } from './query';

const SG_ID = /^sg-[0-9A-Fa-f]{8}$/;

function parsePortRange(range: string): [number, number] {
  if (range.includes(':'))
    throw new UsageError('argument -p/--port-range: multi-port range must be separated by "-", not ":"');
  const m = /^(-?\d+)(?:-(-?\d+))?$/.exec(range);
  if (!m)
    throw new UsageError(`argument -p/--port-range: '${range}' is neither a port number nor a range of port numbers`);
  let from = Number(m[1]);
  let to = Number(m[2] ?? m[1]);
  if (from < -1 || to < -1) throw new UsageError('argument -p/--port-range: port number(s) must be at least -1');
  // -1 means "every port", as in euca2ools.
  if (from === -1) from = 1;
  if (to === -1) to = 65535;
  return [from, to];
}

/** The ports of a rule from -P, -p and -t: FROM-TO for tcp and udp, TYPE:CODE for icmp. */
export function rulePorts(protocol: string, portRange?: string, icmpTypeCode?: string): [number, number] | undefined {
  const p = protocol.toLowerCase();
  if (p === 'icmp' || p === '1') {
    if (portRange) throw new UsageError(`argument -p/--port-range: not compatible with protocol "${protocol}"`);
    const m = /^(-?\d+):(-?\d+)$/.exec(icmpTypeCode ?? '-1:-1');
    if (!m) throw new UsageError('argument -t/--icmp-type-code: value must have format "TYPE:CODE"');
    const [type, code] = [Number(m[1]), Number(m[2])];
    if (type < -1 || code < -1)
      throw new UsageError('argument -t/--icmp-type-code: ICMP type, code must be at least -1');
    return [type, code];
  }
  if (['tcp', 'udp', '6', '17'].includes(p)) {
    if (icmpTypeCode) throw new UsageError(`argument -t/--icmp-type-code: not compatible with protocol "${protocol}"`);
    if (!portRange) throw new UsageError(`argument -p/--port-range is required for protocol "${protocol}"`);
    return parsePortRange(portRange);
  }
  return undefined;
}

/** `-t -1:-1` and `-p -1` would read as options: bind such values to their flag first. */
export function bindNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const long = { '-t': '--icmp-type-code', '-p': '--port-range' }[argv[i]];
    if (long && /^-\d/.test(argv[i + 1] ?? '')) out.push(`${long}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

/** Each command declares these itself: oclif reads a command's args from its own statics only. */
export const ruleArgs = {
  group: Args.string({ description: 'name or ID of the security group to modify', required: true }),
};

export const ruleFlags = {
  egress: Flags.boolean({
    summary: '[VPC only] manage an egress rule, which controls traffic leaving the group',
  }),
  protocol: Flags.string({
    char: 'P',
    summary: 'the protocol to affect: tcp, udp, icmp, or -1 for all (default: tcp)',
    helpValue: 'PROTOCOL',
    default: 'tcp',
  }),
  'port-range': Flags.string({
    char: 'p',
    summary: 'range of ports ("FROM-TO") or a single port number (required for tcp and udp)',
    helpValue: 'RANGE',
  }),
  'icmp-type-code': Flags.string({
    char: 't',
    summary: 'ICMP type and code ("TYPE:CODE", -1 for any; default -1:-1) for icmp',
    helpValue: 'TYPE:CODE',
  }),
  cidr: Flags.string({
    char: 's',
    charAliases: ['S'],
    summary: 'IP range the rule admits (default: 0.0.0.0/0 unless -o is given)',
    helpValue: 'CIDR',
  }),
  'source-group': Flags.string({
    char: 'o',
    summary: 'name or ID of a security group whose instances the rule admits',
    helpValue: 'GROUP',
  }),
  'source-group-user': Flags.string({
    char: 'u',
    summary: 'account (ID or name) owning the group given with -o (default: yours)',
    helpValue: 'ACCOUNT',
  }),
};

export abstract class GroupRuleCommand extends QueryCommand {
  override async run(): Promise<void> {
    this.argv = bindNegativeValues(this.argv);
    return super.run();
  }

  protected override params({ args, flags }: Parsed): Params {
    if (flags.cidr && flags['source-group'])
      throw new UsageError('argument -s/--cidr: not allowed with argument -o/--source-group');
    if (flags.egress) {
      if (!SG_ID.test(args.group)) throw new UsageError('egress rules must use group IDs, not names');
      if (flags['source-group'] && !SG_ID.test(flags['source-group']))
        throw new UsageError('argument -o: egress rules must use group IDs, not names');
    }
    if (flags['source-group'] && !SG_ID.test(flags['source-group']) && !flags['source-group-user'])
      throw new UsageError('argument -u is required when -o names a security group by name');
    const protocol = ['all', '-1'].includes(flags.protocol.toLowerCase()) ? '-1' : flags.protocol;
    const ports = rulePorts(protocol, flags['port-range'], flags['icmp-type-code']);
    const source = flags['source-group'] as string | undefined;
    return {
      ...(SG_ID.test(args.group) ? { GroupId: args.group } : { GroupName: args.group }),
      IpPermissions: [
        {
          IpProtocol: protocol,
          FromPort: ports?.[0],
          ToPort: ports?.[1],
          IpRanges: source ? [] : [{ CidrIp: flags.cidr ?? '0.0.0.0/0' }],
          Groups: source
            ? [
                {
                  UserId: flags['source-group-user'],
                  ...(SG_ID.test(source) ? { GroupId: source } : { GroupName: source }),
                },
              ]
            : [],
        },
      ],
    };
  }

  /** --egress sends the Egress action, as euca2ools does (egress rules are a VPC feature). */
  protected override actionFor(parsed: Parsed): string {
    const action = super.actionFor(parsed);
    return parsed.flags.egress ? action.replace(/Ingress$/, 'Egress') : action;
  }

  protected print(_: unknown, parsed: Parsed): void {
    const perm = (this.params(parsed).IpPermissions as Params[])[0];
    const { flags, args } = parsed;
    this.out(
      ruleChangeLines({
        group: args.group,
        protocol: String(perm.IpProtocol),
        fromPort: perm.FromPort as number | undefined,
        toPort: perm.ToPort as number | undefined,
        cidr: flags['source-group'] ? undefined : (flags.cidr ?? '0.0.0.0/0'),
        sourceUser: flags['source-group-user'],
        sourceGroup: flags['source-group'],
      }),
    );
  }
}
