/**
 * Security groups as the cloud keeps them. A group's rules are its ingress grants gathered by
 * protocol and port range, each with the CIDR blocks and the source groups it admits: the shape the
 * cluster's network manager renders iptables chains from. Every account has a `default` group with
 * no rules (all incoming traffic denied), created the first time anything asks for it.
 */
import type { SqlDatabase } from '../../store/sql';
import * as ids from '../../ids';

export type Protocol = 'tcp' | 'udp' | 'icmp' | '-1';

export interface SourceGroup {
  accountId: string;
  name: string;
}

export interface Rule {
  protocol: Protocol;
  /** Absent for protocol -1 (all traffic); the ICMP type for icmp (-1: any). */
  fromPort?: number;
  /** Absent for protocol -1; the ICMP code for icmp (-1: any). */
  toPort?: number;
  cidrs: string[];
  sourceGroups: SourceGroup[];
}

export interface SecurityGroup {
  id: string;
  accountId: string;
  name: string;
  description: string;
  rules: Rule[];
}

/** One grant: a rule with exactly one source, the unit that is authorized and revoked. */
export interface Grant {
  protocol: Protocol;
  fromPort: number;
  toPort: number;
  cidr?: string;
  sourceGroup?: SourceGroup;
}

export const DEFAULT_GROUP = 'default';
export const DEFAULT_GROUP_DESCRIPTION = 'default group';

export interface SecurityGroupStore {
  /** The account's group of that name; asking for `default` creates it if need be. */
  get(accountId: string, name: string): Promise<SecurityGroup | undefined>;
  getById(groupId: string): Promise<SecurityGroup | undefined>;
  ensureDefault(accountId: string): Promise<SecurityGroup>;
  list(accountId: string): Promise<SecurityGroup[]>;
  /** Undefined when the account already has a group of that name. */
  create(accountId: string, name: string, description: string): Promise<SecurityGroup | undefined>;
  delete(groupId: string): Promise<void>;
  hasGrant(groupId: string, grant: Grant): Promise<boolean>;
  addGrants(groupId: string, grants: Grant[]): Promise<void>;
  removeGrants(groupId: string, grants: Grant[]): Promise<void>;
  /** Groups (other than itself) whose rules admit traffic from this group. */
  referencingGroups(group: SecurityGroup): Promise<SecurityGroup[]>;
}

/** A row of security_groups. */
interface Row {
  id: string;
  account_id: string;
  name: string;
  description: string;
}
/** A row of security_group_grants. */
interface GrantRow {
  group_id: string;
  protocol: Protocol;
  from_port: number;
  to_port: number;
  cidr: string | null;
  source_account: string | null;
  source_group: string | null;
}

const grantKey = (g: Grant) => [
  g.protocol,
  g.fromPort,
  g.toPort,
  g.cidr ?? '',
  g.sourceGroup?.accountId ?? '',
  g.sourceGroup?.name ?? '',
];

export class SqlSecurityGroupStore implements SecurityGroupStore {
  constructor(private readonly db: SqlDatabase) {}

  private async rules(groupId: string): Promise<Rule[]> {
    const rows = (await this.db
      .prepare(
        'SELECT * FROM security_group_grants WHERE group_id = ? ORDER BY seq, protocol, from_port, to_port, cidr, ' +
          'source_account, source_group',
      )
      .all(groupId)) as GrantRow[];
    const byRange = new Map<string, Rule>();
    for (const r of rows) {
      const key = `${r.protocol}/${r.from_port}/${r.to_port}`;
      let rule = byRange.get(key);
      if (!rule) {
        rule =
          r.protocol === '-1'
            ? { protocol: '-1', cidrs: [], sourceGroups: [] }
            : { protocol: r.protocol, fromPort: r.from_port, toPort: r.to_port, cidrs: [], sourceGroups: [] };
        byRange.set(key, rule);
      }
      if (r.cidr) rule.cidrs.push(r.cidr);
      if (r.source_group) rule.sourceGroups.push({ accountId: r.source_account!, name: r.source_group });
    }
    return [...byRange.values()];
  }

  private async toGroup(r: Row | undefined): Promise<SecurityGroup | undefined> {
    return (
      r && {
        id: r.id,
        accountId: r.account_id,
        name: r.name,
        description: r.description,
        rules: await this.rules(r.id),
      }
    );
  }

  async get(accountId: string, name: string): Promise<SecurityGroup | undefined> {
    if (name === DEFAULT_GROUP) return this.ensureDefault(accountId);
    return this.toGroup(
      (await this.db
        .prepare('SELECT * FROM security_groups WHERE account_id = ? AND name = ?')
        .get(accountId, name)) as Row | undefined,
    );
  }

  async getById(groupId: string): Promise<SecurityGroup | undefined> {
    return this.toGroup(await this.db.prepare<Row>('SELECT * FROM security_groups WHERE id = ?').get(groupId));
  }

  async ensureDefault(accountId: string): Promise<SecurityGroup> {
    await this.insert(accountId, DEFAULT_GROUP, DEFAULT_GROUP_DESCRIPTION);
    return (await this.toGroup(
      (await this.db
        .prepare('SELECT * FROM security_groups WHERE account_id = ? AND name = ?')
        .get(accountId, DEFAULT_GROUP)) as Row | undefined,
    ))!;
  }

  async list(accountId: string): Promise<SecurityGroup[]> {
    await this.ensureDefault(accountId);
    const rows = await this.db
      .prepare<Row>('SELECT * FROM security_groups WHERE account_id = ? ORDER BY name')
      .all(accountId);
    return Promise.all(rows.map(async (r) => (await this.toGroup(r))!));
  }

  private async insert(accountId: string, name: string, description: string): Promise<string | undefined> {
    const id = ids.resourceId('sg');
    const r = await this.db
      .prepare(
        'INSERT INTO security_groups (id, account_id, name, description, created) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT DO NOTHING',
      )
      .run(id, accountId, name, description, new Date().toISOString());
    return r.changes === 1 ? id : undefined;
  }

  async create(accountId: string, name: string, description: string): Promise<SecurityGroup | undefined> {
    if (name !== DEFAULT_GROUP) await this.ensureDefault(accountId);
    const id = await this.insert(accountId, name, description);
    return id ? this.getById(id) : undefined;
  }

  async delete(groupId: string): Promise<void> {
    await this.db.prepare('DELETE FROM security_groups WHERE id = ?').run(groupId);
  }

  async hasGrant(groupId: string, grant: Grant): Promise<boolean> {
    return !!(await this.db
      .prepare(
        'SELECT 1 FROM security_group_grants WHERE group_id = ? AND protocol = ? AND from_port = ? AND ' +
          'to_port = ? AND cidr = ? AND source_account = ? AND source_group = ?',
      )
      .get(groupId, ...grantKey(grant)));
  }

  async addGrants(groupId: string, grants: Grant[]): Promise<void> {
    const stmt = this.db.prepare(
      'INSERT INTO security_group_grants (group_id, protocol, from_port, to_port, cidr, source_account, ' +
        'source_group, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ' +
        '(SELECT coalesce(max(seq), 0) + 1 FROM security_group_grants WHERE group_id = ?)) ON CONFLICT DO NOTHING',
    );
    for (const g of grants) await stmt.run(groupId, ...grantKey(g), groupId);
  }

  async removeGrants(groupId: string, grants: Grant[]): Promise<void> {
    const stmt = this.db.prepare(
      'DELETE FROM security_group_grants WHERE group_id = ? AND protocol = ? AND from_port = ? AND to_port = ' +
        '? AND cidr = ? AND source_account = ? AND source_group = ?',
    );
    for (const g of grants) await stmt.run(groupId, ...grantKey(g));
  }

  async referencingGroups(group: SecurityGroup): Promise<SecurityGroup[]> {
    const rows = (await this.db
      .prepare(
        'SELECT DISTINCT group_id FROM security_group_grants WHERE source_account = ? AND source_group = ? ' +
          'AND group_id <> ?',
      )
      .all(group.accountId, group.name, group.id)) as Pick<GrantRow, 'group_id'>[];
    return Promise.all(rows.map(async (r) => (await this.getById(r.group_id))!));
  }
}

/** A group by name or sg- id; the account's `default` group is made on first use. */
export async function findGroup(
  groups: SecurityGroupStore,
  accountId: string,
  nameOrId: string,
): Promise<SecurityGroup | undefined> {
  if (nameOrId.startsWith('sg-')) {
    const g = await groups.getById(nameOrId);
    return g?.accountId === accountId ? g : undefined;
  }
  return nameOrId === 'default' ? groups.ensureDefault(accountId) : groups.get(accountId, nameOrId);
}
