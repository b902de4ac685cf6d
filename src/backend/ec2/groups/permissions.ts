/**
 * Reading the ingress permissions of AuthorizeSecurityGroupIngress and RevokeSecurityGroupIngress,
 * in both of EC2's forms: the old flat one (IpProtocol, FromPort, ToPort, CidrIp,
 * SourceSecurityGroupName, SourceSecurityGroupOwnerId) and IpPermissions.N. Protocols, port ranges,
 * ICMP type and code, and CIDR blocks are checked here, before anything changes.
 */
import { invalidParameter, ServiceError } from '../../errors';
import { listParam } from '../../query-params';
import { type Protocol } from './store';

/** A source group as the request names it; the handler resolves it to an account and a name. */
export interface SourceGroupRef {
  userId?: string;
  groupName?: string;
  groupId?: string;
}

export interface Permission {
  protocol: Protocol;
  fromPort: number;
  toPort: number;
  cidrs: string[];
  groups: SourceGroupRef[];
}

const PROTOCOLS: Record<string, Protocol> = {
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  icmp: 'icmp',
  '1': 'icmp',
  '-1': '-1',
  all: '-1',
};

export function normalizeProtocol(value: string): Protocol {
  const p = PROTOCOLS[value.toLowerCase()];
  if (!p) throw invalidParameter('IpProtocol', value, 'The protocol is one of tcp, udp, icmp or -1 (all).');
  return p;
}

/** a.b.c.d/n, each octet 0-255 and n 0-32. */
export function validateCidr(cidr: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw invalidParameter('CidrIp', cidr, 'A CIDR block is a.b.c.d/n, each number 0-255 and n 0-32.');
  }
  return cidr;
}

function integer(name: string, value: string | undefined): number {
  if (value === undefined || value === '')
    throw new ServiceError('MissingParameter', `The request must contain the parameter ${name}`);
  if (!/^-?\d+$/.test(value)) throw invalidParameter(name, value, 'It must be an integer.');
  return Number(value);
}

/** TCP and UDP: ports 0-65535 with from <= to; ICMP: type and code -1 (any) to 255; all: none. */
export function checkPorts(protocol: Protocol, from: string | undefined, to: string | undefined): [number, number] {
  if (protocol === '-1') return [-1, -1];
  const f = integer('FromPort', from);
  const t = integer('ToPort', to);
  if (protocol === 'icmp') {
    if (f < -1 || f > 255) throw invalidParameter('FromPort', String(f), 'An ICMP type is -1 (any) to 255.');
    if (t < -1 || t > 255) throw invalidParameter('ToPort', String(t), 'An ICMP code is -1 (any) to 255.');
    return [f, t];
  }
  for (const [name, v] of [
    ['FromPort', f],
    ['ToPort', t],
  ] as const) {
    if (v < 0 || v > 65535) throw invalidParameter(name, String(v), 'A port is 0 to 65535.');
  }
  if (f > t)
    throw invalidParameter(
      'FromPort',
      String(f),
      `The port range ${f}-${t} is empty: FromPort must not exceed ToPort.`,
    );
  return [f, t];
}

/** The structures under a prefix: `IpPermissions.1.Groups.2.GroupName` → entry 2 of Groups. */
function structures(params: Record<string, string>, prefix: string): Record<string, string>[] {
  const byIndex = new Map<number, Record<string, string>>();
  for (const [k, v] of Object.entries(params)) {
    if (!k.startsWith(prefix + '.')) continue;
    const m = /^(\d+)\.(.+)$/.exec(k.slice(prefix.length + 1));
    if (!m) continue;
    const entry = byIndex.get(+m[1]) ?? {};
    entry[m[2]] = v;
    byIndex.set(+m[1], entry);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
}

function permission(
  protocol: string,
  from: string | undefined,
  to: string | undefined,
  cidrs: string[],
  groups: SourceGroupRef[],
  where: string,
): Permission {
  const p = normalizeProtocol(protocol);
  const [fromPort, toPort] = checkPorts(p, from, to);
  if (!cidrs.length && !groups.length)
    throw new ServiceError('MissingParameter', `${where} must name a source: a CIDR block or a security group`);
  return { protocol: p, fromPort, toPort, cidrs: cidrs.map(validateCidr), groups };
}

export function parsePermissions(params: Record<string, string>): Permission[] {
  const numbered = structures(params, 'IpPermissions');
  if (numbered.length) {
    return numbered.map((perm, i) => {
      const sub = (name: string) => structures(perm, name);
      const cidrs = sub('IpRanges')
        .map((r) => r.CidrIp)
        .filter((c): c is string => c !== undefined);
      const groups = sub('Groups').map((g) => ({ userId: g.UserId, groupName: g.GroupName, groupId: g.GroupId }));
      if (!perm.IpProtocol)
        throw new ServiceError(
          'MissingParameter',
          `The request must contain the parameter IpPermissions.${i + 1}.IpProtocol`,
        );
      return permission(perm.IpProtocol, perm.FromPort, perm.ToPort, cidrs, groups, `IpPermissions.${i + 1}`);
    });
  }
  const p = params;
  const groups: SourceGroupRef[] = p.SourceSecurityGroupName
    ? [{ userId: p.SourceSecurityGroupOwnerId, groupName: p.SourceSecurityGroupName }]
    : [];
  const cidrs = p.CidrIp ? [p.CidrIp] : listParam(p, 'CidrIp');
  if (!p.IpProtocol) {
    // EC2's old form: a source group alone admits all TCP, UDP and ICMP from that group.
    if (!groups.length)
      throw new ServiceError(
        'MissingParameter',
        'The request must contain IpPermissions, or IpProtocol with FromPort, ToPort and CidrIp, or ' +
          'SourceSecurityGroupName',
      );
    return [
      permission('tcp', '0', '65535', [], groups, 'The rule'),
      permission('udp', '0', '65535', [], groups, 'The rule'),
      permission('icmp', '-1', '-1', [], groups, 'The rule'),
    ];
  }
  return [permission(p.IpProtocol, p.FromPort, p.ToPort, cidrs, groups, 'The rule')];
}
