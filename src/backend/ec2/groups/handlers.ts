/**
 * The EC2 security group actions: CreateSecurityGroup, DeleteSecurityGroup (by name or ID; never
 * `default`, nor a group other groups' rules admit traffic from, nor one in use elsewhere),
 * DescribeSecurityGroups with names, IDs and filters, and Authorize/RevokeSecurityGroupIngress,
 * which exist only in the MANAGED networking modes. A request's grants are all checked before any
 * is applied, so a refused request changes nothing.
 */
import { requireManagedNetworking } from '../../cluster/network-mode';
import { type CloudContext, type RequestContext } from '../../context';
import { invalidParameter, ServiceError } from '../../errors';
import { applyFilters, filtersParam, listParam, requireParam } from '../../query-params';
import { registerResourceKind } from '../resources';
import { tagFilterFields, tagSet } from '../tags/filters';
import { parsePermissions, type SourceGroupRef } from './permissions';
import { DEFAULT_GROUP, type Grant, type SecurityGroup, type SourceGroup } from './store';

registerResourceKind(['sg'], (ctx, id) => ctx.cloud.groups.getById(id)?.accountId, 'InvalidGroup.NotFound');

/** Another part's reason a group cannot be deleted (instances running in it, ...), or undefined. */
export type GroupInUseCheck = (cloud: CloudContext, group: SecurityGroup) => string | undefined;
const inUseChecks: GroupInUseCheck[] = [];
export function registerGroupInUseCheck(check: GroupInUseCheck): void {
  inUseChecks.push(check);
}

const notFound = (what: string) =>
  new ServiceError('InvalidGroup.NotFound', `The security group '${what}' does not exist`);

function checkText(name: string, value: string, what: string): string {
  if (value.length > 255 || !/^[\x20-\x7e]+$/.test(value))
    throw invalidParameter(name, value, `A ${what} is 1 to 255 printable ASCII characters.`);
  return value;
}

/** The caller's group named by GroupId or GroupName. */
function targetGroup(ctx: RequestContext): SecurityGroup {
  const me = ctx.principal.account.id;
  const { GroupId: id, GroupName: name } = ctx.params;
  if (id) {
    const g = ctx.cloud.groups.getById(id);
    if (!g || g.accountId !== me) throw notFound(id);
    return g;
  }
  if (!name) throw new ServiceError('MissingParameter', 'The request must contain the parameter GroupName or GroupId');
  const g = ctx.cloud.groups.get(me, name);
  if (!g) throw notFound(name);
  return g;
}

/** UserId is an account ID or, as Eucalyptus allows, an account name; absent means the caller. */
function accountOf(ctx: RequestContext, userId: string | undefined): string | undefined {
  if (!userId) return ctx.principal.account.id;
  return (ctx.cloud.store.findAccount(userId) ?? ctx.cloud.store.findAccountByName(userId))?.id;
}

function resolveSource(ctx: RequestContext, ref: SourceGroupRef): SourceGroup {
  if (ref.groupId) {
    const g = ctx.cloud.groups.getById(ref.groupId);
    if (!g) throw notFound(ref.groupId);
    return { accountId: g.accountId, name: g.name };
  }
  if (!ref.groupName) throw new ServiceError('MissingParameter', 'A source group needs a GroupName or a GroupId');
  const account = accountOf(ctx, ref.userId);
  if (!account || !ctx.cloud.groups.get(account, ref.groupName))
    throw notFound(ref.userId ? `${ref.userId}/${ref.groupName}` : ref.groupName);
  return { accountId: account, name: ref.groupName };
}

function requestedGrants(ctx: RequestContext): Grant[] {
  const grants = new Map<string, Grant>();
  for (const p of parsePermissions(ctx.params)) {
    const base = { protocol: p.protocol, fromPort: p.fromPort, toPort: p.toPort };
    for (const cidr of p.cidrs) grants.set(JSON.stringify([base, cidr]), { ...base, cidr });
    for (const ref of p.groups) {
      const sourceGroup = resolveSource(ctx, ref);
      grants.set(JSON.stringify([base, sourceGroup]), { ...base, sourceGroup });
    }
  }
  return [...grants.values()];
}

function describeGrant(g: Grant): string {
  const peer = g.cidr ?? `${g.sourceGroup!.accountId}/${g.sourceGroup!.name}`;
  return `peer: ${peer}, ${g.protocol.toUpperCase()}, from port: ${g.fromPort}, to port: ${g.toPort}, ALLOW`;
}

export function authorizeSecurityGroupIngress(ctx: RequestContext) {
  requireManagedNetworking(ctx, 'Security group rules');
  const group = targetGroup(ctx);
  const grants = requestedGrants(ctx);
  ctx.cloud.store.transaction(() => {
    for (const g of grants) {
      if (ctx.cloud.groups.hasGrant(group.id, g))
        throw new ServiceError(
          'InvalidPermission.Duplicate',
          `the specified rule "${describeGrant(g)}" already exists`,
        );
    }
    ctx.cloud.groups.addGrants(group.id, grants);
  });
  ctx.cloud.cluster.renderNetworkRules();
  return { return: true };
}

export function revokeSecurityGroupIngress(ctx: RequestContext) {
  requireManagedNetworking(ctx, 'Security group rules');
  const group = targetGroup(ctx);
  const grants = requestedGrants(ctx);
  ctx.cloud.store.transaction(() => {
    for (const g of grants) {
      if (!ctx.cloud.groups.hasGrant(group.id, g))
        throw new ServiceError(
          'InvalidPermission.NotFound',
          `The specified rule "${describeGrant(g)}" does not exist in security group '${group.name}'`,
        );
    }
    ctx.cloud.groups.removeGrants(group.id, grants);
  });
  ctx.cloud.cluster.renderNetworkRules();
  return { return: true };
}

export function createSecurityGroup(ctx: RequestContext) {
  const name = checkText('GroupName', requireParam(ctx.params, 'GroupName'), 'group name');
  const description = checkText('GroupDescription', requireParam(ctx.params, 'GroupDescription'), 'group description');
  if (/^sg-/i.test(name)) throw invalidParameter('GroupName', name, 'Group names may not be in the format sg-*.');
  const group = ctx.cloud.groups.create(ctx.principal.account.id, name, description);
  if (!group) throw new ServiceError('InvalidGroup.Duplicate', `The security group '${name}' already exists`);
  return { return: true, groupId: group.id };
}

export function deleteSecurityGroup(ctx: RequestContext) {
  const group = targetGroup(ctx);
  if (group.name === DEFAULT_GROUP)
    throw new ServiceError('CannotDelete', `The security group 'default' cannot be deleted`);
  const users = ctx.cloud.groups.referencingGroups(group);
  if (users.length)
    throw new ServiceError(
      'InvalidGroup.InUse',
      `Group ${group.id} (${group.name}) is referenced by the rules ` +
        `of ${users.map((g) => `${g.id} (${g.name})`).join(', ')}`,
    );
  for (const check of inUseChecks) {
    const why = check(ctx.cloud, group);
    if (why) throw new ServiceError('InvalidGroup.InUse', why);
  }
  ctx.cloud.store.transaction(() => {
    ctx.cloud.groups.delete(group.id);
    ctx.cloud.tags.forgetResource(group.id);
  });
  return { return: true };
}

function groupItem(ctx: RequestContext, g: SecurityGroup, tags: ReturnType<CloudContext['tags']['forResources']>) {
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
        groupId: ctx.cloud.groups.get(s.accountId, s.name)?.id,
        groupName: s.name,
      })),
      ipRanges: r.cidrs.map((cidrIp) => ({ cidrIp })),
    })),
    ipPermissionsEgress: [],
    tagSet: tagSet(tags.get(g.id)),
  };
}

export function describeSecurityGroups(ctx: RequestContext) {
  const me = ctx.principal.account.id;
  let groups = ctx.cloud.groups.list(me);
  const names = listParam(ctx.params, 'GroupName');
  const ids = listParam(ctx.params, 'GroupId');
  for (const n of names) if (!groups.some((g) => g.name === n)) throw notFound(n);
  for (const id of ids) if (!groups.some((g) => g.id === id)) throw notFound(id);
  if (names.length || ids.length) groups = groups.filter((g) => names.includes(g.name) || ids.includes(g.id));
  const tags = ctx.cloud.tags.forResources(
    me,
    groups.map((g) => g.id),
  );
  const filters = filtersParam(ctx.params);
  const ports = (g: SecurityGroup, f: (r: SecurityGroup['rules'][number]) => number | undefined) =>
    g.rules
      .map((r) => f(r))
      .filter((p) => p !== undefined)
      .map(String);
  groups = applyFilters(groups, filters, {
    description: (g) => g.description,
    'group-id': (g) => g.id,
    'group-name': (g) => g.name,
    'owner-id': (g) => g.accountId,
    'ip-permission.cidr': (g) => g.rules.flatMap((r) => r.cidrs),
    'ip-permission.from-port': (g) => ports(g, (r) => r.fromPort),
    'ip-permission.to-port': (g) => ports(g, (r) => r.toPort),
    'ip-permission.protocol': (g) => g.rules.map((r) => r.protocol),
    'ip-permission.group-name': (g) => g.rules.flatMap((r) => r.sourceGroups.map((s) => s.name)),
    'ip-permission.user-id': (g) => g.rules.flatMap((r) => r.sourceGroups.map((s) => s.accountId)),
    ...tagFilterFields(filters, (g: SecurityGroup) => tags.get(g.id) ?? []),
  });
  return { securityGroupInfo: groups.map((g) => groupItem(ctx, g, tags)) };
}
