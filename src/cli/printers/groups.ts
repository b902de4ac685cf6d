/**
 * How security groups print. euca-describe-groups prints the seeds' lines: GROUP owner name
 * description, then a PERMISSION line per grant, `PERMISSION owner name ALLOWS protocol from to
 * FROM CIDR cidr`, or for a source group euca2ools 3's `... FROM USER account NAME group ID sg-...`
 * (NAME and ID each when known), then its TAG lines. euca-authorize and euca-revoke print what
 * they changed as euca2ools does: `GROUP name`, then `PERMISSION name ALLOWS protocol from to
 * [USER account] [NAME group | ID sg-...] [FROM CIDR cidr]`.
 */
import { record } from '../output';
import { listOf, type XmlNode } from '../xml';
import { tagLine } from './tags';

export function groupLines(g: XmlNode): string[] {
  const lines = [record('GROUP', g.ownerId, g.groupName, g.groupDescription)];
  for (const p of listOf(g, 'ipPermissions')) {
    const base = ['PERMISSION', g.ownerId, g.groupName, 'ALLOWS', p.ipProtocol, p.fromPort, p.toPort] as const;
    for (const r of listOf(p, 'ipRanges')) lines.push(record(...base, 'FROM', 'CIDR', r.cidrIp));
    for (const s of listOf(p, 'groups'))
      lines.push(
        record(
          ...base,
          'FROM',
          'USER',
          s.userId,
          ...(s.groupName ? ['NAME', s.groupName] : []),
          ...(s.groupId ? ['ID', s.groupId] : []),
        ),
      );
  }
  for (const t of listOf(g, 'tagSet')) lines.push(tagLine(t, g.groupId));
  return lines;
}

export interface RuleChange {
  group: string;
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidr?: string;
  sourceUser?: string;
  sourceGroup?: string;
}

export function ruleChangeLines(c: RuleChange): string[] {
  const source = c.sourceGroup
    ? [...(c.sourceUser ? ['USER', c.sourceUser] : []), c.sourceGroup.startsWith('sg-') ? 'ID' : 'NAME', c.sourceGroup]
    : [];
  return [
    record('GROUP', c.group),
    record(
      'PERMISSION',
      c.group,
      'ALLOWS',
      c.protocol,
      c.fromPort,
      c.toPort,
      ...source,
      ...(c.cidr ? ['FROM', 'CIDR', c.cidr] : []),
    ),
  ];
}
