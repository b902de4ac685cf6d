/**
 * The CloudStore on SQL: indexed tables in the cloud's database, SQLite in the data dir by default
 * (store/sqlite-connection) or PostgreSQL where eucalyptus.conf's CLOUD_DB names one
 * (store/pg-connection), migrated per domain (store/schema). Other domains keep their own stores
 * on the same connection, and add their schema to SCHEMA below.
 */
import * as ids from '../ids';
import { clusterSchema } from '../cluster/schema';
import { imagesSchema } from '../ec2/images/schema';
import { instancesSchema } from '../ec2/instances/schema';
import { bundleTasksSchema } from '../ec2/bundle-tasks/store';
import { keypairsSchema } from '../ec2/keypairs/schema';
import { groupsSchema } from '../ec2/groups/schema';
import { tagsSchema } from '../ec2/tags/schema';
import { walrusSchema } from '../s3/schema';
import { volumesSchema } from '../storage/schema';
import { propertiesSchema } from '../properties/store';
import { migrate, type SchemaPart } from './schema';
import { type AccessKeyRow, toKey, toUser, type UserRow } from './rows';
import type { SqlDatabase } from './sql';
import { openDatabase } from './database';
import { type AccessKey, type Account, type CloudStore, type Cluster, type Principal, type User } from './types';

export const coreSchema: SchemaPart = {
  domain: 'core',
  migrations: [
    `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE);
   CREATE TABLE users (id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
     name TEXT NOT NULL, path TEXT NOT NULL DEFAULT '/', created TEXT NOT NULL, UNIQUE (account_id, name));
   CREATE TABLE access_keys (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     secret TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'Active', created TEXT NOT NULL);
   CREATE INDEX access_keys_user ON access_keys(user_id);
   CREATE TABLE certificates (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     pem TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'Active', created TEXT NOT NULL);
   CREATE INDEX certificates_user ON certificates(user_id);
   CREATE TABLE clusters (name TEXT PRIMARY KEY, host TEXT NOT NULL, port INTEGER NOT NULL);`,
    // Euare identity: groups (with paths) and their members, login profiles (scrypt hashes only),
    // account aliases.
    `CREATE TABLE iam_groups (id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
     name TEXT NOT NULL, path TEXT NOT NULL DEFAULT '/', created TEXT NOT NULL);
   CREATE UNIQUE INDEX iam_groups_name ON iam_groups(account_id, name COLLATE NOCASE);
   CREATE TABLE iam_group_members (group_id TEXT NOT NULL REFERENCES iam_groups(id) ON DELETE CASCADE,
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, PRIMARY KEY (group_id, user_id));
   CREATE INDEX iam_group_members_user ON iam_group_members(user_id);
   CREATE TABLE login_profiles (user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
     password_hash TEXT NOT NULL, created TEXT NOT NULL);
   CREATE TABLE account_aliases (account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
     alias TEXT NOT NULL UNIQUE);`,
    // Disabled users (the administrator's --disable-user) and account sign-up requests awaiting approval.
    `ALTER TABLE users ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
   CREATE TABLE account_requests (name TEXT PRIMARY KEY, email TEXT NOT NULL, requested TEXT NOT NULL);`,
    // Euare policies, inline on users and groups; they go with their owner.
    `CREATE TABLE user_policies (user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     name TEXT NOT NULL, document TEXT NOT NULL, PRIMARY KEY (user_id, name));
   CREATE TABLE group_policies (group_id TEXT NOT NULL REFERENCES iam_groups(id) ON DELETE CASCADE,
     name TEXT NOT NULL, document TEXT NOT NULL, PRIMARY KEY (group_id, name));`,
    // Where each sign-up came from, so that one source cannot fill the queue.
    `ALTER TABLE account_requests ADD COLUMN source TEXT NOT NULL DEFAULT '';
   CREATE INDEX account_requests_source ON account_requests(source);`,
    // The admin password chosen at sign-up in the Dashboard (its scrypt hash): the approved admin's.
    `ALTER TABLE account_requests ADD COLUMN password_hash TEXT;`,
    // When a password was last changed: Dashboard sessions from before it end.
    `ALTER TABLE login_profiles ADD COLUMN changed TEXT;`,
    // Leases (store/leases.ts): work one front end at a time does, among those on one database.
    `CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires INTEGER NOT NULL);`,
  ],
};

/** Every domain's schema, in the order they are migrated. */
const SCHEMA: SchemaPart[] = [
  coreSchema,
  walrusSchema,
  imagesSchema,
  keypairsSchema,
  groupsSchema,
  tagsSchema,
  clusterSchema,
  instancesSchema,
  bundleTasksSchema,
  volumesSchema,
  propertiesSchema,
];

const now = () => new Date().toISOString();

/** An access key with its user and account, as findAccessKey reads it in one query. */
type KeyOwnerRow = AccessKeyRow &
  Pick<UserRow, 'account_id' | 'path' | 'enabled'> & { user_name: string; user_created: string; account_name: string };

export class SqlStore implements CloudStore {
  /** The connection, shared with the other domains' stores (Walrus, images, ...). */
  private constructor(readonly db: SqlDatabase) {}

  /**
   * The store at `location`, a SQLite file (created if need be) or a postgresql:// URL, its schema
   * migrated to this version's.
   */
  static async open(location: string): Promise<SqlStore> {
    const db = await openDatabase(location);
    await migrate(db, SCHEMA);
    return new SqlStore(db);
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.db.prepare<{ value: string }>('SELECT value FROM meta WHERE key = ?').get(key))?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db
      .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  async createAccount(name: string): Promise<Account> {
    const account = { id: ids.accountId(), name };
    await this.db.prepare('INSERT INTO accounts (id, name) VALUES (?, ?)').run(account.id, account.name);
    return account;
  }

  async findAccount(id: string): Promise<Account | undefined> {
    return (await this.db.prepare('SELECT id, name FROM accounts WHERE id = ?').get(id)) as Account | undefined;
  }

  async findAccountByName(name: string): Promise<Account | undefined> {
    return (await this.db.prepare('SELECT id, name FROM accounts WHERE name = ?').get(name)) as Account | undefined;
  }

  async createUser(accountId: string, name: string, path = '/'): Promise<User> {
    const user: User = { id: ids.userId(), accountId, name, path, created: now() };
    await this.db
      .prepare('INSERT INTO users (id, account_id, name, path, created) VALUES (?, ?, ?, ?, ?)')
      .run(user.id, accountId, name, path, user.created);
    return user;
  }

  async findUser(accountId: string, name: string): Promise<User | undefined> {
    const r = await this.db
      .prepare<UserRow>('SELECT * FROM users WHERE account_id = ? AND name = ?')
      .get(accountId, name);
    return r && toUser(r);
  }

  async findUserById(id: string): Promise<User | undefined> {
    const r = await this.db.prepare<UserRow>('SELECT * FROM users WHERE id = ?').get(id);
    return r && toUser(r);
  }

  async createAccessKey(userId: string): Promise<AccessKey> {
    const key: AccessKey = {
      id: ids.accessKeyId(),
      secret: ids.secretAccessKey(),
      userId,
      status: 'Active',
      created: now(),
    };
    await this.db
      .prepare('INSERT INTO access_keys (id, user_id, secret, status, created) VALUES (?, ?, ?, ?, ?)')
      .run(key.id, userId, key.secret, key.status, key.created);
    return key;
  }

  async listAccessKeys(userId: string): Promise<AccessKey[]> {
    return (
      (await this.db
        .prepare('SELECT * FROM access_keys WHERE user_id = ? ORDER BY created, id')
        .all(userId)) as AccessKeyRow[]
    ).map(toKey);
  }

  async findAccessKey(id: string): Promise<{ key: AccessKey; principal: Principal; enabled: boolean } | undefined> {
    const r = (await this.db
      .prepare(
        `SELECT k.*, u.account_id, u.name AS user_name, u.path, u.created AS user_created, u.enabled, a.name AS account_name
         FROM access_keys k JOIN users u ON u.id = k.user_id JOIN accounts a ON a.id = u.account_id WHERE k.id = ?`,
      )
      .get(id)) as KeyOwnerRow | undefined;
    if (!r) return undefined;
    const user = toUser({
      id: r.user_id,
      account_id: r.account_id,
      name: r.user_name,
      path: r.path,
      created: r.user_created,
    });
    return {
      key: toKey(r),
      principal: { account: { id: r.account_id, name: r.account_name }, user, accessKeyId: r.id },
      enabled: r.enabled !== 0,
    };
  }

  async countCertificates(userId: string): Promise<number> {
    return (
      (await this.db.prepare<{ n: number }>('SELECT count(*) AS n FROM certificates WHERE user_id = ?').get(userId))
        ?.n ?? 0
    );
  }

  async addCertificate(userId: string, id: string, pem: string): Promise<void> {
    await this.db
      .prepare('INSERT INTO certificates (id, user_id, pem, created) VALUES (?, ?, ?, ?)')
      .run(id, userId, pem, now());
  }

  async accountCertificates(accountId: string): Promise<string[]> {
    return (
      (await this.db
        .prepare(
          `SELECT c.pem FROM certificates c JOIN users u ON u.id = c.user_id WHERE u.account_id = ? AND ` +
            `c.status = 'Active' ORDER BY c.created, c.id`,
        )
        .all(accountId)) as { pem: string }[]
    ).map((r) => r.pem);
  }

  async listClusters(): Promise<Cluster[]> {
    return (await this.db.prepare('SELECT name, host, port FROM clusters ORDER BY name').all()) as Cluster[];
  }

  async addCluster(cluster: Cluster): Promise<void> {
    await this.db
      .prepare('INSERT INTO clusters (name, host, port) VALUES (?, ?, ?)')
      .run(cluster.name, cluster.host, cluster.port);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
