/**
 * Security groups: create, delete (by name or ID; never `default`, nor a group other groups' rules
 * admit traffic from, nor one instances run in), describe with names, IDs and filters, and
 * authorize/revoke ingress, which exist only in the MANAGED networking modes. A request's grants
 * are all checked before any is applied, so a refused request changes nothing; every change of
 * rules renders the cluster's firewall again.
 */
import { requireManagedNetworking } from '../../cluster/network-mode';
import { invalidParameter, ServiceError } from '../../errors';
import { applyFilters, type Filter, matchingNothing } from '../../query-params';
import type { Principal } from '../../store/types';
import { tagFilterFields } from '../tags/filters';
import type { Tag, TagStore } from '../tags/store';
import type { Permission, SourceGroupRef } from './permissions';
import { DEFAULT_GROUP, type Grant, type SecurityGroup, type SecurityGroupStore, type SourceGroup } from './store';

const notFound = (what: string) =>
  new ServiceError('InvalidGroup.NotFound', `The security group '${what}' does not exist`);

function checkText(name: string, value: string, what: string): string {
  if (!value || value.length > 255 || !/^[\x20-\x7e]+$/.test(value))
    throw invalidParameter(name, value, `A ${what} is 1 to 255 printable ASCII characters.`);
  return value;
}

function describeGrant(g: Grant): string {
  const peer = g.cidr ?? `${g.sourceGroup!.accountId}/${g.sourceGroup!.name}`;
  return `peer: ${peer}, ${g.protocol.toUpperCase()}, from port: ${g.fromPort}, to port: ${g.toPort}, ALLOW`;
}

/** A group named by its ID or by its name in the principal's account. */
export interface GroupRef {
  id?: string;
  name?: string;
}

export interface SecurityGroupServiceDeps {
  groups: SecurityGroupStore;
  tags: TagStore;
  /** An account's id, given its id or (as Eucalyptus allows) its name. */
  accountId(idOrName: string): Promise<string | undefined>;
  /** Why a group cannot go (instances still run in it), or undefined. */
  inUse(group: SecurityGroup): Promise<string | undefined>;
  /** The networking mode (VNET_MODE): rules exist only in MANAGED and MANAGED-NOVLAN. */
  mode(): string;
  /** Renders the cluster's firewall rules again. */
  rulesChanged(): Promise<void>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

export class SecurityGroupService {
  constructor(private readonly d: SecurityGroupServiceDeps) {}

  async create(p: Principal, name: string, description: string): Promise<SecurityGroup> {
    checkText('GroupName', name, 'group name');
    checkText('GroupDescription', description, 'group description');
    if (/^sg-/i.test(name)) throw invalidParameter('GroupName', name, 'Group names may not be in the format sg-*.');
    const group = await this.d.groups.create(p.account.id, name, description);
    if (!group) throw new ServiceError('InvalidGroup.Duplicate', `The security group '${name}' already exists`);
    return group;
  }

  async delete(p: Principal, ref: GroupRef): Promise<void> {
    const group = await this.own(p, ref);
    if (group.name === DEFAULT_GROUP)
      throw new ServiceError('CannotDelete', `The security group 'default' cannot be deleted`);
    // Checked in the transaction that deletes it: a rule or an instance naming it meanwhile keeps it.
    await this.d.transaction(async () => {
      const users = await this.d.groups.referencingGroups(group);
      if (users.length)
        throw new ServiceError(
          'InvalidGroup.InUse',
          `Group ${group.id} (${group.name}) is referenced by the rules ` +
            `of ${users.map((g) => `${g.id} (${g.name})`).join(', ')}`,
        );
      const why = await this.d.inUse(group);
      if (why) throw new ServiceError('InvalidGroup.InUse', why);
      await this.d.groups.delete(group.id);
      await this.d.tags.forgetResource(group.id);
    });
  }

  async authorizeIngress(p: Principal, ref: GroupRef, permissions: Permission[]): Promise<void> {
    this.managed();
    const group = await this.own(p, ref);
    const grants = await this.grants(p, permissions);
    await this.d.transaction(async () => {
      for (const g of grants) {
        if (await this.d.groups.hasGrant(group.id, g))
          throw new ServiceError(
            'InvalidPermission.Duplicate',
            `the specified rule "${describeGrant(g)}" already exists`,
          );
      }
      await this.d.groups.addGrants(group.id, grants);
    });
    await this.d.rulesChanged();
  }

  async revokeIngress(p: Principal, ref: GroupRef, permissions: Permission[]): Promise<void> {
    this.managed();
    const group = await this.own(p, ref);
    const grants = await this.grants(p, permissions);
    await this.d.transaction(async () => {
      for (const g of grants) {
        if (!(await this.d.groups.hasGrant(group.id, g)))
          throw new ServiceError(
            'InvalidPermission.NotFound',
            `The specified rule "${describeGrant(g)}" does not exist in security group '${group.name}'`,
          );
      }
      await this.d.groups.removeGrants(group.id, grants);
    });
    await this.d.rulesChanged();
  }

  /** The principal's groups, narrowed by names, IDs and filters, with their tags. */
  async describe(
    p: Principal,
    q: { names: string[]; ids: string[]; filters: Filter[] },
  ): Promise<{ groups: SecurityGroup[]; tags: Map<string, Tag[]> }> {
    const me = p.account.id;
    let groups = await this.d.groups.list(me);
    for (const n of q.names) if (!groups.some((g) => g.name === n)) throw notFound(n);
    for (const id of q.ids) if (!groups.some((g) => g.id === id)) throw notFound(id);
    if (q.names.length || q.ids.length) groups = groups.filter((g) => q.names.includes(g.name) || q.ids.includes(g.id));
    const tags = await this.d.tags.forResources(
      me,
      groups.map((g) => g.id),
    );
    // The IDs of the groups rules admit, looked up only when a filter asks for them.
    const sourceIds = new Map<SourceGroup, string | undefined>();
    if (q.filters.some((f) => f.name === 'ip-permission.group-id'))
      for (const s of groups.flatMap((g) => g.rules.flatMap((r) => r.sourceGroups)))
        sourceIds.set(s, await this.sourceGroupId(s));
    const ports = (g: SecurityGroup, f: (r: SecurityGroup['rules'][number]) => number | undefined) =>
      g.rules
        .map((r) => f(r))
        .filter((port) => port !== undefined)
        .map(String);
    groups = applyFilters(groups, q.filters, {
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
      'ip-permission.group-id': (g) => g.rules.flatMap((r) => r.sourceGroups.flatMap((s) => sourceIds.get(s) ?? [])),
      ...matchingNothing<SecurityGroup>('vpc-id'),
      ...tagFilterFields(q.filters, (g: SecurityGroup) => tags.get(g.id) ?? []),
    });
    return { groups, tags };
  }

  /** The ID of a group a rule admits traffic from. */
  async sourceGroupId(s: SourceGroup): Promise<string | undefined> {
    return (await this.d.groups.get(s.accountId, s.name))?.id;
  }

  /** One of the principal's groups, by GroupId or GroupName. */
  private async own(p: Principal, ref: GroupRef): Promise<SecurityGroup> {
    if (ref.id) {
      const g = await this.d.groups.getById(ref.id);
      if (!g || g.accountId !== p.account.id) throw notFound(ref.id);
      return g;
    }
    if (!ref.name)
      throw new ServiceError('MissingParameter', 'The request must contain the parameter GroupName or GroupId');
    const g = await this.d.groups.get(p.account.id, ref.name);
    if (!g) throw notFound(ref.name);
    return g;
  }

  private managed(): void {
    requireManagedNetworking(this.d.mode(), 'Security group rules');
  }

  private async grants(p: Principal, permissions: Permission[]): Promise<Grant[]> {
    const grants = new Map<string, Grant>();
    for (const perm of permissions) {
      const base = { protocol: perm.protocol, fromPort: perm.fromPort, toPort: perm.toPort };
      for (const cidr of perm.cidrs) grants.set(JSON.stringify([base, cidr]), { ...base, cidr });
      for (const ref of perm.groups) {
        const sourceGroup = await this.source(p, ref);
        grants.set(JSON.stringify([base, sourceGroup]), { ...base, sourceGroup });
      }
    }
    return [...grants.values()];
  }

  /** UserId is an account ID or an account name; absent means the principal's account. */
  private async source(p: Principal, ref: SourceGroupRef): Promise<SourceGroup> {
    if (ref.groupId) {
      const g = await this.d.groups.getById(ref.groupId);
      if (!g) throw notFound(ref.groupId);
      return { accountId: g.accountId, name: g.name };
    }
    if (!ref.groupName) throw new ServiceError('MissingParameter', 'A source group needs a GroupName or a GroupId');
    const account = ref.userId ? await this.d.accountId(ref.userId) : p.account.id;
    if (!account || !(await this.d.groups.get(account, ref.groupName)))
      throw notFound(ref.userId ? `${ref.userId}/${ref.groupName}` : ref.groupName);
    return { accountId: account, name: ref.groupName };
  }
}
