/**
 * The storage controllers' tables: volumes (with their one attachment), snapshots with the
 * accounts allowed to make volumes of them, and import conversion tasks.
 */
import { type SchemaPart } from '../store/schema';

export const volumesSchema: SchemaPart = {
  domain: 'volumes',
  migrations: [
    `CREATE TABLE volumes (
       id TEXT PRIMARY KEY,
       account_id TEXT NOT NULL,
       zone TEXT NOT NULL,
       size_gib INTEGER NOT NULL,
       snapshot_id TEXT,
       status TEXT NOT NULL,
       created TEXT NOT NULL,
       instance_id TEXT,
       device TEXT,
       attach_status TEXT,
       attach_time TEXT,
       delete_on_termination INTEGER NOT NULL DEFAULT 0);
     CREATE INDEX volumes_account ON volumes(account_id);
     CREATE INDEX volumes_instance ON volumes(instance_id);
     CREATE TABLE snapshots (
       id TEXT PRIMARY KEY,
       account_id TEXT NOT NULL,
       volume_id TEXT NOT NULL,
       volume_size_gib INTEGER NOT NULL,
       status TEXT NOT NULL,
       progress INTEGER NOT NULL DEFAULT 0,
       description TEXT NOT NULL DEFAULT '',
       started TEXT NOT NULL);
     CREATE INDEX snapshots_account ON snapshots(account_id);
     CREATE TABLE snapshot_permissions (
       snapshot_id TEXT NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
       grantee TEXT NOT NULL,
       PRIMARY KEY (snapshot_id, grantee));
     CREATE TABLE conversion_tasks (
       id TEXT PRIMARY KEY,
       account_id TEXT NOT NULL,
       state TEXT NOT NULL,
       status_message TEXT NOT NULL DEFAULT '',
       zone TEXT NOT NULL,
       bucket TEXT NOT NULL,
       object_key TEXT NOT NULL,
       format TEXT NOT NULL,
       bytes INTEGER NOT NULL,
       size_gib INTEGER NOT NULL,
       volume_id TEXT,
       description TEXT NOT NULL DEFAULT '',
       expires TEXT NOT NULL);`,
  ],
};
