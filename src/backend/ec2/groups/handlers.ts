/** The EC2 security group actions on the wire; the rules are the group service's (service.ts). */
import { type RequestContext } from '../../context';
import { filtersParam, listParam, requireParam } from '../../query-params';
import { tagSet } from '../tags/filters';
import { type Tag } from '../tags/store';
import { parsePermissions } from './permissions';
import { type GroupRef } from './service';
import { type SecurityGroup } from './store';

const groupRef = (ctx: RequestContext): GroupRef => ({
  id: ctx.params.GroupId || undefined,
  name: ctx.params.GroupName || undefined,
});

export function authorizeSecurityGroupIngress(ctx: RequestContext) {
  ctx.cloud.ec2.groups.authorizeIngress(ctx.principal, groupRef(ctx), parsePermissions(ctx.params));
  return { return: true };
}

export function revokeSecurityGroupIngress(ctx: RequestContext) {
  ctx.cloud.ec2.groups.revokeIngress(ctx.principal, groupRef(ctx), parsePermissions(ctx.params));
  return { return: true };
}

export function createSecurityGroup(ctx: RequestContext) {
  const group = ctx.cloud.ec2.groups.create(
    ctx.principal,
    requireParam(ctx.params, 'GroupName'),
    requireParam(ctx.params, 'GroupDescription'),
  );
  return { return: true, groupId: group.id };
}

export function deleteSecurityGroup(ctx: RequestContext) {
  ctx.cloud.ec2.groups.delete(ctx.principal, groupRef(ctx));
  return { return: true };
}

function groupItem(ctx: RequestContext, g: SecurityGroup, tags: Map<string, Tag[]>) {
  return {
    ownerId: g.accountId,
    groupId: g.id,
    groupName: g.name,
    groupDescription: g.description,
    ipPermissions: g.rules.map((r) => ({
      ipProtocol: r.protocol,
      fromPort: r.fromPort,
      toPort: r.toPort,
      groups: r.sourceGroups.map((s) => ({
        userId: s.accountId,
        groupId: ctx.cloud.ec2.groups.sourceGroupId(s),
        groupName: s.name,
      })),
      ipRanges: r.cidrs.map((cidrIp) => ({ cidrIp })),
    })),
    ipPermissionsEgress: [],
    tagSet: tagSet(tags.get(g.id)),
  };
}

export function describeSecurityGroups(ctx: RequestContext) {
  const { groups, tags } = ctx.cloud.ec2.groups.describe(ctx.principal, {
    names: listParam(ctx.params, 'GroupName'),
    ids: listParam(ctx.params, 'GroupId'),
    filters: filtersParam(ctx.params),
  });
  return { securityGroupInfo: groups.map((g) => groupItem(ctx, g, tags)) };
}
