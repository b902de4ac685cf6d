/**
 * Walrus' tables: buckets (and their tagging, CORS and lifecycle configurations), objects, and
 * multipart uploads with their parts. Keys are stored as
 * BLOBs of their UTF-8 bytes, so that ordering is S3's (byte order) and any character, NUL
 * included, is just data. Object and part data live in files named by file_id (see storage.ts).
 */
import type { SchemaPart } from '../store/schema';

export const walrusSchema: SchemaPart = {
  domain: 'walrus',
  migrations: [
    `CREATE TABLE walrus_buckets (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, owner_account_id TEXT NOT NULL,
     location TEXT NOT NULL DEFAULT '', acl TEXT NOT NULL, created TEXT NOT NULL);
   CREATE INDEX walrus_buckets_owner ON walrus_buckets(owner_account_id, name);
   CREATE TABLE walrus_objects (bucket_id TEXT NOT NULL REFERENCES walrus_buckets(id), key BLOB NOT NULL,
     file_id TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, etag TEXT NOT NULL, content_type TEXT,
     headers TEXT NOT NULL DEFAULT '{}', checksum TEXT, owner_account_id TEXT NOT NULL, acl TEXT NOT NULL,
     last_modified TEXT NOT NULL, PRIMARY KEY (bucket_id, key)) WITHOUT ROWID;
   CREATE TABLE walrus_uploads (id TEXT PRIMARY KEY, bucket_id TEXT NOT NULL REFERENCES walrus_buckets(id),
     key BLOB NOT NULL, owner_account_id TEXT NOT NULL, initiator_user_id TEXT NOT NULL, content_type TEXT,
     headers TEXT NOT NULL DEFAULT '{}', acl TEXT NOT NULL, checksum_algorithm TEXT, initiated TEXT NOT NULL);
   CREATE INDEX walrus_uploads_key ON walrus_uploads(bucket_id, key, id);
   CREATE TABLE walrus_parts (upload_id TEXT NOT NULL REFERENCES walrus_uploads(id) ON DELETE CASCADE,
     part_number INTEGER NOT NULL, file_id TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, etag TEXT NOT NULL,
     checksum TEXT, last_modified TEXT NOT NULL, PRIMARY KEY (upload_id, part_number)) WITHOUT ROWID;`,
    // Object and upload tags (JSON), and bucket configurations (tagging, cors, lifecycle) as JSON.
    `ALTER TABLE walrus_objects ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE walrus_uploads ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
   CREATE TABLE walrus_bucket_configs (bucket_id TEXT NOT NULL REFERENCES walrus_buckets(id) ON DELETE CASCADE,
     kind TEXT NOT NULL, config TEXT NOT NULL, PRIMARY KEY (bucket_id, kind)) WITHOUT ROWID;`,
    // Versioning: the current version's id (NULL: the null version) and the noncurrent versions and
    // delete markers, newest with the highest seq.
    `ALTER TABLE walrus_objects ADD COLUMN version_id TEXT;
   CREATE TABLE walrus_versions (bucket_id TEXT NOT NULL REFERENCES walrus_buckets(id), key BLOB NOT NULL,
     version_id TEXT NOT NULL, seq INTEGER NOT NULL, delete_marker INTEGER NOT NULL DEFAULT 0, file_id TEXT UNIQUE,
     size INTEGER NOT NULL DEFAULT 0, etag TEXT NOT NULL DEFAULT '', content_type TEXT, headers TEXT NOT NULL DEFAULT '{}',
     checksum TEXT, owner_account_id TEXT NOT NULL, acl TEXT NOT NULL DEFAULT '[]', last_modified TEXT NOT NULL,
     tags TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (bucket_id, key, version_id)) WITHOUT ROWID;
   CREATE INDEX walrus_versions_seq ON walrus_versions(bucket_id, key, seq);`,
    // Server-side encryption (JSON: how the bytes are sealed; never a customer's key) and a
    // multipart object's make-up (JSON: the upload it completed, its parts' sizes); an upload's
    // encryption and checksum type (COMPOSITE or FULL_OBJECT), and each part's counter; Object
    // Lock (JSON: retention and legal hold) of every version and of an upload's object to be.
    `ALTER TABLE walrus_objects ADD COLUMN encryption TEXT;
   ALTER TABLE walrus_objects ADD COLUMN multipart TEXT;
   ALTER TABLE walrus_versions ADD COLUMN encryption TEXT;
   ALTER TABLE walrus_versions ADD COLUMN multipart TEXT;
   ALTER TABLE walrus_uploads ADD COLUMN encryption TEXT;
   ALTER TABLE walrus_uploads ADD COLUMN checksum_type TEXT;
   ALTER TABLE walrus_parts ADD COLUMN iv TEXT;
   ALTER TABLE walrus_objects ADD COLUMN lock TEXT;
   ALTER TABLE walrus_versions ADD COLUMN lock TEXT;
   ALTER TABLE walrus_uploads ADD COLUMN lock TEXT;`,
  ],
};
