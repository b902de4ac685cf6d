/** The EC2 security group actions on the wire; the rules are the group service's (service.ts). */
import type { Ec2Operations } from '../../../shared/wire/ec2';
import { filtersOf, required } from '../../query-params';
import type { Actions } from '../../query-service';
import { tagSet } from '../tags/filters';
import { type Tag } from '../tags/store';
import { permissionsOf } from './permissions';
import type { TagService } from '../tags/service';
import type { GroupRef, SecurityGroupService } from './service';
import { type SecurityGroup, type SourceGroup } from './store';

const groupRef = (input: { GroupId?: string; GroupName?: string }): GroupRef => ({
  id: input.GroupId || undefined,
  name: input.GroupName || undefined,
});

type GroupActions = Actions<
  Ec2Operations,
  | 'CreateSecurityGroup'
  | 'DeleteSecurityGroup'
  | 'DescribeSecurityGroups'
  | 'AuthorizeSecurityGroupIngress'
  | 'RevokeSecurityGroupIngress'
>;

/** The actions, given the service they call. */
export function securityGroupActions(groups: SecurityGroupService, tags: TagService): GroupActions {
  const sourceKey = (s: SourceGroup) => `${s.accountId}/${s.name}`;
  const groupItem = (g: SecurityGroup, tags: Map<string, Tag[]>, sourceIds: Map<string, string | undefined>) => ({
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
        groupId: sourceIds.get(sourceKey(s)),
        groupName: s.name,
      })),
      ipRanges: r.cidrs.map((cidrIp) => ({ cidrIp })),
    })),
    ipPermissionsEgress: [],
    tagSet: tagSet(tags.get(g.id)),
  });
  return {
    AuthorizeSecurityGroupIngress: async ({ principal, input }) => {
      // Rules are not tagged here: a TagSpecification is refused, not dropped.
      tags.specified(input.TagSpecifications, []);
      await groups.authorizeIngress(principal, groupRef(input), permissionsOf(input));
      return { return: true };
    },
    RevokeSecurityGroupIngress: async ({ principal, input }) => {
      await groups.revokeIngress(principal, groupRef(input), permissionsOf(input));
      return { return: true };
    },
    CreateSecurityGroup: async ({ principal, input }) => {
      const wanted = tags.specified(input.TagSpecifications, ['security-group']);
      const group = await groups.create(
        principal,
        required(input.GroupName, 'GroupName'),
        required(input.Description, 'GroupDescription'),
      );
      await tags.tagCreated(principal, [group.id], wanted.get('security-group'));
      return { return: true, groupId: group.id };
    },
    DeleteSecurityGroup: async ({ principal, input }) => {
      await groups.delete(principal, groupRef(input));
      return { return: true };
    },
    DescribeSecurityGroups: async ({ principal, input }) => {
      const found = await groups.describe(principal, {
        names: input.GroupNames ?? [],
        ids: input.GroupIds ?? [],
        filters: filtersOf(input.Filters),
      });
      // The ids of the groups rules name as sources, each looked up once.
      const sourceIds = new Map<string, string | undefined>();
      for (const s of found.groups.flatMap((g) => g.rules.flatMap((r) => r.sourceGroups)))
        if (!sourceIds.has(sourceKey(s))) sourceIds.set(sourceKey(s), await groups.sourceGroupId(s));
      return { securityGroupInfo: found.groups.map((g) => groupItem(g, found.tags, sourceIds)) };
    },
  };
}
