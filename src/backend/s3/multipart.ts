/**
 * Multipart uploads, the model: initiate, upload parts (each streamed to its own file), list
 * parts and uploads, complete (checks the part list against what was uploaded, then joins the
 * parts' files into the object's without copying them; ETag "md5-of-part-md5s-N") and abort. Access follows S3:
 * writing needs WRITE on the bucket, and an upload's parts are the business of its initiator's
 * account and the bucket owner.
 */
import { createHash } from 'node:crypto';
import { ServiceError } from '../errors';
import {
  type ChecksumAlgorithm,
  type Checksummer,
  type ChecksumType,
  compositeChecksum,
  createChecksummer,
  defaultChecksumType,
} from './checksums';
import { type Encryption, type EncryptionRequest, newIv, seal, unseal } from './encryption';
import { lockForWrite } from './object-lock';
import { type ListPage, type ListQuery, listPage } from './listing';
import { checkKey } from './names';
import { RequestPayload } from './payload';
import { type BucketRecord, type Checksum, type ObjectRecord, type PartRecord, type UploadRecord } from './store';
import type { AclInput, Caller, ObjectAttributes, Walrus, WriteConditions } from './walrus';

export const MAX_PART_NUMBER = 10000;
/** The most a part may hold (a copied range too). */
export const MAX_PART_SIZE = 5 * 1024 ** 3;
/** Every part but the last must be at least this big. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

/** A part just stored, with how its upload is sealed (for the answer's headers). */
export type StoredPart = PartRecord & { encryption?: Omit<Encryption, 'ivs'> };

/** A part as CompleteMultipartUpload lists it. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
  checksum?: Checksum;
}

const noSuchUpload = () =>
  new ServiceError(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted ' +
      'or completed.',
    404,
  );
const accessDenied = () => new ServiceError('AccessDenied', 'Access Denied', 403);
const busy = () =>
  new ServiceError(
    'OperationAborted',
    'A conflicting conditional operation is currently in progress against this resource. Please try again.',
    409,
  );
const unquote = (etag: string) => etag.trim().replace(/^"|"$/g, '');

export function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER)
    throw new ServiceError(
      'InvalidArgument',
      `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
    );
}

export class MultipartUploads {
  /** Uploads being completed right now: a second complete, or an abort, must wait its turn. */
  private readonly completing = new Set<string>();

  constructor(private readonly walrus: Walrus) {}

  private get store() {
    return this.walrus.store;
  }

  /** The upload, if it exists in this bucket under this key. */
  private async upload(b: BucketRecord, key: string, uploadId: string): Promise<UploadRecord> {
    const u = await this.store.findUpload(uploadId);
    if (!u || u.bucketId !== b.id || u.key !== key) throw noSuchUpload();
    return u;
  }

  /** Reading or ending an upload: its initiator's account, or the bucket owner. */
  private async ownUpload(
    caller: Caller,
    bucketName: string,
    key: string,
    uploadId: string,
  ): Promise<{ b: BucketRecord; u: UploadRecord }> {
    const b = await this.store.findBucket(bucketName);
    if (!b) throw new ServiceError('NoSuchBucket', 'The specified bucket does not exist', 404);
    const u = await this.upload(b, key, uploadId);
    const who = caller?.account.id;
    const mine = who !== undefined && (who === u.ownerAccountId || who === b.ownerAccountId);
    if (!mine && !this.walrus.bucketAllows(b, caller, 'WRITE')) throw accessDenied();
    return { b, u };
  }

  async initiate(
    caller: Caller,
    bucketName: string,
    key: string,
    attrs: ObjectAttributes,
    acl: AclInput,
    opts: { checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType }; sse?: EncryptionRequest } = {},
  ): Promise<UploadRecord> {
    checkKey(key);
    this.walrus.checkAttributes(attrs);
    const b = await this.walrus.writableBucket(caller, bucketName);
    const sealing = await this.walrus.sealingFor(b, opts.sse);
    const owner = this.walrus.ownerFor(caller, b, acl);
    const upload: UploadRecord = {
      id: this.walrus.files.newId(),
      bucketId: b.id,
      key,
      ownerAccountId: owner,
      initiatorUserId: caller?.user.id ?? '',
      contentType: attrs.contentType,
      headers: attrs.headers,
      tags: attrs.tags,
      acl: await this.walrus.grantsFor(acl, { owner, bucketOwner: b.ownerAccountId }, b.controls),
      checksumAlgorithm: opts.checksum?.algorithm,
      checksumType: opts.checksum?.type,
      initiated: new Date().toISOString(),
      encryption: sealing?.encryption,
      lock: attrs.lock,
    };
    // An upload asking for a lock needs a bucket with Object Lock, told now rather than at the end.
    lockForWrite(attrs.lock, await this.walrus.lockConfiguration(b.id));
    await this.store.createUpload(upload);
    return upload;
  }

  /**
   * Checks, before the body is read, that a part may be uploaded: and, for a sealed upload, that
   * the key to seal it with is at hand (SSE-C: the request sent the upload's customer key).
   */
  async checkUploadPart(
    caller: Caller,
    bucketName: string,
    key: string,
    uploadId: string,
    partNumber: number,
    sent?: EncryptionRequest,
  ): Promise<{ b: BucketRecord; u: UploadRecord; sealKey?: Buffer }> {
    checkPartNumber(partNumber);
    const b = await this.walrus.writableBucket(caller, bucketName);
    const u = await this.upload(b, key, uploadId);
    return { b, u, sealKey: this.walrus.unsealingKey(u, sent) };
  }

  /** A part's checksum must be of its upload's algorithm, when the upload names one. */
  static checkPartChecksum(u: UploadRecord, declared: string | undefined): void {
    if (declared !== undefined && u.checksumAlgorithm !== undefined && declared !== u.checksumAlgorithm)
      throw new ServiceError(
        'InvalidRequest',
        `Checksum Type mismatch occurred, expected checksum Type: ${u.checksumAlgorithm}, actual checksum Type: ` +
          declared,
      );
  }

  /** Stores a part from a request body (its checksum is kept) or from another object's bytes. */
  async uploadPart(
    caller: Caller,
    bucketName: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: RequestPayload,
    sent?: EncryptionRequest,
  ): Promise<StoredPart> {
    const { b, u, sealKey } = await this.checkUploadPart(caller, bucketName, key, uploadId, partNumber, sent);
    MultipartUploads.checkPartChecksum(u, body.checksumAlgorithm);
    const iv = sealKey && newIv();
    // An upload with a checksum algorithm keeps every part's: the request's, or else one made here.
    const own =
      u.checksumAlgorithm && !body.checksumAlgorithm
        ? createChecksummer(u.checksumAlgorithm as ChecksumAlgorithm)
        : undefined;
    const bytes = own ? summed(body, own) : body;
    const fileId = await this.walrus.files.write(b.id, sealKey ? seal(bytes, sealKey, iv!) : bytes);
    const part: PartRecord = {
      iv: iv?.toString('base64'),
      uploadId,
      partNumber,
      fileId,
      size: body.result!.size,
      etag: `"${body.result!.md5.toString('hex')}"`,
      checksum: own ? { algorithm: u.checksumAlgorithm!, value: own.digest() } : body.result!.checksum,
      lastModified: new Date().toISOString(),
    };
    let replaced: string | undefined;
    try {
      await this.store.transaction(async () => {
        if (!(await this.store.findUpload(uploadId)) || this.completing.has(uploadId)) throw noSuchUpload();
        replaced = await this.store.putPart(part);
      });
    } catch (e) {
      await this.walrus.files.remove(b.id, fileId);
      throw e;
    }
    if (replaced) await this.walrus.removeLeftover(b.id, replaced);
    return { ...part, encryption: u.encryption };
  }

  /** UploadPartCopy: a part's bytes from (a range of) an object the caller has read (Walrus.readAs). */
  async uploadPartCopy(
    caller: Caller,
    bucketName: string,
    key: string,
    uploadId: string,
    partNumber: number,
    src: ObjectRecord,
    range?: { start: number; end: number },
    check?: (o: ObjectRecord) => void,
    keys: { source?: EncryptionRequest; target?: EncryptionRequest } = {},
  ): Promise<StoredPart> {
    await this.checkUploadPart(caller, bucketName, key, uploadId, partNumber, keys.target);
    check?.(src);
    if (range && range.start > range.end)
      throw new ServiceError(
        'InvalidArgument',
        'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the ' +
          'zero-based offsets of the first and last bytes to copy',
      );
    // A range past the source's end is not satisfiable, as S3 answers it.
    if (range && range.end >= src.size)
      throw new ServiceError('InvalidRange', 'The requested range is not satisfiable', 416);
    const bytes = (await this.walrus.openRange(src, range?.start, range?.end, keys.source)) as AsyncIterable<Buffer>;
    const payload = new RequestPayload(bytes, {}, undefined, MAX_PART_SIZE);
    return this.uploadPart(caller, bucketName, key, uploadId, partNumber, payload, keys.target);
  }

  async listParts(
    caller: Caller,
    bucketName: string,
    key: string,
    uploadId: string,
    marker: number,
    maxParts: number,
  ): Promise<{ upload: UploadRecord; parts: PartRecord[]; truncated: boolean }> {
    const { u } = await this.ownUpload(caller, bucketName, key, uploadId);
    const parts = await this.store.listParts(uploadId, marker, maxParts + 1);
    const truncated = parts.length > maxParts;
    return { upload: u, parts: truncated ? parts.slice(0, maxParts) : parts, truncated };
  }

  async list(caller: Caller, bucketName: string, q: ListQuery): Promise<ListPage<UploadRecord>> {
    const b = await this.walrus.bucketFor(caller, bucketName, 'READ');
    return listPage((range, limit) => this.store.scanUploads(b.id, range, limit), q);
  }

  async abort(caller: Caller, bucketName: string, key: string, uploadId: string): Promise<void> {
    const { b } = await this.ownUpload(caller, bucketName, key, uploadId);
    if (this.completing.has(uploadId)) throw busy();
    for (const fileId of await this.store.deleteUpload(uploadId)) await this.walrus.removeLeftover(b.id, fileId);
  }

  /**
   * CompleteMultipartUpload: checks the listed parts against the stored ones, joins their files
   * into the object's (sealed parts stay sealed, each with its counter), and gives it the ETag of
   * its parts' MD5s and, for an upload with a checksum algorithm, its whole checksum (COMPOSITE:
   * of the parts' checksums, `-N`; FULL_OBJECT: of every byte), checked against one the request
   * sends. Completing an upload again with the same parts answers as the first time did.
   */
  async complete(
    caller: Caller,
    bucketName: string,
    key: string,
    uploadId: string,
    listed: CompletedPart[],
    opts: { conditions?: WriteConditions; whole?: WholeChecksum; sent?: EncryptionRequest } = {},
  ): Promise<ObjectRecord> {
    const b = await this.walrus.writableBucket(caller, bucketName);
    const u = await this.store.findUpload(uploadId);
    if (!u || u.bucketId !== b.id || u.key !== key) {
      const done = await this.completedBefore(b, key, uploadId, listed);
      if (done) return done;
      throw noSuchUpload();
    }
    if (this.completing.has(uploadId)) throw busy();
    // Marked at once: no part is replaced, and the upload not aborted, while it is checked and joined.
    this.completing.add(uploadId);
    try {
      const parts = await this.listedParts(uploadId, listed);
      const size = parts.reduce((n, p) => n + p.size, 0);
      if (opts.whole?.size !== undefined && opts.whole.size !== size)
        throw new ServiceError(
          'InvalidRequest',
          `The provided 'x-amz-mp-object-size' header value ${opts.whole.size} does not match what was computed: ` +
            size,
        );
      const summing = wholeSummer(u, opts.whole);
      if (summing?.full) {
        // A full-object checksum is of the plain bytes: a sealed upload's parts are read unsealed.
        const key = u.encryption ? this.walrus.unsealingKey(u, opts.sent) : undefined;
        for (const p of parts) {
          const bytes = await this.walrus.files.open(b.id, p.fileId);
          const plain = key ? unseal(bytes, key, [{ size: p.size, iv: Buffer.from(p.iv!, 'base64') }], 0) : bytes;
          for await (const piece of plain as AsyncIterable<Buffer>) summing.full.update(piece);
        }
      }
      // Everything that can refuse the upload is decided before the parts are joined.
      const checksum = summing && { algorithm: summing.algorithm, value: summing.value(parts) };
      const lock = lockForWrite(u.lock, await this.walrus.lockConfiguration(b.id));
      // The parts become the object as they are: no byte is copied.
      const fileId = await this.walrus.files.join(b.id, parts);
      const etag = createHash('md5');
      for (const p of parts) etag.update(Buffer.from(unquote(p.etag), 'hex'));
      let partFiles: string[] = [];
      const record = await this.walrus.commitObject(
        {
          bucketId: b.id,
          key,
          fileId,
          encryption: u.encryption && { ...u.encryption, ivs: parts.map((p) => p.iv!) },
          multipart: { uploadId, partSizes: parts.map((p) => p.size) },
          size,
          etag: `"${etag.digest('hex')}-${parts.length}"`,
          checksum,
          lock,
          contentType: u.contentType,
          headers: u.headers,
          tags: u.tags,
          ownerAccountId: u.ownerAccountId,
          acl: u.acl,
          lastModified: new Date().toISOString(),
        },
        async () => {
          if (!(await this.store.findUpload(uploadId))) throw noSuchUpload();
          // A part replaced meanwhile (through another front end, whose `completing` is its own):
          // the joined list names a file that is gone, so nothing is committed.
          const now = new Map((await this.store.listParts(uploadId, 0, MAX_PART_NUMBER)).map((p) => [p.partNumber, p]));
          if (parts.some((p) => now.get(p.partNumber)?.fileId !== p.fileId)) throw busy();
          await this.walrus.writeConditions(b.id, key, opts.conditions ?? {})();
          partFiles = await this.store.deleteUpload(uploadId);
        },
        () => this.walrus.files.unjoin(b.id, fileId),
      );
      // Parts uploaded but not listed are dropped; the listed ones are the object's now.
      const kept = new Set(parts.map((p) => p.fileId));
      for (const f of partFiles) if (!kept.has(f)) await this.walrus.removeLeftover(b.id, f);
      return record;
    } finally {
      this.completing.delete(uploadId);
    }
  }

  /** The stored parts a Complete lists, in order, each as listed (ETag, checksum), all but the last big enough. */
  private async listedParts(uploadId: string, listed: CompletedPart[]): Promise<PartRecord[]> {
    if (!listed.length)
      throw new ServiceError(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema.',
      );
    const stored = new Map((await this.store.listParts(uploadId, 0, MAX_PART_NUMBER)).map((p) => [p.partNumber, p]));
    for (let i = 1; i < listed.length; i++) {
      if (listed[i].partNumber <= listed[i - 1].partNumber)
        throw new ServiceError(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
        );
    }
    const parts: PartRecord[] = [];
    for (const want of listed) {
      const have = stored.get(want.partNumber);
      if (
        !have ||
        unquote(have.etag) !== unquote(want.etag) ||
        (want.checksum && want.checksum.value !== have.checksum?.value)
      ) {
        throw new ServiceError(
          'InvalidPart',
          'One or more of the specified parts could not be found. The part may not have been uploaded, or ' +
            "the specified entity tag may not match the part's entity tag.",
        );
      }
      parts.push(have);
    }
    if (parts.slice(0, -1).some((p) => p.size < MIN_PART_SIZE))
      throw new ServiceError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
    return parts;
  }

  /**
   * The object an upload already made, when a Complete of it comes again with the same parts (a
   * client retrying after a lost answer): the key's current object is that upload's, with that ETag.
   */
  private async completedBefore(
    b: BucketRecord,
    key: string,
    uploadId: string,
    listed: CompletedPart[],
  ): Promise<ObjectRecord | undefined> {
    const o = await this.store.findObject(b.id, key);
    if (o?.multipart?.uploadId !== uploadId || !listed.length) return undefined;
    const etag = createHash('md5');
    for (const p of listed) etag.update(Buffer.from(unquote(p.etag), 'hex'));
    return o.etag === `"${etag.digest('hex')}-${listed.length}"` ? o : undefined;
  }
}

/** What a Complete request says of the whole object: its checksum (any algorithm's member), type and size. */
export interface WholeChecksum {
  values: Partial<Record<ChecksumAlgorithm, string>>;
  type?: string;
  size?: number;
}

const withoutPartCount = (v: string) => v.replace(/-\d+$/, '');

/**
 * How an upload's whole checksum is made, checked against what the Complete request sends: a
 * summer over every byte (FULL_OBJECT), and the value once the parts are known.
 */
function wholeSummer(
  u: UploadRecord,
  whole: WholeChecksum | undefined,
): { algorithm: ChecksumAlgorithm; full?: Checksummer; value(parts: PartRecord[]): string } | undefined {
  const algorithm = u.checksumAlgorithm as ChecksumAlgorithm | undefined;
  const sentAlgorithms = Object.keys(whole?.values ?? {}) as ChecksumAlgorithm[];
  if (!algorithm) {
    if (sentAlgorithms.length || whole?.type)
      throw new ServiceError(
        'InvalidRequest',
        'The upload was created without a checksum algorithm: the complete request cannot carry a checksum.',
      );
    return undefined;
  }
  const type = u.checksumType ?? defaultChecksumType(algorithm);
  if (whole?.type !== undefined && whole.type.toUpperCase() !== type)
    throw new ServiceError(
      'InvalidRequest',
      `The upload was created using the ${type} checksum mode. The complete request must use the same checksum mode.`,
    );
  if (sentAlgorithms.some((a) => a !== algorithm))
    throw new ServiceError(
      'InvalidRequest',
      `The upload was created using a ${algorithm} checksum. The complete request must use the same checksum.`,
    );
  const full = type === 'FULL_OBJECT' ? createChecksummer(algorithm) : undefined;
  return {
    algorithm,
    full,
    value(parts) {
      let value: string;
      if (full) value = full.digest();
      else {
        const missing = parts.find((p) => p.checksum?.algorithm !== algorithm);
        if (missing)
          throw new ServiceError(
            'InvalidRequest',
            `The upload was created using a ${algorithm} checksum. Part ${missing.partNumber} has none.`,
          );
        value = compositeChecksum(
          algorithm,
          parts.map((p) => p.checksum!.value),
        );
      }
      const sent = whole?.values[algorithm];
      // A composite value may be sent with its "-N" or without it.
      if (sent !== undefined && withoutPartCount(sent.trim()) !== withoutPartCount(value))
        throw new ServiceError(
          'BadDigest',
          `The ${algorithm} you specified for the full object did not match the calculated checksum.`,
        );
      return value;
    },
  };
}

/** The bytes as they pass, each also given to the summer. */
async function* summed(bytes: AsyncIterable<Buffer>, summer: Checksummer): AsyncGenerator<Buffer> {
  for await (const piece of bytes) {
    summer.update(piece);
    yield piece;
  }
}
