/**
 * The security groups domain's tables: each account's groups, and their ingress grants, one row
 * per (protocol, port range, source), the source being a CIDR block or another group.
 */
import { type SchemaPart } from '../../store/schema';

export const groupsSchema: SchemaPart = {
  domain: 'groups',
  migrations: [
    `CREATE TABLE security_groups (
       id TEXT PRIMARY KEY,
       account_id TEXT NOT NULL,
       name TEXT NOT NULL,
       description TEXT NOT NULL,
       created TEXT NOT NULL,
       UNIQUE (account_id, name));
     CREATE TABLE security_group_grants (
       group_id TEXT NOT NULL REFERENCES security_groups(id) ON DELETE CASCADE,
       protocol TEXT NOT NULL,
       from_port INTEGER NOT NULL,
       to_port INTEGER NOT NULL,
       cidr TEXT NOT NULL DEFAULT '',
       source_account TEXT NOT NULL DEFAULT '',
       source_group TEXT NOT NULL DEFAULT '',
       PRIMARY KEY (group_id, protocol, from_port, to_port, cidr, source_account, source_group));
     CREATE INDEX security_group_grants_source ON security_group_grants(source_account, source_group);`,
    // The order grants were added in, which describe answers in (it was SQLite's rowid; grants from
    // before this keep their key's order).
    `ALTER TABLE security_group_grants ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;`,
  ],
};
