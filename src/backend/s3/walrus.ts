/**
 * Walrus, the model: buckets and objects with S3's rules (naming, ownership, ACLs, what may be
 * deleted), over the WalrusStore (metadata) and ObjectBytes (data). It knows nothing of HTTP: the
 * handler turns requests into these calls and their results into responses. It is also the cloud's
 * internal way into object storage (headObject, openObject, readAs), which image registration
 * uses to read uploaded bundles. The cloud's own buckets are kept by CloudBuckets (cloud-buckets.ts),
 * multipart uploads by multipart.ts.
 */
import { createHash } from 'node:crypto';
import { type Readable } from 'node:stream';
import { ServiceError } from '../errors';
import { type Account, type Principal } from '../store/types';
import {
  type AclContext,
  BUCKET_OWNER_IMPLICIT,
  cannedGrants,
  type Grant,
  granted,
  OBJECT_OWNER_IMPLICIT,
  type Permission,
  type Requester,
  validateGrants,
} from './acl';
import {
  type DefaultEncryption,
  type Encryption,
  type EncryptionRequest,
  keyFor,
  type MasterKey,
  newIv,
  newSealing,
  seal,
  type Sealing,
  unseal,
} from './encryption';
import {
  type BucketControls,
  checkAclsAllowed,
  checkNewGrants,
  effectiveGrants,
  type ObjectOwnership,
} from './bucket-controls';
import { AccessLogs } from './access-log';
import { type ListPage, type ListQuery, listPage } from './listing';
import {
  checkRetentionChange,
  type LockConfiguration,
  lockForWrite,
  noLockConfiguration,
  type ObjectLock,
  type RetentionMode,
} from './object-lock';
import { MultipartUploads } from './multipart';
import { checkBucketName, checkKey } from './names';
import { type RequestPayload } from './payload';
import { type ObjectBytes } from './object-bytes';
import {
  type BucketConfigKind,
  type BucketRecord,
  type ObjectRecord,
  type VersionRecord,
  type WalrusStore,
} from './store';
import { ObjectVersions, type Removal } from './versions';
import type { S3Request } from '../iam/policy';
import type { CorsRule } from './cors';
import type { Tag } from './tagging';

/** The most a single PUT (or part) may carry. */
export const MAX_PUT_SIZE = 5 * 1024 ** 3;
/** User metadata (x-amz-meta-* names and values) is limited like S3's. */
export const MAX_METADATA_BYTES = 2048;

export interface AccountDirectory {
  findAccount(id: string): Promise<Account | undefined>;
  findAccountByName(name: string): Promise<Account | undefined>;
}

/** A key, and one of its versions when named. */
export interface ObjectName {
  key: string;
  versionId?: string;
}

/** Who a request acts as; undefined when it is anonymous. */
export type Caller = Principal | undefined;

/** An ACL as a request gives it: a canned name, or explicit grants (XML body or x-amz-grant-*). */
export interface AclInput {
  canned?: string;
  grants?: Grant[];
}

/** What is stored with an object and answered on GET and HEAD. */
export interface ObjectAttributes {
  contentType?: string;
  /** x-amz-meta-* and the stored standard headers (Content-Encoding, Cache-Control, ...). */
  headers: Record<string, string>;
  /** The x-amz-tagging header's tags. */
  tags?: Tag[];
  /** The x-amz-object-lock-* headers' retention and legal hold. */
  lock?: ObjectLock;
}

export interface ObjectHead {
  size: number;
  etag: string;
  ownerAccountId: string;
  contentType?: string;
  lastModified: string;
}

export interface AclView {
  owner: { id: string; displayName: string };
  grants: { grantee: Grant['grantee'] & { displayName?: string }; permission: Permission }[];
}

export interface WalrusOptions {
  store: WalrusStore;
  files: ObjectBytes;
  accounts: AccountDirectory;
  /** The cloud's own account, which aws-exec-read lets read (`eucalyptus`). */
  cloudAccountName: string;
  /** Buckets the cloud keeps for itself (snapshots): no other account may create them. */
  systemBuckets?: string[];
  /** The key SSE-S3 data keys are sealed under. */
  masterKey: MasterKey;
}

const now = () => new Date().toISOString();
const accessDenied = () => new ServiceError('AccessDenied', 'Access Denied', 403);
const noSuchBucket = () => new ServiceError('NoSuchBucket', 'The specified bucket does not exist', 404);
const noSuchKey = () => new ServiceError('NoSuchKey', 'The specified key does not exist.', 404);
const preconditionFailed = (condition: string) =>
  new ServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, {
    'x-amz-condition': condition,
  });
const unquoted = (etag: string) => etag.replace(/^"|"$/g, '');

/** A write's conditions (PutObject, CompleteMultipartUpload). */
export interface WriteConditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  /** The fewest bytes the body may have (a form policy's content-length-range). */
  minSize?: number;
}
const noSuchVersion = () => new ServiceError('NoSuchVersion', 'The specified version does not exist.', 404);
/** The ACL that is in force: with ACLs off (BucketOwnerEnforced), the bucket owner's full control alone. */
const aclInForce = (b: BucketRecord, acl: Grant[]): Grant[] =>
  b.controls?.ownership === 'BucketOwnerEnforced'
    ? [{ grantee: { type: 'CanonicalUser', id: b.ownerAccountId }, permission: 'FULL_CONTROL' }]
    : acl;

/** The version id a change to a noncurrent version names; undefined for the current object. */
const noncurrent = (o: ObjectRecord | VersionRecord): string | undefined =>
  'current' in o && !o.current ? (o.versionId ?? 'null') : undefined;

/**
 * The policy check every request passes before its operation runs (anonymous ones included):
 * IAM policies and the bucket's policy. Throws to deny; true when the bucket's policy explicitly
 * allows the request (its ACLs then need not).
 */
export type S3Gate = (principal: Principal | undefined, request: S3Request) => Promise<boolean>;

/** An object as a read names it: the source of a copy, a manifest, a bundle's part. */
export interface ObjectSource {
  bucket: string;
  key: string;
  versionId?: string;
}

const bucketTaken = () =>
  new ServiceError(
    'BucketAlreadyExists',
    'The requested bucket name is not available. The bucket namespace is shared by all users of the system. ' +
      'Please select a different name and try again.',
    409,
  );

export const requesterOf = (caller: Caller): Requester => (caller ? { accountId: caller.account.id } : undefined);

export class Walrus {
  readonly store: WalrusStore;
  readonly files: ObjectBytes;
  readonly multipart: MultipartUploads;
  readonly versions: ObjectVersions;
  readonly accessLogs: AccessLogs;
  private readonly accounts: AccountDirectory;
  private readonly cloudAccountName: string;
  private cloudAccountId?: string;
  /** The cloud's own buckets' names (CloudBuckets keeps them), refused to users. */
  readonly systemBuckets: ReadonlySet<string>;
  readonly masterKey: MasterKey;

  constructor(opts: WalrusOptions) {
    this.store = opts.store;
    this.masterKey = opts.masterKey;
    this.files = opts.files;
    this.accounts = opts.accounts;
    this.cloudAccountName = opts.cloudAccountName;
    this.systemBuckets = new Set(opts.systemBuckets ?? []);
    this.multipart = new MultipartUploads(this);
    this.versions = new ObjectVersions(this.store);
    this.accessLogs = new AccessLogs(this);
  }

  /** Start-up housekeeping for the one process that serves Walrus: drop temp and orphan files. */
  async recover(): Promise<{ removed: number }> {
    await this.files.init();
    return this.files.sweep({
      bucketIds: new Set(await this.store.allBucketIds()),
      fileInUse: (id) => this.store.fileInUse(id),
    });
  }

  // ---- the internal API the rest of the cloud uses ----

  async headObject(bucket: string, key: string): Promise<ObjectHead | undefined> {
    const b = await this.store.findBucket(bucket);
    const o = b && (await this.store.findObject(b.id, key));
    return (
      o && {
        size: o.size,
        etag: o.etag,
        ownerAccountId: o.ownerAccountId,
        contentType: o.contentType,
        lastModified: o.lastModified,
      }
    );
  }

  /** The object's bytes; throws NoSuchBucket or NoSuchKey. No access check: callers use readAs first. */
  async openObject(bucket: string, key: string): Promise<Readable> {
    const b = await this.store.findBucket(bucket);
    if (!b) throw noSuchBucket();
    const o = await this.store.findObject(b.id, key);
    if (!o) throw noSuchKey();
    return this.openRange(o);
  }

  /**
   * Refuses a request of a user (any, the cloud administrator too) on one of the cloud's own
   * buckets: they live outside the users' namespace, listed to nobody, taken to whoever would
   * create one, closed to every S3 request. The cloud reaches them through CloudBuckets alone.
   */
  userBucket(name: string, creating = false): void {
    if (!this.systemBuckets.has(name)) return;
    throw creating ? bucketTaken() : accessDenied();
  }

  /**
   * The object as the caller reads it with a GET, whatever the read is for (a GET, the source of a
   * copy or of a part copy, a manifest or bundle part being registered, an image being imported):
   * the gate decides s3:GetObject on it (IAM policies, the bucket's policy), then its ACLs, unless
   * the bucket's policy explicitly allowed the read. What allowed some other request (the write of
   * a copy) never counts here. Call it on the cloud's Walrus, not on a request's view of it.
   */
  async readAs(caller: Caller, source: ObjectSource, gate: S3Gate): Promise<ObjectRecord> {
    const query = source.versionId === undefined ? {} : { versionId: source.versionId };
    return (
      await this.asRequest(caller, { method: 'GET', path: `/${source.bucket}/${source.key}`, query }, gate)
    ).readableObject(caller, source.bucket, source.key, source.versionId);
  }

  /**
   * Checks, as readAs does for reads, that the caller may PUT the key (the cloud writing for a
   * user, as BundleInstance does): the gate, then the bucket's ACLs unless its policy allowed.
   * Returns the Walrus to write through.
   */
  async writerFor(caller: Caller, bucket: string, key: string, gate: S3Gate): Promise<Walrus> {
    const view = await this.asRequest(caller, { method: 'PUT', path: `/${bucket}/${key}`, query: {} }, gate);
    await view.writableBucket(caller, bucket);
    return view;
  }

  /** This Walrus as one request of the caller's sees it, once the gate has let it through. */
  private async asRequest(caller: Caller, request: S3Request, gate: S3Gate): Promise<Walrus> {
    this.userBucket(request.path.split('/')[1]);
    return (await gate(caller, request)) ? this.grantedByPolicy() : this;
  }

  // ---- access rules, shared with multipart ----

  async cloudAccount(): Promise<string | undefined> {
    this.cloudAccountId ??= (await this.accounts.findAccountByName(this.cloudAccountName))?.id;
    return this.cloudAccountId;
  }

  /**
   * Whether the bucket's ACL grants the caller the permission (IgnorePublicAcls disregards its
   * public grants; with BucketOwnerEnforced, ACLs are off and only the bucket's account holds any).
   */
  bucketAllows(b: BucketRecord, caller: Caller, permission: Permission): boolean {
    if (b.controls?.ownership === 'BucketOwnerEnforced') return caller?.account.id === b.ownerAccountId;
    const grants = effectiveGrants(b.controls, b.acl);
    return granted(grants, b.ownerAccountId, requesterOf(caller), permission, BUCKET_OWNER_IMPLICIT);
  }

  /** Whether the object's ACL grants the caller the permission, under its bucket's controls. */
  objectAllows(o: ObjectRecord, caller: Caller, permission: Permission, b: BucketRecord): boolean {
    if (b.controls?.ownership === 'BucketOwnerEnforced') return caller?.account.id === b.ownerAccountId;
    const grants = effectiveGrants(b.controls, o.acl);
    return granted(grants, o.ownerAccountId, requesterOf(caller), permission, OBJECT_OWNER_IMPLICIT);
  }

  /** The bucket, if it exists and the caller holds the permission on it. */
  async bucketFor(caller: Caller, name: string, permission: Permission): Promise<BucketRecord> {
    const b = await this.store.findBucket(name);
    if (!b) throw noSuchBucket();
    if (!this.bucketAllows(b, caller, permission)) throw accessDenied();
    return b;
  }

  async bucketOwnedBy(caller: Caller, name: string): Promise<BucketRecord> {
    const b = await this.store.findBucket(name);
    if (!b) throw noSuchBucket();
    if (!caller || caller.account.id !== b.ownerAccountId) throw accessDenied();
    return b;
  }

  /**
   * Grants for a new bucket or object, or a new ACL, from what the request asked (private by
   * default), under the bucket's controls: no ACL but bucket-owner-full-control where ACLs are
   * off, no public grant where BlockPublicAcls.
   */
  async grantsFor(acl: AclInput, ctx: AclContext, controls?: BucketControls): Promise<Grant[]> {
    checkAclsAllowed(controls, acl, ctx.forBucket === true);
    let grants: Grant[];
    if (acl.grants) {
      validateGrants(acl.grants);
      for (const g of acl.grants) {
        if (g.grantee.type === 'CanonicalUser' && !(await this.accounts.findAccount(g.grantee.id)))
          throw new ServiceError('InvalidArgument', 'Invalid id');
      }
      grants = acl.grants;
    } else grants = cannedGrants(acl.canned ?? 'private', { ...ctx, cloudAccount: await this.cloudAccount() });
    checkNewGrants(controls, grants);
    return grants;
  }

  /**
   * Who owns what the caller writes: the caller's account (anonymous writes belong to the bucket
   * owner), or the bucket owner where its Ownership Controls say so: always (BucketOwnerEnforced),
   * or when written with bucket-owner-full-control (BucketOwnerPreferred).
   */
  ownerFor(caller: Caller, bucket: BucketRecord, acl?: AclInput): string {
    const ownership = bucket.controls?.ownership;
    if (
      ownership === 'BucketOwnerEnforced' ||
      (ownership === 'BucketOwnerPreferred' && acl?.canned === 'bucket-owner-full-control')
    )
      return bucket.ownerAccountId;
    return caller?.account.id ?? bucket.ownerAccountId;
  }

  checkAttributes(attrs: ObjectAttributes): void {
    let size = 0;
    for (const [k, v] of Object.entries(attrs.headers))
      if (k.startsWith('x-amz-meta-')) size += Buffer.byteLength(k.slice(11)) + Buffer.byteLength(v);
    if (size > MAX_METADATA_BYTES)
      throw new ServiceError(
        'MetadataTooLarge',
        `Your metadata headers exceed the maximum allowed metadata size of ${MAX_METADATA_BYTES} bytes`,
      );
  }

  /**
   * A write's If-Match / If-None-Match, checked against the key's current object in the write's
   * own transaction (so two writers cannot both pass): If-None-Match: * only when there is none,
   * If-Match only when its ETag matches (no object: NoSuchKey), as S3 checks them.
   */
  writeConditions(bucketId: string, key: string, c: WriteConditions): () => Promise<void> {
    return async () => {
      if (c.ifNoneMatch === undefined && c.ifMatch === undefined) return;
      const current = await this.store.findObject(bucketId, key);
      if (c.ifNoneMatch !== undefined) {
        if (c.ifNoneMatch.trim() !== '*')
          throw new ServiceError('NotImplemented', 'If-None-Match on a write takes only "*"', 501);
        if (current) throw preconditionFailed('If-None-Match');
      }
      if (c.ifMatch !== undefined) {
        if (!current) throw noSuchKey();
        const wanted = c.ifMatch.split(',').map((e) => e.trim().replace(/^W\//, ''));
        if (!wanted.includes('*') && !wanted.some((e) => unquoted(e) === unquoted(current.etag)))
          throw preconditionFailed('If-Match');
      }
    };
  }

  /**
   * Makes a written file an object: one transaction that checks the bucket is still there (and
   * whatever `alsoCheck` adds), then the replaced file, if any, is unlinked. If the commit fails,
   * `discard` runs: the new file is removed (a joined file's list alone, its parts kept).
   */
  async commitObject(
    record: ObjectRecord,
    alsoCheck?: () => Promise<void>,
    discard = () => this.files.remove(record.bucketId, record.fileId),
  ): Promise<ObjectRecord> {
    let obsolete: string[] = [];
    try {
      await this.store.transaction(async () => {
        if (!(await this.store.bucketById(record.bucketId))) throw noSuchBucket();
        await alsoCheck?.();
        obsolete = await this.versions.makeRoom(record);
        const replaced = await this.store.putObject(record);
        if (replaced && replaced !== record.fileId) obsolete.push(replaced);
      });
    } catch (e) {
      await discard().catch(() => undefined);
      throw e;
    }
    for (const f of obsolete) await this.removeLeftover(record.bucketId, f);
    return record;
  }

  async describeAcl(ownerId: string, grants: Grant[]): Promise<AclView> {
    const name = async (id: string) => (await this.accounts.findAccount(id))?.name ?? id;
    const named: AclView['grants'] = [];
    for (const g of grants)
      named.push({
        grantee:
          g.grantee.type === 'CanonicalUser' ? { ...g.grantee, displayName: await name(g.grantee.id) } : g.grantee,
        permission: g.permission,
      });
    return { owner: { id: ownerId, displayName: await name(ownerId) }, grants: named };
  }

  // ---- buckets ----

  async listBuckets(caller: Caller): Promise<{ owner: Account; buckets: BucketRecord[] }> {
    if (!caller) throw accessDenied();
    return {
      owner: caller.account,
      buckets: (await this.store.listBuckets(caller.account.id)).filter((b) => !this.systemBuckets.has(b.name)),
    };
  }

  async createBucket(
    caller: Caller,
    name: string,
    opts: { location?: string; acl: AclInput; objectLock?: boolean; ownership?: ObjectOwnership },
  ): Promise<BucketRecord> {
    if (!caller) throw accessDenied();
    checkBucketName(name);
    this.userBucket(name, true);
    const location = opts.location ?? '';
    if (location && !/^[A-Za-z0-9-]{1,64}$/.test(location))
      throw new ServiceError('InvalidLocationConstraint', 'The specified location-constraint is not valid');
    const owner = caller.account.id;
    const bucket: BucketRecord = {
      id: this.files.newId(),
      name,
      ownerAccountId: owner,
      location,
      acl: await this.grantsFor(
        opts.acl,
        { owner, bucketOwner: owner, forBucket: true },
        { ownership: opts.ownership },
      ),
      created: now(),
    };
    await this.store.transaction(async () => {
      const existing = await this.store.findBucket(name);
      if (existing?.ownerAccountId === owner)
        throw new ServiceError(
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
          409,
        );
      if (existing) throw bucketTaken();
      await this.store.createBucket(bucket);
      if (opts.ownership) await this.store.setBucketConfig(bucket.id, 'ownershipControls', opts.ownership);
      // A bucket made with Object Lock is versioned, for good.
      if (opts.objectLock) {
        await this.store.setBucketConfig(bucket.id, 'versioning', 'Enabled');
        await this.store.setBucketConfig(bucket.id, 'objectLock', { enabled: true } satisfies LockConfiguration);
      }
    });
    await this.files.createBucket(bucket.id);
    return bucket;
  }

  async headBucket(caller: Caller, name: string): Promise<BucketRecord> {
    return this.bucketFor(caller, name, 'READ');
  }

  /**
   * DeleteBucket: only an empty one (no objects, no versions); its unfinished multipart uploads go
   * with it, as S3 drops them, their parts' files after the records.
   */
  async deleteBucket(caller: Caller, name: string): Promise<void> {
    const b = await this.bucketOwnedBy(caller, name);
    const parts = await this.store.transaction(async () => {
      if (await this.store.bucketInUse(b.id))
        throw new ServiceError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409);
      const files = await this.store.deleteUploadsOf(b.id);
      await this.store.deleteBucket(b.id);
      return files;
    });
    for (const fileId of parts) await this.files.remove(b.id, fileId);
    await this.files.removeBucket(b.id);
  }

  async bucketLocation(caller: Caller, name: string): Promise<string> {
    return (await this.bucketOwnedBy(caller, name)).location;
  }

  async bucketAcl(caller: Caller, name: string): Promise<AclView> {
    const b = await this.bucketFor(caller, name, 'READ_ACP');
    return this.describeAcl(b.ownerAccountId, aclInForce(b, b.acl));
  }

  async setBucketAcl(caller: Caller, name: string, acl: AclInput): Promise<void> {
    const b = await this.bucketFor(caller, name, 'WRITE_ACP');
    await this.store.setBucketAcl(
      b.id,
      await this.grantsFor(
        acl,
        { owner: b.ownerAccountId, bucketOwner: b.ownerAccountId, forBucket: true },
        b.controls,
      ),
    );
  }

  async listObjects(caller: Caller, name: string, q: ListQuery): Promise<ListPage<ObjectRecord>> {
    const b = await this.bucketFor(caller, name, 'READ');
    return listPage((range, limit) => this.store.scanObjects(b.id, range, limit), q);
  }

  // ---- objects ----

  /** Checks, before any body is read, that the caller may write into the bucket. */
  async writableBucket(caller: Caller, name: string): Promise<BucketRecord> {
    return this.bucketFor(caller, name, 'WRITE');
  }

  async putObject(
    caller: Caller,
    bucketName: string,
    key: string,
    body: RequestPayload,
    attrs: ObjectAttributes,
    acl: AclInput,
    conditions: WriteConditions = {},
    sse?: EncryptionRequest,
  ): Promise<ObjectRecord> {
    checkKey(key);
    this.checkAttributes(attrs);
    const b = await this.writableBucket(caller, bucketName);
    // Checked before the body is read too: a write bound to fail does not send its bytes to disk.
    await this.writeConditions(b.id, key, conditions)();
    const owner = this.ownerFor(caller, b, acl);
    const grants = await this.grantsFor(acl, { owner, bucketOwner: b.ownerAccountId }, b.controls);
    const lock = lockForWrite(attrs.lock, await this.lockConfiguration(b.id));
    const { fileId, encryption } = await this.writeFile(b.id, body, await this.sealingFor(b, sse));
    const r = body.result!;
    if (conditions.minSize !== undefined && r.size < conditions.minSize) {
      await this.files.remove(b.id, fileId);
      throw new ServiceError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size');
    }
    return this.commitObject(
      {
        bucketId: b.id,
        key,
        fileId,
        encryption,
        size: r.size,
        etag: `"${r.md5.toString('hex')}"`,
        lock,
        contentType: attrs.contentType,
        headers: attrs.headers,
        checksum: r.checksum,
        ownerAccountId: owner,
        acl: grants,
        lastModified: now(),
        tags: attrs.tags,
      },
      this.writeConditions(b.id, key, conditions),
    );
  }

  /** The object, if the caller may read it. A missing key is AccessDenied to those who may not list. */
  async readableObject(caller: Caller, bucketName: string, key: string, versionId?: string): Promise<ObjectRecord> {
    const b = await this.store.findBucket(bucketName);
    if (!b) throw noSuchBucket();
    const o = await (versionId === undefined
      ? this.store.findObject(b.id, key)
      : this.versions.find(b.id, key, versionId));
    if (!o) {
      if (!this.bucketAllows(b, caller, 'READ')) throw accessDenied();
      if (versionId !== undefined) throw noSuchVersion();
      // A key whose latest version is a delete marker says so, as S3 does, with the marker's id.
      const marker = await this.versions.latestDeleteMarker(b.id, key);
      if (!marker) throw noSuchKey();
      throw new ServiceError('NoSuchKey', 'The specified key does not exist.', 404, {
        'x-amz-delete-marker': 'true',
        'x-amz-version-id': marker.versionId ?? 'null',
      });
    }
    if ('deleteMarker' in o && o.deleteMarker)
      throw new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
        'x-amz-delete-marker': 'true',
        'x-amz-version-id': versionId ?? 'null',
        'last-modified': new Date(o.lastModified).toUTCString(),
      });
    if (!this.objectAllows(o, caller, 'READ', b)) throw accessDenied();
    return o;
  }

  /**
   * Opens the object's bytes start..end (inclusive) now (see ObjectBytes.open), unsealed when it is
   * encrypted: SSE-S3 by the cloud's key, SSE-C only with the customer's key `sent` again.
   */
  async openRange(o: ObjectRecord, start?: number, end?: number, sent?: EncryptionRequest): Promise<Readable> {
    const key = this.unsealingKey(o, sent);
    const raw = await this.files.open(o.bucketId, o.fileId, start, end);
    if (!key || !o.encryption) return raw;
    const sizes = o.multipart?.partSizes ?? [o.size];
    const segments = o.encryption.ivs.map((iv, i) => ({ size: sizes[i], iv: Buffer.from(iv, 'base64') }));
    return unseal(raw, key, segments, start ?? 0);
  }

  /** The key an object's bytes open with, given the SSE-C key a request sent (see keyFor); throws if it cannot. */
  unsealingKey(o: { encryption?: Omit<Encryption, 'ivs'> }, sent?: EncryptionRequest): Buffer | undefined {
    return keyFor(o.encryption, sent, this.masterKey);
  }

  /**
   * Removes a file no row names any more, after its change was committed: a failure is not the
   * request's (it succeeded); what stays is an orphan the start-up sweep removes.
   */
  async removeLeftover(bucketId: string, fileId: string): Promise<void> {
    await this.files.remove(bucketId, fileId).catch(() => undefined);
  }

  /** The bucket's Object Lock configuration, if it has Object Lock. */
  lockConfiguration(bucketId: string): Promise<LockConfiguration | undefined> {
    return this.store.bucketConfig<LockConfiguration>(bucketId, 'objectLock');
  }

  /**
   * Changes a version's retention (PutObjectRetention) or legal hold (PutObjectLegalHold): only
   * in a bucket with Object Lock, and never weakening a retention the request may not bypass.
   */
  async setObjectLock(
    caller: Caller,
    bucketName: string,
    key: string,
    versionId: string | undefined,
    change: { retention?: { mode?: RetentionMode; retainUntil?: string }; legalHold?: boolean },
    bypass = false,
  ): Promise<ObjectRecord> {
    const b = await this.writableBucket(caller, bucketName);
    if (!(await this.lockConfiguration(b.id))) throw noLockConfiguration();
    return this.store.transaction(async () => {
      const o = await this.readableObject(caller, bucketName, key, versionId);
      const lock: ObjectLock = { ...o.lock };
      if (change.retention) {
        checkRetentionChange(o.lock, change.retention, bypass);
        delete lock.mode;
        delete lock.retainUntil;
        Object.assign(lock, change.retention);
      }
      if (change.legalHold !== undefined) lock.legalHold = change.legalHold;
      await this.store.setObjectLock(o.bucketId, o.key, lock, noncurrent(o));
      return { ...o, lock };
    });
  }

  /** How a new object in the bucket is sealed: as the request asks, else by the bucket's default. */
  async sealingFor(b: BucketRecord, asked?: EncryptionRequest): Promise<Sealing | undefined> {
    const byDefault = await this.store.bucketConfig<DefaultEncryption>(b.id, 'encryption');
    const wanted: EncryptionRequest | undefined = asked ?? (byDefault ? { mode: 'AES256' } : undefined);
    return wanted && newSealing(wanted, this.masterKey);
  }

  /** Writes bytes to a new file, sealed (one segment, a fresh counter) when `key` is given. */
  async writeFile(
    bucketId: string,
    body: AsyncIterable<Buffer> | Iterable<Buffer>,
    sealing?: { encryption: Omit<Encryption, 'ivs'>; key: Buffer },
  ): Promise<{ fileId: string; encryption?: Encryption }> {
    if (!sealing) return { fileId: await this.files.write(bucketId, body) };
    const iv = newIv();
    const fileId = await this.files.write(bucketId, seal(body, sealing.key, iv));
    return { fileId, encryption: { ...sealing.encryption, ivs: [iv.toString('base64')] } };
  }

  /**
   * DELETE: of the key (a delete marker when versioned), or of one version for good, which Object
   * Lock may forbid (`bypass`: the request may lift a GOVERNANCE retention).
   */
  async deleteObject(
    caller: Caller,
    bucketName: string,
    key: string,
    versionId?: string,
    bypass = false,
  ): Promise<Removal> {
    const b = await this.writableBucket(caller, bucketName);
    return this.removeObject(b.id, key, this.ownerFor(caller, b), versionId, undefined, bypass);
  }

  /**
   * Deletes a key (a delete marker when versioned) or one version; no access check. With
   * `onlyFile`, only while the key's current object is still that file (`removed` says whether).
   */
  async removeObject(
    bucketId: string,
    key: string,
    owner: string,
    versionId?: string,
    onlyFile?: string,
    bypass = false,
  ): Promise<Removal & { removed: boolean }> {
    const removal = await this.store.transaction(async () => {
      if (onlyFile !== undefined && (await this.store.findObject(bucketId, key))?.fileId !== onlyFile) return undefined;
      return versionId === undefined
        ? this.versions.deleteKey(bucketId, key, owner)
        : this.versions.deleteVersion(bucketId, key, versionId, bypass);
    });
    if (!removal) return { files: [], deleteMarker: false, removed: false };
    for (const f of removal.files) await this.removeLeftover(bucketId, f);
    return { ...removal, removed: true };
  }

  /** Where a version sorts among its key's (for a listing's version-id-marker); undefined if none. */
  async versionOrder(bucketName: string, key: string, versionId: string): Promise<string | undefined> {
    const b = await this.store.findBucket(bucketName);
    return b && (await this.versions.find(b.id, key, versionId))?.id;
  }

  /** Every version and delete marker, a page at a time, as ListObjectVersions lists them. */
  async listVersions(caller: Caller, name: string, q: ListQuery): Promise<ListPage<VersionRecord>> {
    const b = await this.bucketFor(caller, name, 'READ');
    return listPage((range, limit) => this.store.scanVersions(b.id, range, limit), q);
  }

  /** A bucket's configuration (tagging, CORS, lifecycle): its owner's to read and change. */
  async bucketConfig<T>(caller: Caller, name: string, kind: BucketConfigKind): Promise<T | undefined> {
    return this.store.bucketConfig<T>((await this.bucketOwnedBy(caller, name)).id, kind);
  }

  /** Sets, or with undefined removes, a configuration; returns whether one was set before. */
  async setBucketConfig(caller: Caller, name: string, kind: BucketConfigKind, config: unknown): Promise<boolean> {
    return this.store.setBucketConfig((await this.bucketOwnedBy(caller, name)).id, kind, config);
  }

  /** A bucket's owner and its policy's text, for the policy check every request passes. */
  async bucketPolicy(
    name: string,
  ): Promise<{ ownerAccountId: string; policy?: string; controls?: BucketControls } | undefined> {
    const b = await this.store.findBucket(name);
    return (
      b && {
        ownerAccountId: b.ownerAccountId,
        policy: await this.store.bucketConfig<string>(b.id, 'policy'),
        controls: b.controls,
      }
    );
  }

  /**
   * This Walrus as a request sees it when the bucket's policy explicitly allows what it asks (the
   * policy check has matched the exact action and resource): ACLs then grant it whatever it needs.
   */
  grantedByPolicy(): Walrus {
    const view = Object.create(this) as Walrus;
    const granted = { value: () => true };
    Object.defineProperties(view, { bucketAllows: granted, objectAllows: granted });
    Object.defineProperty(view, 'multipart', { value: new MultipartUploads(view) });
    return view;
  }

  /**
   * Writes a delivery of access log lines into the target bucket, as its owner's object (sealed
   * and retained as the bucket's defaults say). False when the target is gone, or is no longer
   * the logged bucket's owner's (a name deleted and taken by another account): the lines are
   * dropped rather than told to someone else.
   */
  async deliverLog(targetBucket: string, owner: string, key: string, body: Buffer): Promise<boolean> {
    const b = await this.store.findBucket(targetBucket);
    if (!b || b.ownerAccountId !== owner) return false;
    const md5 = createHash('md5').update(body).digest('hex');
    const lock = lockForWrite(undefined, await this.lockConfiguration(b.id));
    const { fileId, encryption } = await this.writeFile(b.id, [body], await this.sealingFor(b));
    await this.commitObject({
      bucketId: b.id,
      key,
      fileId,
      encryption,
      size: body.length,
      etag: `"${md5}"`,
      contentType: 'text/plain',
      headers: {},
      ownerAccountId: owner,
      acl: cannedGrants('private', { owner, bucketOwner: owner }),
      lastModified: now(),
      lock,
    });
    return true;
  }

  /** A bucket's CORS rules, for anyone: browsers ask before they may authenticate. */
  async corsRules(name: string): Promise<CorsRule[] | undefined> {
    const b = await this.store.findBucket(name);
    return b && this.store.bucketConfig<CorsRule[]>(b.id, 'cors');
  }

  /** Replaces an object's (or one version's) tags: who may change its ACL may change its tags. */
  async setObjectTags(caller: Caller, bucketName: string, key: string, tags: Tag[], versionId?: string): Promise<void> {
    const o = await this.objectForAcp(caller, bucketName, key, 'WRITE_ACP', versionId);
    await this.store.setObjectTags(o.bucketId, o.key, tags, noncurrent(o));
  }

  async deleteObjects(
    caller: Caller,
    bucketName: string,
    objects: ObjectName[],
    bypass: (key: string) => Promise<boolean> = async () => false,
  ): Promise<{
    deleted: (ObjectName & Removal)[];
    errors: { key: string; versionId?: string; code: string; message: string }[];
  }> {
    const b = await this.writableBucket(caller, bucketName);
    const out = {
      deleted: [] as (ObjectName & Removal)[],
      errors: [] as { key: string; versionId?: string; code: string; message: string }[],
    };
    for (const { key, versionId } of objects) {
      try {
        checkKey(key);
        const owner = this.ownerFor(caller, b);
        const lifts = versionId !== undefined && (await bypass(key));
        out.deleted.push({ key, ...(await this.removeObject(b.id, key, owner, versionId, undefined, lifts)) });
      } catch (e) {
        if (!(e instanceof ServiceError)) throw e;
        out.errors.push({ key, versionId, code: e.code, message: e.message });
      }
    }
    return out;
  }

  /**
   * Writes a copy of an object the caller has read (readAs): the source's access was checked as a
   * read of its own, this checks the write.
   */
  async copyObject(
    caller: Caller,
    source: { object: ObjectRecord; versionId?: string },
    target: { bucket: string; key: string },
    opts: {
      replace?: ObjectAttributes;
      acl: AclInput;
      check?: (o: ObjectRecord) => void;
      tags?: Tag[];
      /** The SSE-C key of the source, when it is sealed with one. */
      sourceKey?: EncryptionRequest;
      /** The encryption the copy asks for (else the target bucket's default). */
      sse?: EncryptionRequest;
      /** The Object Lock the copy asks for (else the target bucket's default retention). */
      lock?: ObjectLock;
    },
  ): Promise<ObjectRecord> {
    checkKey(target.key);
    const src = source.object;
    opts.check?.(src);
    const b = await this.writableBucket(caller, target.bucket);
    const selfCopy = b.id === src.bucketId && target.key === src.key && source.versionId === undefined;
    if (selfCopy && !opts.replace && !opts.sse) {
      throw new ServiceError(
        'InvalidRequest',
        'This copy request is illegal because it is trying to copy an object to itself without changing the ' +
          "object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    if (opts.replace) this.checkAttributes(opts.replace);
    const owner = this.ownerFor(caller, b, opts.acl);
    const grants = await this.grantsFor(opts.acl, { owner, bucketOwner: b.ownerAccountId }, b.controls);
    const sealing = await this.sealingFor(b, opts.sse);
    // Everything that can refuse the copy is decided before its bytes are written.
    const lock = lockForWrite(opts.lock, await this.lockConfiguration(b.id));
    const md5 = createHash('md5');
    const bytes = await this.openRange(src, undefined, undefined, opts.sourceKey);
    const { fileId, encryption } = await this.writeFile(
      b.id,
      (async function* () {
        for await (const piece of bytes as AsyncIterable<Buffer>) {
          md5.update(piece);
          yield piece;
        }
      })(),
      sealing,
    );
    const attrs = opts.replace ?? { contentType: src.contentType, headers: src.headers };
    return this.commitObject({
      bucketId: b.id,
      key: target.key,
      fileId,
      encryption,
      size: src.size,
      etag: `"${md5.digest('hex')}"`,
      contentType: attrs.contentType,
      headers: attrs.headers,
      checksum: src.etag.includes('-') ? undefined : src.checksum,
      ownerAccountId: owner,
      acl: grants,
      lastModified: now(),
      tags: opts.tags ?? src.tags,
      lock,
    });
  }

  /** An object's ACL, or one version's (?acl&versionId=, any version of the key). */
  async objectAcl(caller: Caller, bucketName: string, key: string, versionId?: string): Promise<AclView> {
    const o = await this.objectForAcp(caller, bucketName, key, 'READ_ACP', versionId);
    const b = (await this.store.bucketById(o.bucketId))!;
    if (b.controls?.ownership === 'BucketOwnerEnforced') return this.describeAcl(b.ownerAccountId, aclInForce(b, []));
    return this.describeAcl(o.ownerAccountId, o.acl);
  }

  async setObjectAcl(
    caller: Caller,
    bucketName: string,
    key: string,
    acl: AclInput,
    versionId?: string,
  ): Promise<void> {
    const o = await this.objectForAcp(caller, bucketName, key, 'WRITE_ACP', versionId);
    const b = (await this.store.bucketById(o.bucketId))!;
    await this.store.setObjectAcl(
      o.bucketId,
      o.key,
      await this.grantsFor(acl, { owner: o.ownerAccountId, bucketOwner: b.ownerAccountId }, b.controls),
      noncurrent(o),
    );
  }

  /** The object (or the version named) whose ACL or tags the caller reads or changes. */
  private async objectForAcp(
    caller: Caller,
    bucketName: string,
    key: string,
    permission: 'READ_ACP' | 'WRITE_ACP',
    versionId?: string,
  ): Promise<ObjectRecord | VersionRecord> {
    const b = await this.store.findBucket(bucketName);
    if (!b) throw noSuchBucket();
    const o = await (versionId === undefined
      ? this.store.findObject(b.id, key)
      : this.versions.find(b.id, key, versionId));
    if (!o) {
      if (!this.bucketAllows(b, caller, 'READ')) throw accessDenied();
      throw versionId === undefined ? noSuchKey() : noSuchVersion();
    }
    if ('deleteMarker' in o && o.deleteMarker)
      throw new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
        'x-amz-delete-marker': 'true',
        'x-amz-version-id': versionId!,
      });
    if (!this.objectAllows(o, caller, permission, b)) throw accessDenied();
    return o;
  }
}
