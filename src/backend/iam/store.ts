/**
 * Euare's identity records beyond the core's (accounts, users, access keys, certificates): groups
 * and their members, login profiles (scrypt hashes, never the password), account aliases, and
 * the listing and deletion the core store does not need. On the shared SQLite connection.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import type { SqlDatabase } from '../store/sql';
import * as ids from '../ids';
import { type Account, type AccessKey, type User } from '../store/types';
import { type AccessKeyRow, toKey, toUser, type UserRow } from '../store/rows';

export interface Group {
  id: string;
  accountId: string;
  name: string;
  path: string;
  created: string;
}

export interface Certificate {
  id: string;
  userId: string;
  pem: string;
  status: 'Active' | 'Inactive';
  created: string;
}

export type PolicyOwnerKind = 'user' | 'group';

export interface LoginProfile {
  userId: string;
  created: string;
}

const now = () => new Date().toISOString();

/** A row of iam_groups. */
interface GroupRow {
  id: string;
  account_id: string;
  name: string;
  path: string;
  created: string;
}
/** A row of certificates. */
interface CertRow {
  id: string;
  user_id: string;
  pem: string;
  status: Certificate['status'];
  created: string;
}
const toGroup = (r: GroupRow): Group => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  path: r.path,
  created: r.created,
});
const toCert = (r: CertRow): Certificate => ({
  id: r.id,
  userId: r.user_id,
  pem: r.pem,
  status: r.status,
  created: r.created,
});

const scrypt = (password: string, salt: Buffer, length: number, opts: { N: number; r: number; p: number }) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, length, opts, (e, key) => (e ? reject(e) : resolve(key))),
  );

/** scrypt with a random salt: `scrypt$N$r$p$salt$hash`, base64; off the event loop (libuv's pool). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 64, { N: 16384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** A hash nobody's password matches, verified when there is no user, so that time says nothing. */
const DUMMY_HASH = `scrypt$16384$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(64).toString('base64')}`;

export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = (stored ?? DUMMY_HASH).split('$');
  if (kind !== 'scrypt') return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return stored !== undefined && got.length === expected.length && timingSafeEqual(got, expected);
}

export class IdentityStore {
  constructor(private readonly db: SqlDatabase) {}

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  // Accounts
  async listAccounts(): Promise<Account[]> {
    return (await this.db.prepare('SELECT id, name FROM accounts ORDER BY name').all()) as Account[];
  }
  async deleteAccount(id: string): Promise<void> {
    await this.db.prepare('DELETE FROM accounts WHERE id = ?').run(id);
  }
  async aliases(accountId: string): Promise<string[]> {
    return (
      (await this.db.prepare('SELECT alias FROM account_aliases WHERE account_id = ?').all(accountId)) as {
        alias: string;
      }[]
    ).map((r) => r.alias);
  }
  async aliasOwner(alias: string): Promise<string | undefined> {
    return (
      (await this.db.prepare('SELECT account_id FROM account_aliases WHERE alias = ?').get(alias)) as
        { account_id: string } | undefined
    )?.account_id;
  }
  async setAlias(accountId: string, alias: string): Promise<void> {
    await this.db
      .prepare(
        'INSERT INTO account_aliases (account_id, alias) VALUES (?, ?) ON CONFLICT(account_id) DO UPDATE SET ' +
          'alias = excluded.alias',
      )
      .run(accountId, alias);
  }
  async deleteAlias(accountId: string, alias: string): Promise<boolean> {
    return (
      (await this.db.prepare('DELETE FROM account_aliases WHERE account_id = ? AND alias = ?').run(accountId, alias))
        .changes > 0
    );
  }

  // Users
  async listUsers(accountId: string, pathPrefix = '/'): Promise<User[]> {
    return (
      (await this.db
        .prepare('SELECT * FROM users WHERE account_id = ? AND substr(path, 1, ?) = ? ORDER BY path, name')
        .all(accountId, pathPrefix.length, pathPrefix)) as UserRow[]
    ).map(toUser);
  }
  async updateUser(id: string, name: string, path: string): Promise<void> {
    await this.db.prepare('UPDATE users SET name = ?, path = ? WHERE id = ?').run(name, path, id);
  }
  async deleteUser(id: string): Promise<void> {
    await this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }

  // Groups
  async createGroup(accountId: string, name: string, path = '/'): Promise<Group> {
    const group: Group = { id: ids.groupId(), accountId, name, path, created: now() };
    await this.db
      .prepare('INSERT INTO iam_groups (id, account_id, name, path, created) VALUES (?, ?, ?, ?, ?)')
      .run(group.id, accountId, name, path, group.created);
    return group;
  }
  async findGroup(accountId: string, name: string): Promise<Group | undefined> {
    const r = (await this.db
      .prepare('SELECT * FROM iam_groups WHERE account_id = ? AND name = ? COLLATE NOCASE')
      .get(accountId, name)) as GroupRow | undefined;
    return r && toGroup(r);
  }
  async listGroups(accountId: string, pathPrefix = '/'): Promise<Group[]> {
    return (
      (await this.db
        .prepare('SELECT * FROM iam_groups WHERE account_id = ? AND substr(path, 1, ?) = ? ORDER BY path, name')
        .all(accountId, pathPrefix.length, pathPrefix)) as GroupRow[]
    ).map(toGroup);
  }
  async updateGroup(id: string, name: string, path: string): Promise<void> {
    await this.db.prepare('UPDATE iam_groups SET name = ?, path = ? WHERE id = ?').run(name, path, id);
  }
  async deleteGroup(id: string): Promise<void> {
    await this.db.prepare('DELETE FROM iam_groups WHERE id = ?').run(id);
  }
  async addMember(groupId: string, userId: string): Promise<void> {
    await this.db
      .prepare('INSERT INTO iam_group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING')
      .run(groupId, userId);
  }
  async removeMember(groupId: string, userId: string): Promise<boolean> {
    return (
      (await this.db.prepare('DELETE FROM iam_group_members WHERE group_id = ? AND user_id = ?').run(groupId, userId))
        .changes > 0
    );
  }
  async members(groupId: string): Promise<User[]> {
    return (
      (await this.db
        .prepare(
          'SELECT u.* FROM users u JOIN iam_group_members m ON m.user_id = u.id WHERE m.group_id = ? ORDER BY u.name',
        )
        .all(groupId)) as UserRow[]
    ).map(toUser);
  }
  async groupsForUser(userId: string): Promise<Group[]> {
    return (
      (await this.db
        .prepare(
          'SELECT g.* FROM iam_groups g JOIN iam_group_members m ON m.group_id = g.id WHERE m.user_id = ? ' +
            'ORDER BY g.path, g.name',
        )
        .all(userId)) as GroupRow[]
    ).map(toGroup);
  }

  // Access keys
  async findKey(userId: string, id: string): Promise<AccessKey | undefined> {
    const r = (await this.db.prepare('SELECT * FROM access_keys WHERE user_id = ? AND id = ?').get(userId, id)) as
      AccessKeyRow | undefined;
    return r && toKey(r);
  }
  async setKeyStatus(id: string, status: string): Promise<void> {
    await this.db.prepare('UPDATE access_keys SET status = ? WHERE id = ?').run(status, id);
  }
  async deleteKey(id: string): Promise<void> {
    await this.db.prepare('DELETE FROM access_keys WHERE id = ?').run(id);
  }

  // Signing certificates
  async certificates(userId: string): Promise<Certificate[]> {
    return (
      (await this.db
        .prepare('SELECT * FROM certificates WHERE user_id = ? ORDER BY created, id')
        .all(userId)) as CertRow[]
    ).map(toCert);
  }
  async findCertificate(userId: string, id: string): Promise<Certificate | undefined> {
    const r = (await this.db.prepare('SELECT * FROM certificates WHERE user_id = ? AND id = ?').get(userId, id)) as
      CertRow | undefined;
    return r && toCert(r);
  }
  async setCertificateStatus(id: string, status: string): Promise<void> {
    await this.db.prepare('UPDATE certificates SET status = ? WHERE id = ?').run(status, id);
  }
  async deleteCertificate(id: string): Promise<void> {
    await this.db.prepare('DELETE FROM certificates WHERE id = ?').run(id);
  }

  // Login profiles
  async loginProfile(userId: string): Promise<LoginProfile | undefined> {
    const r = (await this.db.prepare('SELECT user_id, created FROM login_profiles WHERE user_id = ?').get(userId)) as
      { user_id: string; created: string } | undefined;
    return r && { userId: r.user_id, created: r.created };
  }
  async setLoginProfile(userId: string, passwordHash: string): Promise<void> {
    await this.db
      .prepare(
        'INSERT INTO login_profiles (user_id, password_hash, created, changed) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT(user_id) DO UPDATE SET password_hash = excluded.password_hash, changed = excluded.changed',
      )
      .run(userId, passwordHash, now(), now());
  }
  /** Whether the password is the user's (always the same work, user or not, profile or not). */
  async checkPassword(userId: string | undefined, password: string): Promise<boolean> {
    const r = userId
      ? ((await this.db.prepare('SELECT password_hash FROM login_profiles WHERE user_id = ?').get(userId)) as
          { password_hash: string } | undefined)
      : undefined;
    return verifyPassword(password, r?.password_hash);
  }
  /** When the user's password was last set (a Dashboard session from before it has ended). */
  async passwordSet(userId: string): Promise<string | undefined> {
    const r = (await this.db.prepare('SELECT created, changed FROM login_profiles WHERE user_id = ?').get(userId)) as
      { created: string; changed: string | null } | undefined;
    return r ? (r.changed ?? r.created) : undefined;
  }
  async deleteLoginProfile(userId: string): Promise<boolean> {
    return (await this.db.prepare('DELETE FROM login_profiles WHERE user_id = ?').run(userId)).changes > 0;
  }

  /** A disabled user's keys are refused (the administrator's euca_conf --disable-user). */
  async setUserEnabled(userId: string, enabled: boolean): Promise<void> {
    await this.db.prepare('UPDATE users SET enabled = ? WHERE id = ?').run(enabled ? 1 : 0, userId);
  }
  async userEnabled(userId: string): Promise<boolean> {
    return (
      (
        (await this.db.prepare('SELECT enabled FROM users WHERE id = ?').get(userId)) as
          Pick<UserRow, 'enabled'> | undefined
      )?.enabled !== 0
    );
  }

  // Account requests (sign-ups the administrator approves or rejects)
  async addAccountRequest(name: string, email: string, source = '', passwordHash?: string): Promise<boolean> {
    return (
      (
        await this.db
          .prepare(
            'INSERT INTO account_requests (name, email, requested, source, password_hash) VALUES (?, ?, ?, ?, ?) ' +
              'ON CONFLICT DO NOTHING',
          )
          .run(name, email, now(), source, passwordHash ?? null)
      ).changes > 0
    );
  }
  /** How many sign-ups wait from one source address. */
  async accountRequestsFrom(source: string): Promise<number> {
    return (await this.db
      .prepare<{ n: number }>('SELECT count(*) AS n FROM account_requests WHERE source = ?')
      .get(source))!.n;
  }
  /** Forgets the sign-ups made before a time (ISO); returns how many. */
  async expireAccountRequests(before: string): Promise<number> {
    return (await this.db.prepare('DELETE FROM account_requests WHERE requested < ?').run(before)).changes;
  }
  async accountRequests(): Promise<{ name: string; email: string; requested: string }[]> {
    return (await this.db
      .prepare('SELECT name, email, requested FROM account_requests ORDER BY requested, name')
      .all()) as {
      name: string;
      email: string;
      requested: string;
    }[];
  }
  /** Removes a request; answers it (with the admin password's hash, if one was chosen), or undefined. */
  async takeAccountRequest(name: string): Promise<{ name: string; passwordHash?: string } | undefined> {
    return this.db.transaction(async () => {
      const r = (await this.db.prepare('SELECT name, password_hash FROM account_requests WHERE name = ?').get(name)) as
        { name: string; password_hash: string | null } | undefined;
      if (!r) return undefined;
      await this.db.prepare('DELETE FROM account_requests WHERE name = ?').run(name);
      return { name: r.name, passwordHash: r.password_hash ?? undefined };
    });
  }

  // Policies, inline on a user or a group
  async putPolicy(owner: PolicyOwnerKind, ownerId: string, name: string, document: string): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO ${owner}_policies (${owner}_id, name, document) VALUES (?, ?, ?) ON ` +
          `CONFLICT(${owner}_id, name) DO UPDATE SET document = excluded.document`,
      )
      .run(ownerId, name, document);
  }
  async policy(owner: PolicyOwnerKind, ownerId: string, name: string): Promise<string | undefined> {
    return (
      (await this.db
        .prepare(`SELECT document FROM ${owner}_policies WHERE ${owner}_id = ? AND name = ?`)
        .get(ownerId, name)) as { document: string } | undefined
    )?.document;
  }
  async policyNames(owner: PolicyOwnerKind, ownerId: string): Promise<string[]> {
    return (
      (await this.db
        .prepare(`SELECT name FROM ${owner}_policies WHERE ${owner}_id = ? ORDER BY name`)
        .all(ownerId)) as {
        name: string;
      }[]
    ).map((r) => r.name);
  }
  async deletePolicy(owner: PolicyOwnerKind, ownerId: string, name: string): Promise<boolean> {
    return (
      (await this.db.prepare(`DELETE FROM ${owner}_policies WHERE ${owner}_id = ? AND name = ?`).run(ownerId, name))
        .changes > 0
    );
  }
  /** Every policy document that applies to a user: their own and their groups'. */
  async effectivePolicies(userId: string): Promise<string[]> {
    return (
      (await this.db
        .prepare(
          `SELECT document FROM user_policies WHERE user_id = ?
           UNION ALL SELECT p.document FROM group_policies p JOIN iam_group_members m ON m.group_id = p.group_id WHERE m.user_id = ?`,
        )
        .all(userId, userId)) as { document: string }[]
    ).map((r) => r.document);
  }

  async counts(accountId: string): Promise<Record<string, number>> {
    const n = async (sql: string) => (await this.db.prepare<{ n: number }>(sql).get(accountId))!.n;
    return {
      Users: await n('SELECT count(*) AS n FROM users WHERE account_id = ?'),
      Groups: await n('SELECT count(*) AS n FROM iam_groups WHERE account_id = ?'),
      AccessKeysPerUserQuota: 2,
      SigningCertificatesPerUserQuota: 2,
      UserPolicySizeQuota: 2048,
      GroupPolicySizeQuota: 5120,
      ServerCertificates: 0,
    };
  }
}
