/**
 * Walrus' state: the WalrusStore interface (buckets, objects, multipart uploads and parts) and its
 * SQLite implementation on the cloud's shared connection. Keys travel as strings and are stored
 * as their UTF-8 bytes; listing scans take byte bounds so the model can page and skip common
 * prefixes with indexed range queries. Every method is synchronous and atomic.
 */
import type { SqlDatabase } from '../store/sql';
import { type Grant } from './acl';
import type { Encryption } from './encryption';
import type { BucketControls, ObjectOwnership, PublicAccessBlock } from './bucket-controls';
import type { ObjectLock } from './object-lock';
import type { Tag } from './tagging';

/** `col = excluded.col, ...`: an upsert that replaces a row's columns (as INSERT OR REPLACE did, on both engines). */
const replaced = (columns: string[]) => columns.map((c) => `${c} = excluded.${c}`).join(', ');
const OBJECT_COLUMNS_REPLACED = replaced([
  'file_id',
  'size',
  'etag',
  'content_type',
  'headers',
  'checksum',
  'owner_account_id',
  'acl',
  'last_modified',
  'tags',
  'version_id',
  'encryption',
  'multipart',
  'lock',
]);

export interface Checksum {
  /** crc32, crc32c, crc64nvme, sha1 or sha256. */
  algorithm: string;
  /**
   * Base64, as the x-amz-checksum-* headers carry it; a multipart object's composite checksum
   * (of its parts' checksums) ends in `-N`, N its parts.
   */
  value: string;
}

export interface BucketRecord {
  id: string;
  name: string;
  ownerAccountId: string;
  location: string;
  acl: Grant[];
  created: string;
  /** Its Public Access Block and Ownership Controls, when set: read with the bucket. */
  controls?: BucketControls;
}

export interface ObjectRecord {
  bucketId: string;
  key: string;
  fileId: string;
  size: number;
  /** Quoted, as the ETag header carries it. */
  etag: string;
  contentType?: string;
  /** Stored response headers: x-amz-meta-*, Content-Encoding, Content-Disposition, ... */
  headers: Record<string, string>;
  checksum?: Checksum;
  ownerAccountId: string;
  acl: Grant[];
  lastModified: string;
  tags?: Tag[];
  /** The version's id; undefined for the null version (unversioned, or written while suspended). */
  versionId?: string;
  /** How the bytes are sealed on disk; undefined: in the clear. */
  encryption?: Encryption;
  /** A multipart object's make-up: the upload it completed and its parts' sizes, in order. */
  multipart?: MultipartMakeup;
  /** Object Lock: the version's retention and legal hold. */
  lock?: ObjectLock;
}

export interface MultipartMakeup {
  uploadId: string;
  partSizes: number[];
}

/** One version of a key, current or not, or a delete marker. */
export interface VersionRecord extends ObjectRecord {
  deleteMarker: boolean;
  /** The key's current (non-delete-marker) version, the one GET without versionId reads. */
  current: boolean;
  /** The key's newest version: the current one, or else the delete marker that hides the key. */
  latest: boolean;
  /** Orders a key's versions, newest first: '' for the current one. */
  id: string;
}

export interface UploadRecord {
  id: string;
  bucketId: string;
  key: string;
  ownerAccountId: string;
  initiatorUserId: string;
  contentType?: string;
  headers: Record<string, string>;
  acl: Grant[];
  checksumAlgorithm?: string;
  /** How the whole object's checksum is made: of the parts' checksums, or of all its bytes. */
  checksumType?: 'COMPOSITE' | 'FULL_OBJECT';
  initiated: string;
  tags?: Tag[];
  /** How the parts are sealed (each part's counter is its own). */
  encryption?: Omit<Encryption, 'ivs'>;
  /** The Object Lock the completed object gets. */
  lock?: ObjectLock;
}

/** The configurations a bucket may hold, each kept as its parsed form. */
export type BucketConfigKind =
  | 'tagging'
  | 'cors'
  | 'lifecycle'
  | 'versioning'
  | 'policy'
  | 'encryption'
  | 'objectLock'
  | 'publicAccessBlock'
  | 'ownershipControls'
  | 'logging';

export interface PartRecord {
  uploadId: string;
  partNumber: number;
  fileId: string;
  size: number;
  etag: string;
  checksum?: Checksum;
  lastModified: string;
  /** The part's counter start (base64), when its upload is sealed. */
  iv?: string;
}

/**
 * A key range, bounds as UTF-8 bytes: keys >= from (inclusive) or > from, and < below. For
 * uploads, several of which may share a key, afterId also admits key = from with a greater id.
 */
export interface KeyRange {
  from: Buffer;
  inclusive: boolean;
  afterId?: string;
  below?: Buffer;
}

export interface WalrusStore {
  transaction<T>(fn: () => Promise<T>): Promise<T>;

  createBucket(bucket: BucketRecord): Promise<void>;
  findBucket(name: string): Promise<BucketRecord | undefined>;
  bucketById(id: string): Promise<BucketRecord | undefined>;
  listBuckets(ownerAccountId: string): Promise<BucketRecord[]>;
  allBucketIds(): Promise<string[]>;
  setBucketAcl(id: string, acl: Grant[]): Promise<void>;
  /** Whether the bucket holds objects or versions (unfinished uploads do not keep it). */
  bucketInUse(id: string): Promise<boolean>;
  /** Removes the bucket's unfinished multipart uploads; returns their parts' file ids. */
  deleteUploadsOf(bucketId: string): Promise<string[]>;
  deleteBucket(id: string): Promise<void>;
  /** A configuration's parsed form (JSON), undefined when unset. */
  bucketConfig<T>(bucketId: string, kind: BucketConfigKind): Promise<T | undefined>;
  /** Sets (or, with undefined, removes) a configuration; returns whether one was there. */
  setBucketConfig(bucketId: string, kind: BucketConfigKind, config: unknown): Promise<boolean>;
  /** The buckets that hold a configuration of this kind. */
  bucketsWithConfig(kind: BucketConfigKind): Promise<string[]>;

  findObject(bucketId: string, key: string): Promise<ObjectRecord | undefined>;
  /** Inserts or replaces; returns the file of the object it replaced. */
  putObject(object: ObjectRecord): Promise<string | undefined>;
  /** Returns the file of the deleted object, if there was one. */
  deleteObject(bucketId: string, key: string): Promise<string | undefined>;
  /** Of the current object, or of the noncurrent version named. */
  setObjectAcl(bucketId: string, key: string, acl: Grant[], noncurrentVersion?: string): Promise<void>;
  setObjectTags(bucketId: string, key: string, tags: Tag[], noncurrentVersion?: string): Promise<void>;
  setObjectLock(bucketId: string, key: string, lock: ObjectLock, noncurrentVersion?: string): Promise<void>;
  scanObjects(bucketId: string, range: KeyRange, limit: number): Promise<ObjectRecord[]>;

  createUpload(upload: UploadRecord): Promise<void>;
  findUpload(id: string): Promise<UploadRecord | undefined>;
  /** Removes the upload and its parts; returns the parts' files. */
  deleteUpload(id: string): Promise<string[]>;
  /** In (key, id) order, keys within the range. */
  scanUploads(bucketId: string, range: KeyRange, limit: number): Promise<UploadRecord[]>;
  /** Inserts or replaces; returns the file of the part it replaced. */
  putPart(part: PartRecord): Promise<string | undefined>;
  listParts(uploadId: string, afterPartNumber: number, limit: number): Promise<PartRecord[]>;

  /** Whether any object, version or part refers to this file (for sweeping orphans at start-up). */
  fileInUse(fileId: string): Promise<boolean>;

  /** Makes the current version of a key noncurrent (the newest of them); false when there is none. */
  retireCurrent(bucketId: string, key: string): Promise<boolean>;
  addDeleteMarker(
    bucketId: string,
    key: string,
    versionId: string,
    ownerAccountId: string,
    lastModified: string,
  ): Promise<void>;
  /** A noncurrent version or delete marker. */
  findNoncurrent(bucketId: string, key: string, versionId: string): Promise<VersionRecord | undefined>;
  newestNoncurrent(bucketId: string, key: string): Promise<VersionRecord | undefined>;
  /** Removes a noncurrent version or delete marker; returns its file, if it has one. */
  deleteNoncurrent(bucketId: string, key: string, versionId: string): Promise<string | undefined>;
  /** Makes a noncurrent version current again. */
  restoreCurrent(v: VersionRecord): Promise<void>;
  /** Every version of every key in the range, by key then newest first (id orders them). */
  scanVersions(bucketId: string, range: KeyRange, limit: number): Promise<VersionRecord[]>;
}

/** A row of walrus_buckets. */
interface BucketRow {
  id: string;
  name: string;
  owner_account_id: string;
  location: string;
  /** JSON of Grant[] */
  acl: string;
  created: string;
  /** JSON of the bucket's PublicAccessBlock and ObjectOwnership configurations, when set. */
  pab: string | null;
  ownership: string | null;
}
/** A row of walrus_objects (keys are BLOBs: any bytes sort as S3 sorts them). */
interface ObjectRow {
  bucket_id: string;
  key: Buffer;
  file_id: string;
  size: number;
  etag: string;
  content_type: string | null;
  /** JSON */
  headers: string;
  checksum: string | null;
  owner_account_id: string;
  acl: string;
  last_modified: string;
  tags: string;
  version_id: string | null;
  encryption: string | null;
  multipart: string | null;
  lock: string | null;
}
/** A row of walrus_versions (an object's, with its place among the key's versions). */
interface VersionRow extends ObjectRow {
  id: string;
  delete_marker: number;
  current: number;
  latest: number;
}
/** A row of walrus_uploads. */
interface UploadRow {
  id: string;
  bucket_id: string;
  key: Buffer;
  owner_account_id: string;
  initiator_user_id: string;
  content_type: string | null;
  headers: string;
  acl: string;
  checksum_algorithm: string | null;
  checksum_type: string | null;
  initiated: string;
  tags: string;
  encryption: string | null;
  lock: string | null;
}
/** A row of walrus_parts. */
interface PartRow {
  upload_id: string;
  part_number: number;
  file_id: string;
  size: number;
  etag: string;
  checksum: string | null;
  last_modified: string;
  iv: string | null;
}

const utf8 = (key: string) => Buffer.from(key, 'utf8');
const json = <T>(text: string | null | undefined, empty: T): T => (text ? (JSON.parse(text) as T) : empty);
const optionalJson = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const encodeChecksum = (c?: Checksum) => (c ? `${c.algorithm}:${c.value}` : null);
function decodeChecksum(text: string | null): Checksum | undefined {
  if (!text) return undefined;
  const i = text.indexOf(':');
  return { algorithm: text.slice(0, i), value: text.slice(i + 1) };
}

const toBucket = (r: BucketRow): BucketRecord => ({
  id: r.id,
  name: r.name,
  ownerAccountId: r.owner_account_id,
  location: r.location,
  acl: json(r.acl, []),
  created: r.created,
  ...(r.pab || r.ownership
    ? {
        controls: {
          publicAccessBlock: json<PublicAccessBlock | undefined>(r.pab, undefined),
          ownership: json<ObjectOwnership | undefined>(r.ownership, undefined),
        },
      }
    : {}),
});

/** Buckets with their controls. */
const BUCKETS = `SELECT b.*,
  (SELECT config FROM walrus_bucket_configs c WHERE c.bucket_id = b.id AND c.kind = 'publicAccessBlock') AS pab,
  (SELECT config FROM walrus_bucket_configs c WHERE c.bucket_id = b.id AND c.kind = 'ownershipControls') AS ownership
  FROM walrus_buckets b`;

const toObject = (r: ObjectRow): ObjectRecord => ({
  bucketId: r.bucket_id,
  key: r.key.toString('utf8'),
  fileId: r.file_id,
  size: r.size,
  etag: r.etag,
  contentType: r.content_type ?? undefined,
  headers: json(r.headers, {}),
  checksum: decodeChecksum(r.checksum),
  ownerAccountId: r.owner_account_id,
  acl: json(r.acl, []),
  lastModified: r.last_modified,
  tags: json(r.tags, []),
  versionId: r.version_id ?? undefined,
  encryption: json(r.encryption, undefined),
  multipart: json(r.multipart, undefined),
  lock: json(r.lock, undefined),
});

const NULL_VERSION = 'null';
const toVersion = (r: VersionRow): VersionRecord => ({
  ...toObject(r),
  versionId: r.version_id === NULL_VERSION ? undefined : (r.version_id ?? undefined),
  deleteMarker: !!r.delete_marker,
  current: !!r.current,
  latest: !!r.current || !!r.latest,
  id: r.id,
});

const toUpload = (r: UploadRow): UploadRecord => ({
  id: r.id,
  bucketId: r.bucket_id,
  key: r.key.toString('utf8'),
  ownerAccountId: r.owner_account_id,
  initiatorUserId: r.initiator_user_id,
  contentType: r.content_type ?? undefined,
  headers: json(r.headers, {}),
  acl: json(r.acl, []),
  checksumAlgorithm: r.checksum_algorithm ?? undefined,
  checksumType: (r.checksum_type as UploadRecord['checksumType']) ?? undefined,
  initiated: r.initiated,
  tags: json(r.tags, []),
  encryption: json(r.encryption, undefined),
  lock: json(r.lock, undefined),
});

const toPart = (r: PartRow): PartRecord => ({
  uploadId: r.upload_id,
  partNumber: r.part_number,
  fileId: r.file_id,
  size: r.size,
  etag: r.etag,
  checksum: decodeChecksum(r.checksum),
  lastModified: r.last_modified,
  iv: r.iv ?? undefined,
});

function rangeSql(range: KeyRange, withIds = false): { sql: string; args: (Buffer | string)[] } {
  const args: (Buffer | string)[] = [range.from];
  let sql = `key ${range.inclusive ? '>=' : '>'} ?`;
  if (withIds && !range.inclusive && range.afterId !== undefined) {
    sql = '(key > ? OR (key = ? AND id > ?))';
    args.push(range.from, range.afterId);
  }
  if (range.below) {
    sql += ' AND key < ?';
    args.push(range.below);
  }
  return { sql, args };
}

/** Sorts a key's noncurrent versions newest first, after the current one (''). */
const VERSION_ORDER = (() => {
  // 999999999999 - seq, zero-padded to 12 digits, in SQL both engines read alike.
  const padded = "'000000000000' || (999999999999 - seq)";
  return `substr(${padded}, length(${padded}) - 11)`;
})();

export class SqlWalrusStore implements WalrusStore {
  constructor(private readonly db: SqlDatabase) {}

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async createBucket(b: BucketRecord): Promise<void> {
    await this.db
      .prepare(
        'INSERT INTO walrus_buckets (id, name, owner_account_id, location, acl, created) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(b.id, b.name, b.ownerAccountId, b.location, JSON.stringify(b.acl), b.created);
  }

  async findBucket(name: string): Promise<BucketRecord | undefined> {
    const r = (await this.db.prepare(`${BUCKETS} WHERE b.name = ?`).get(name)) as BucketRow | undefined;
    return r && toBucket(r);
  }

  async bucketById(id: string): Promise<BucketRecord | undefined> {
    const r = (await this.db.prepare(`${BUCKETS} WHERE b.id = ?`).get(id)) as BucketRow | undefined;
    return r && toBucket(r);
  }

  async listBuckets(ownerAccountId: string): Promise<BucketRecord[]> {
    return (
      (await this.db
        .prepare(`${BUCKETS} WHERE b.owner_account_id = ? ORDER BY b.name`)
        .all(ownerAccountId)) as BucketRow[]
    ).map(toBucket);
  }

  async allBucketIds(): Promise<string[]> {
    return ((await this.db.prepare('SELECT id FROM walrus_buckets').all()) as { id: string }[]).map((r) => r.id);
  }

  async setBucketAcl(id: string, acl: Grant[]): Promise<void> {
    await this.db.prepare('UPDATE walrus_buckets SET acl = ? WHERE id = ?').run(JSON.stringify(acl), id);
  }

  async bucketInUse(id: string): Promise<boolean> {
    return !!(
      (await this.db.prepare('SELECT 1 FROM walrus_objects WHERE bucket_id = ? LIMIT 1').get(id)) ||
      (await this.db.prepare('SELECT 1 FROM walrus_versions WHERE bucket_id = ? LIMIT 1').get(id))
    );
  }

  async deleteUploadsOf(bucketId: string): Promise<string[]> {
    return this.transaction(async () => {
      const files = (
        (await this.db
          .prepare(
            'SELECT file_id FROM walrus_parts WHERE upload_id IN (SELECT id FROM walrus_uploads WHERE bucket_id = ?)',
          )
          .all(bucketId)) as { file_id: string }[]
      ).map((r) => r.file_id);
      await this.db
        .prepare('DELETE FROM walrus_parts WHERE upload_id IN (SELECT id FROM walrus_uploads WHERE bucket_id = ?)')
        .run(bucketId);
      await this.db.prepare('DELETE FROM walrus_uploads WHERE bucket_id = ?').run(bucketId);
      return files;
    });
  }

  async deleteBucket(id: string): Promise<void> {
    await this.db.prepare('DELETE FROM walrus_buckets WHERE id = ?').run(id);
  }

  async findObject(bucketId: string, key: string): Promise<ObjectRecord | undefined> {
    const r = (await this.db
      .prepare('SELECT * FROM walrus_objects WHERE bucket_id = ? AND key = ?')
      .get(bucketId, utf8(key))) as ObjectRow | undefined;
    return r && toObject(r);
  }

  async putObject(o: ObjectRecord): Promise<string | undefined> {
    return this.transaction(async () => {
      const old = (await this.db
        .prepare('SELECT file_id FROM walrus_objects WHERE bucket_id = ? AND key = ?')
        .get(o.bucketId, utf8(o.key))) as { file_id: string } | undefined;
      await this.db
        .prepare(
          `INSERT INTO walrus_objects (bucket_id, key, file_id, size, etag, content_type, headers, checksum, owner_account_id, acl, last_modified, tags, version_id, encryption, multipart, lock)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (bucket_id, key) DO UPDATE SET ${OBJECT_COLUMNS_REPLACED}`,
        )
        .run(
          o.bucketId,
          utf8(o.key),
          o.fileId,
          o.size,
          o.etag,
          o.contentType ?? null,
          JSON.stringify(o.headers),
          encodeChecksum(o.checksum),
          o.ownerAccountId,
          JSON.stringify(o.acl),
          o.lastModified,
          JSON.stringify(o.tags ?? []),
          o.versionId ?? null,
          optionalJson(o.encryption),
          optionalJson(o.multipart),
          optionalJson(o.lock),
        );
      return old?.file_id as string | undefined;
    });
  }

  async deleteObject(bucketId: string, key: string): Promise<string | undefined> {
    const r = (await this.db
      .prepare('DELETE FROM walrus_objects WHERE bucket_id = ? AND key = ? RETURNING file_id')
      .get(bucketId, utf8(key))) as { file_id: string } | undefined;
    return r?.file_id;
  }

  async setObjectAcl(bucketId: string, key: string, acl: Grant[], noncurrentVersion?: string): Promise<void> {
    await this.setObjectColumn('acl', JSON.stringify(acl), bucketId, key, noncurrentVersion);
  }

  async setObjectTags(bucketId: string, key: string, tags: Tag[], noncurrentVersion?: string): Promise<void> {
    await this.setObjectColumn('tags', JSON.stringify(tags), bucketId, key, noncurrentVersion);
  }

  async setObjectLock(bucketId: string, key: string, lock: ObjectLock, noncurrentVersion?: string): Promise<void> {
    await this.setObjectColumn('lock', JSON.stringify(lock), bucketId, key, noncurrentVersion);
  }

  private async setObjectColumn(
    column: 'acl' | 'tags' | 'lock',
    value: string,
    bucketId: string,
    key: string,
    noncurrentVersion?: string,
  ): Promise<void> {
    if (noncurrentVersion === undefined)
      await this.db
        .prepare(`UPDATE walrus_objects SET ${column} = ? WHERE bucket_id = ? AND key = ?`)
        .run(value, bucketId, utf8(key));
    else
      await this.db
        .prepare(`UPDATE walrus_versions SET ${column} = ? WHERE bucket_id = ? AND key = ? AND version_id = ?`)
        .run(value, bucketId, utf8(key), noncurrentVersion);
  }

  async bucketConfig<T>(bucketId: string, kind: BucketConfigKind): Promise<T | undefined> {
    const r = (await this.db
      .prepare('SELECT config FROM walrus_bucket_configs WHERE bucket_id = ? AND kind = ?')
      .get(bucketId, kind)) as { config: string } | undefined;
    return r ? (JSON.parse(r.config) as T) : undefined;
  }

  async setBucketConfig(bucketId: string, kind: BucketConfigKind, config: unknown): Promise<boolean> {
    const had =
      (await this.db.prepare('DELETE FROM walrus_bucket_configs WHERE bucket_id = ? AND kind = ?').run(bucketId, kind))
        .changes > 0;
    if (config !== undefined)
      await this.db
        .prepare('INSERT INTO walrus_bucket_configs (bucket_id, kind, config) VALUES (?, ?, ?)')
        .run(bucketId, kind, JSON.stringify(config));
    return had;
  }

  async bucketsWithConfig(kind: BucketConfigKind): Promise<string[]> {
    return (
      (await this.db.prepare('SELECT bucket_id FROM walrus_bucket_configs WHERE kind = ?').all(kind)) as {
        bucket_id: string;
      }[]
    ).map((r) => r.bucket_id as string);
  }

  async scanObjects(bucketId: string, range: KeyRange, limit: number): Promise<ObjectRecord[]> {
    const { sql, args } = rangeSql(range);
    return (
      (await this.db
        .prepare(`SELECT * FROM walrus_objects WHERE bucket_id = ? AND ${sql} ORDER BY key LIMIT ?`)
        .all(bucketId, ...args, limit)) as ObjectRow[]
    ).map(toObject);
  }

  async createUpload(u: UploadRecord): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO walrus_uploads (id, bucket_id, key, owner_account_id, initiator_user_id, content_type, headers, acl, checksum_algorithm, initiated, tags, encryption, checksum_type, lock)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        u.id,
        u.bucketId,
        utf8(u.key),
        u.ownerAccountId,
        u.initiatorUserId,
        u.contentType ?? null,
        JSON.stringify(u.headers),
        JSON.stringify(u.acl),
        u.checksumAlgorithm ?? null,
        u.initiated,
        JSON.stringify(u.tags ?? []),
        optionalJson(u.encryption),
        u.checksumType ?? null,
        optionalJson(u.lock),
      );
  }

  async findUpload(id: string): Promise<UploadRecord | undefined> {
    const r = (await this.db.prepare('SELECT * FROM walrus_uploads WHERE id = ?').get(id)) as UploadRow | undefined;
    return r && toUpload(r);
  }

  async deleteUpload(id: string): Promise<string[]> {
    return this.transaction(async () => {
      const files = (
        (await this.db.prepare('SELECT file_id FROM walrus_parts WHERE upload_id = ?').all(id)) as { file_id: string }[]
      ).map((r) => r.file_id as string);
      await this.db.prepare('DELETE FROM walrus_parts WHERE upload_id = ?').run(id);
      await this.db.prepare('DELETE FROM walrus_uploads WHERE id = ?').run(id);
      return files;
    });
  }

  async scanUploads(bucketId: string, range: KeyRange, limit: number): Promise<UploadRecord[]> {
    const { sql, args } = rangeSql(range, true);
    return (
      (await this.db
        .prepare(`SELECT * FROM walrus_uploads WHERE bucket_id = ? AND ${sql} ORDER BY key, id LIMIT ?`)
        .all(bucketId, ...args, limit)) as UploadRow[]
    ).map(toUpload);
  }

  async putPart(p: PartRecord): Promise<string | undefined> {
    return this.transaction(async () => {
      const old = (await this.db
        .prepare('SELECT file_id FROM walrus_parts WHERE upload_id = ? AND part_number = ?')
        .get(p.uploadId, p.partNumber)) as { file_id: string } | undefined;
      await this.db
        .prepare(
          'INSERT INTO walrus_parts (upload_id, part_number, file_id, size, etag, checksum, last_modified, iv) ' +
            'VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (upload_id, part_number) DO UPDATE SET ' +
            replaced(['file_id', 'size', 'etag', 'checksum', 'last_modified', 'iv']),
        )
        .run(
          p.uploadId,
          p.partNumber,
          p.fileId,
          p.size,
          p.etag,
          encodeChecksum(p.checksum),
          p.lastModified,
          p.iv ?? null,
        );
      return old?.file_id as string | undefined;
    });
  }

  async listParts(uploadId: string, afterPartNumber: number, limit: number): Promise<PartRecord[]> {
    return (
      (await this.db
        .prepare('SELECT * FROM walrus_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?')
        .all(uploadId, afterPartNumber, limit)) as PartRow[]
    ).map(toPart);
  }

  async fileInUse(fileId: string): Promise<boolean> {
    for (const t of ['walrus_objects', 'walrus_versions', 'walrus_parts'])
      if (await this.db.prepare(`SELECT 1 FROM ${t} WHERE file_id = ?`).get(fileId)) return true;
    return false;
  }

  async retireCurrent(bucketId: string, key: string): Promise<boolean> {
    return (
      (
        await this.db
          .prepare(
            `INSERT INTO walrus_versions (bucket_id, key, version_id, seq, file_id, size, etag, content_type, headers, checksum, owner_account_id, acl, last_modified, tags, encryption, multipart, lock)
           SELECT bucket_id, key, coalesce(version_id, '${NULL_VERSION}'), (SELECT coalesce(max(seq), 0) + 1 FROM walrus_versions v WHERE v.bucket_id = o.bucket_id AND v.key = o.key),
             file_id, size, etag, content_type, headers, checksum, owner_account_id, acl, last_modified, tags, encryption, multipart, lock
           FROM walrus_objects o WHERE bucket_id = ? AND key = ?`,
          )
          .run(bucketId, utf8(key))
      ).changes > 0 &&
      (await this.db.prepare('DELETE FROM walrus_objects WHERE bucket_id = ? AND key = ?').run(bucketId, utf8(key)))
        .changes > 0
    );
  }

  async addDeleteMarker(
    bucketId: string,
    key: string,
    versionId: string,
    ownerAccountId: string,
    lastModified: string,
  ): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO walrus_versions (bucket_id, key, version_id, seq, delete_marker, owner_account_id, last_modified)
         VALUES (?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM walrus_versions WHERE bucket_id = ? AND key = ?), 1, ?, ?)`,
      )
      .run(bucketId, utf8(key), versionId, bucketId, utf8(key), ownerAccountId, lastModified);
  }

  async findNoncurrent(bucketId: string, key: string, versionId: string): Promise<VersionRecord | undefined> {
    const r = (await this.db
      .prepare(
        `SELECT *, ${VERSION_ORDER} AS id, 0 AS current FROM walrus_versions WHERE bucket_id = ? AND key = ? ` +
          `AND version_id = ?`,
      )
      .get(bucketId, utf8(key), versionId)) as VersionRow | undefined;
    return r && toVersion(r);
  }

  async newestNoncurrent(bucketId: string, key: string): Promise<VersionRecord | undefined> {
    const r = (await this.db
      .prepare(
        `SELECT *, ${VERSION_ORDER} AS id, 0 AS current FROM walrus_versions WHERE bucket_id = ? AND key = ? ` +
          `ORDER BY seq DESC LIMIT 1`,
      )
      .get(bucketId, utf8(key))) as VersionRow | undefined;
    return r && toVersion(r);
  }

  async deleteNoncurrent(bucketId: string, key: string, versionId: string): Promise<string | undefined> {
    const r = (await this.db
      .prepare('DELETE FROM walrus_versions WHERE bucket_id = ? AND key = ? AND version_id = ? RETURNING file_id')
      .get(bucketId, utf8(key), versionId)) as { file_id: string } | undefined;
    return r?.file_id ?? undefined;
  }

  async restoreCurrent(v: VersionRecord): Promise<void> {
    await this.transaction(async () => {
      await this.deleteNoncurrent(v.bucketId, v.key, v.versionId ?? NULL_VERSION);
      await this.putObject(v);
    });
  }

  async scanVersions(bucketId: string, range: KeyRange, limit: number): Promise<VersionRecord[]> {
    const { sql, args } = rangeSql(range, true);
    return (
      (await this.db
        .prepare(
          `SELECT * FROM (
             SELECT bucket_id, key, file_id, size, etag, content_type, headers, checksum, owner_account_id, acl, last_modified, tags, version_id, encryption, multipart, lock,
               '' AS id, 0 AS seq, 0 AS delete_marker, 1 AS current, 1 AS latest FROM walrus_objects WHERE bucket_id = ?
             UNION ALL
             SELECT bucket_id, key, file_id, size, etag, content_type, headers, checksum, owner_account_id, acl, last_modified, tags, version_id, encryption, multipart, lock,
               ${VERSION_ORDER} AS id, seq, delete_marker, 0 AS current,
               CASE WHEN NOT EXISTS (SELECT 1 FROM walrus_objects o WHERE o.bucket_id = v.bucket_id AND o.key = v.key)
                 AND seq = (SELECT max(seq) FROM walrus_versions n WHERE n.bucket_id = v.bucket_id AND n.key = v.key)
                 THEN 1 ELSE 0 END AS latest
             FROM walrus_versions v WHERE bucket_id = ?
           ) AS listed WHERE ${sql} ORDER BY key, id LIMIT ?`,
        )
        .all(bucketId, bucketId, ...args, limit)) as VersionRow[]
    ).map(toVersion);
  }
}
