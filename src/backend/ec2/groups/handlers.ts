/** The EC2 security group actions on the wire; the rules are the group service's (service.ts). */
import { type QueryCall } from '../../query-service';
import { filtersParam, listParam, requireParam } from '../../query-params';
import { tagSet } from '../tags/filters';
import { type Tag } from '../tags/store';
import { parsePermissions } from './permissions';
import { type GroupRef } from './service';
import { type SecurityGroup } from './store';
import type { SecurityGroupService } from './service';

const groupRef = (ctx: QueryCall): GroupRef => ({
  id: ctx.params.GroupId || undefined,
  name: ctx.params.GroupName || undefined,
});

/** The actions, given the service they call. */
export function securityGroupActions(groupService: SecurityGroupService) {
  function groupItem(ctx: QueryCall, g: SecurityGroup, tags: Map<string, Tag[]>) {
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
          groupId: groupService.sourceGroupId(s),
          groupName: s.name,
        })),
        ipRanges: r.cidrs.map((cidrIp) => ({ cidrIp })),
      })),
      ipPermissionsEgress: [],
      tagSet: tagSet(tags.get(g.id)),
    };
  }

  return {
    AuthorizeSecurityGroupIngress: (ctx: QueryCall) => {
      groupService.authorizeIngress(ctx.principal, groupRef(ctx), parsePermissions(ctx.params));
      return { return: true };
    },
    RevokeSecurityGroupIngress: (ctx: QueryCall) => {
      groupService.revokeIngress(ctx.principal, groupRef(ctx), parsePermissions(ctx.params));
      return { return: true };
    },
    CreateSecurityGroup: (ctx: QueryCall) => {
      const group = groupService.create(
        ctx.principal,
        requireParam(ctx.params, 'GroupName'),
        requireParam(ctx.params, 'GroupDescription'),
      );
      return { return: true, groupId: group.id };
    },
    DeleteSecurityGroup: (ctx: QueryCall) => {
      groupService.delete(ctx.principal, groupRef(ctx));
      return { return: true };
    },
    DescribeSecurityGroups: (ctx: QueryCall) => {
      const { groups, tags } = groupService.describe(ctx.principal, {
        names: listParam(ctx.params, 'GroupName'),
        ids: listParam(ctx.params, 'GroupId'),
        filters: filtersParam(ctx.params),
      });
      return { securityGroupInfo: groups.map((g) => groupItem(ctx, g, tags)) };
    },
  };
}
