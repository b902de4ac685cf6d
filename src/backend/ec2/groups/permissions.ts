/**
 * The ingress permissions of AuthorizeSecurityGroupIngress and RevokeSecurityGroupIngress, in both
 * of EC2's forms as the wire model reads them: the old flat one (IpProtocol, FromPort, ToPort,
 * CidrIp, SourceSecurityGroupName, SourceSecurityGroupOwnerId) and IpPermissions.N. Protocols, port ranges,
 * ICMP type and code, and CIDR blocks are checked here, before anything changes.
 */
import { invalidParameter, ServiceError } from '../../errors';
import type { AuthorizeSecurityGroupIngressRequest } from '../../../shared/wire/ec2';
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

function port(name: string, value: number | undefined): number {
  if (value === undefined) throw new ServiceError('MissingParameter', `The request must contain the parameter ${name}`);
  return value;
}

/** TCP and UDP: ports 0-65535 with from <= to; ICMP: type and code -1 (any) to 255; all: none. */
export function checkPorts(protocol: Protocol, from: number | undefined, to: number | undefined): [number, number] {
  if (protocol === '-1') return [-1, -1];
  const f = port('FromPort', from);
  const t = port('ToPort', to);
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

function permission(
  protocol: string,
  from: number | undefined,
  to: number | undefined,
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

/** The ingress a request names, in either of EC2's forms (IpPermissions.N, or the flat one). */
export type IngressRequest = Pick<
  AuthorizeSecurityGroupIngressRequest,
  | 'IpPermissions'
  | 'IpProtocol'
  | 'FromPort'
  | 'ToPort'
  | 'CidrIp'
  | 'SourceSecurityGroupName'
  | 'SourceSecurityGroupOwnerId'
>;

export function permissionsOf(r: IngressRequest): Permission[] {
  if (r.IpPermissions?.length) {
    return r.IpPermissions.map((perm, i) => {
      const cidrs = (perm.IpRanges ?? []).map((x) => x.CidrIp).filter((c): c is string => c !== undefined);
      const groups = (perm.UserIdGroupPairs ?? []).map((g) => ({
        userId: g.UserId,
        groupName: g.GroupName,
        groupId: g.GroupId,
      }));
      if (!perm.IpProtocol)
        throw new ServiceError(
          'MissingParameter',
          `The request must contain the parameter IpPermissions.${i + 1}.IpProtocol`,
        );
      return permission(perm.IpProtocol, perm.FromPort, perm.ToPort, cidrs, groups, `IpPermissions.${i + 1}`);
    });
  }
  const groups: SourceGroupRef[] = r.SourceSecurityGroupName
    ? [{ userId: r.SourceSecurityGroupOwnerId, groupName: r.SourceSecurityGroupName }]
    : [];
  const cidrs = r.CidrIp ? [r.CidrIp] : [];
  if (!r.IpProtocol) {
    // EC2's old form: a source group alone admits all TCP, UDP and ICMP from that group.
    if (!groups.length)
      throw new ServiceError(
        'MissingParameter',
        'The request must contain IpPermissions, or IpProtocol with FromPort, ToPort and CidrIp, or ' +
          'SourceSecurityGroupName',
      );
    return [
      permission('tcp', 0, 65535, [], groups, 'The rule'),
      permission('udp', 0, 65535, [], groups, 'The rule'),
      permission('icmp', -1, -1, [], groups, 'The rule'),
    ];
  }
  return [permission(r.IpProtocol, r.FromPort, r.ToPort, cidrs, groups, 'The rule')];
}
