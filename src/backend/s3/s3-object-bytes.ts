/**
 * Object bytes in an S3 service, such as Ceph's RADOS Gateway (object-bytes.ts): one bucket of
 * that service holds every Walrus file as the object `<bucket-id>/<file-id>`, so front ends given
 * the same service and bucket share the bytes as they share the database. Requests are signed with
 * Signature V4, their payloads unsigned (Walrus checks every object's MD5 itself). A write of up to
 * PART bytes is one PUT; a longer one a multipart upload of PART-sized parts, so a write holds at
 * most a part in memory. A joined file is a small JSON object listing its parts, read part after
 * part with ranged GETs. Nothing is ever removed by a sweep that is younger than SWEEP_GRACE_MS:
 * another front end may have written it and not yet committed its row.
 */
import { Readable } from 'node:stream';
import { request } from 'undici';
import { signV4 } from '../../shared/auth/sigv4';
import {
  FILE_ID,
  isJoin,
  joinedRanges,
  joinedSize,
  type JoinedPart,
  type LiveFiles,
  newFileId,
  type ObjectBytes,
} from './object-bytes';

/** What eucalyptus.conf says of the service (WALRUS_S3_*). */
export interface S3BackendConfig {
  /** http(s)://host:port of the service. */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** The size of each part of a multipart write (the service's minimum is 5 MiB). */
const PART = 8 * 1024 * 1024;
/** A sweep spares what is younger than this: a write of another front end not yet committed. */
export const SWEEP_GRACE_MS = 24 * 60 * 60 * 1000;

/** An answer of the service that is not what was asked for. */
class BackendError extends Error {
  constructor(what: string, status: number, body: string) {
    super(`the object store answered ${what} with ${status}: ${body.slice(0, 200)}`);
  }
}

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

export class S3ObjectBytes implements ObjectBytes {
  private readonly base: URL;

  constructor(private readonly config: S3BackendConfig) {
    this.base = new URL(config.endpoint);
  }

  get description(): string {
    return `${this.base.origin}${this.base.pathname.replace(/\/$/, '')}/${this.config.bucket} (S3)`;
  }

  /** A signed request; the answer's body is left to the caller unless it is an error. */
  private async call(
    method: string,
    key: string | undefined,
    opts: { query?: Record<string, string>; headers?: Record<string, string>; body?: Buffer; ok?: number[] } = {},
  ) {
    const search = new URLSearchParams(opts.query ?? {}).toString().replace(/\+/g, '%20');
    const path = `${this.base.pathname.replace(/\/$/, '')}/${this.config.bucket}${key === undefined ? '' : `/${encodeKey(key)}`}${search ? `?${search}` : ''}`;
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.body) headers['Content-Length'] = String(opts.body.length);
    signV4({ method, url: this.base, path, headers }, this.config, 's3', this.config.region, { unsignedPayload: true });
    const res = await request(new URL(path, this.base.origin), { method, headers, body: opts.body });
    if (!(opts.ok ?? [200, 204, 206]).includes(res.statusCode)) {
      const text = await res.body.text().catch(() => '');
      throw new BackendError(`${method} ${key ?? ''}`, res.statusCode, text);
    }
    return res;
  }

  private async callText(...args: Parameters<S3ObjectBytes['call']>): Promise<string> {
    return (await this.call(...args)).body.text();
  }

  private key(bucketId: string, fileId: string): string {
    if (!FILE_ID.test(bucketId) || !FILE_ID.test(fileId))
      throw new Error(`not a Walrus file id: ${bucketId}/${fileId}`);
    return `${bucketId}/${fileId}`;
  }

  async init(): Promise<void> {
    // Made if need be; already there (ours) is fine.
    const res = await this.call('PUT', undefined, { ok: [200, 409] });
    const text = await res.body.text();
    if (res.statusCode === 409 && !/BucketAlreadyOwnedByYou/.test(text))
      throw new BackendError(`PUT ${this.config.bucket}`, 409, text);
  }

  newId(): string {
    return newFileId();
  }

  async createBucket(): Promise<void> {
    // A bucket is a prefix: nothing to make.
  }

  async removeBucket(bucketId: string): Promise<void> {
    for await (const o of this.list(`${bucketId}/`)) await this.deleteKey(o.key);
  }

  async write(
    bucketId: string,
    body: AsyncIterable<Buffer> | Iterable<Buffer>,
    fileId = this.newId(),
  ): Promise<string> {
    const key = this.key(bucketId, fileId);
    let part: Buffer[] = [];
    let filled = 0;
    let upload: { id: string; etags: string[] } | undefined;
    const sendPart = async () => {
      const bytes = Buffer.concat(part, filled);
      part = [];
      filled = 0;
      upload ??= { id: await this.startUpload(key), etags: [] };
      const res = await this.call('PUT', key, {
        query: { partNumber: String(upload.etags.length + 1), uploadId: upload.id },
        body: bytes,
      });
      await res.body.dump();
      upload.etags.push(String(res.headers.etag));
    };
    try {
      for await (const piece of body) {
        part.push(piece);
        filled += piece.length;
        if (filled >= PART) await sendPart();
      }
      if (!upload) {
        await (await this.call('PUT', key, { body: Buffer.concat(part, filled) })).body.dump();
        return fileId;
      }
      if (filled) await sendPart();
      const list = upload.etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`);
      const done = await this.callText('POST', key, {
        query: { uploadId: upload.id },
        body: Buffer.from(`<CompleteMultipartUpload>${list.join('')}</CompleteMultipartUpload>`),
      });
      // S3 may answer 200 with an error document when the completion fails late.
      if (/<Error>/.test(done)) throw new BackendError(`POST ${key}?uploadId`, 200, done);
      return fileId;
    } catch (e) {
      if (upload)
        await this.call('DELETE', key, { query: { uploadId: upload.id } }).then(
          (r) => r.body.dump(),
          () => undefined,
        );
      throw e;
    }
  }

  private async startUpload(key: string): Promise<string> {
    const text = await this.callText('POST', key, { query: { uploads: '' } });
    const id = /<UploadId>([^<]+)<\/UploadId>/.exec(text)?.[1];
    if (!id) throw new BackendError(`POST ${key}?uploads`, 200, text);
    return id;
  }

  async join(bucketId: string, parts: JoinedPart[]): Promise<string> {
    const body = Buffer.from(JSON.stringify(parts.map((p) => ({ fileId: p.fileId, size: p.size }))));
    return this.write(bucketId, [body], `${this.newId()}.join`);
  }

  private async joined(bucketId: string, fileId: string): Promise<JoinedPart[]> {
    return JSON.parse(await this.callText('GET', this.key(bucketId, fileId))) as JoinedPart[];
  }

  /** A ranged GET of one file, its answer checked before any byte is handed on. */
  private async get(bucketId: string, fileId: string, start?: number, end?: number): Promise<Readable> {
    const headers: Record<string, string> =
      start !== undefined || end !== undefined ? { Range: `bytes=${start ?? 0}-${end ?? ''}` } : {};
    // A service that ignored the Range would hand over the wrong bytes: only 206 is a ranged answer.
    const ok = headers.Range ? [206] : [200];
    return (await this.call('GET', this.key(bucketId, fileId), { headers, ok })).body;
  }

  async open(bucketId: string, fileId: string, start?: number, end?: number): Promise<Readable> {
    if (!isJoin(fileId)) {
      // An empty range of an empty file: nothing to fetch (a Range on it would be refused).
      if (end !== undefined && end < (start ?? 0)) return Readable.from([]);
      return this.get(bucketId, fileId, start, end);
    }
    const parts = await this.joined(bucketId, fileId);
    const ranges = joinedRanges(parts, start ?? 0, end ?? joinedSize(parts) - 1);
    // The first part is fetched now, so a missing file fails before an answer starts.
    const first = ranges.length
      ? await this.get(bucketId, ranges[0].fileId, ranges[0].start, ranges[0].end)
      : undefined;
    const get = (r: (typeof ranges)[number]) => this.get(bucketId, r.fileId, r.start, r.end);
    const joined = Readable.from(
      (async function* () {
        for (let i = 0; i < ranges.length; i++)
          yield* (i === 0 ? first! : await get(ranges[i])) as AsyncIterable<Buffer>;
      })(),
    );
    joined.once('close', () => first?.destroy());
    return joined;
  }

  private async deleteKey(key: string): Promise<void> {
    await (await this.call('DELETE', key, { ok: [200, 204, 404] })).body.dump();
  }

  async remove(bucketId: string, fileId: string): Promise<void> {
    if (isJoin(fileId)) {
      const parts = await this.joined(bucketId, fileId).catch(() => [] as JoinedPart[]);
      for (const p of parts) await this.deleteKey(this.key(bucketId, p.fileId));
    }
    await this.deleteKey(this.key(bucketId, fileId));
  }

  async unjoin(bucketId: string, fileId: string): Promise<void> {
    if (isJoin(fileId)) await this.deleteKey(this.key(bucketId, fileId));
  }

  /** Every object under `prefix`, with when it was last written (ListObjectsV2, page by page). */
  async *list(prefix: string): AsyncGenerator<{ key: string; modified: number }> {
    let token: string | undefined;
    do {
      const text = await this.callText('GET', undefined, {
        query: { 'list-type': '2', prefix, ...(token ? { 'continuation-token': token } : {}) },
      });
      for (const m of text.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const key = /<Key>([^<]*)<\/Key>/.exec(m[1])?.[1];
        const modified = Date.parse(/<LastModified>([^<]*)<\/LastModified>/.exec(m[1])?.[1] ?? '');
        if (key) yield { key, modified };
      }
      token = /<IsTruncated>true<\/IsTruncated>/.test(text)
        ? /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(text)?.[1]
        : undefined;
    } while (token);
  }

  /**
   * Removes files of buckets that are gone and files no row (nor live joined file) names, older
   * than SWEEP_GRACE_MS; unfinished multipart writes of this store are the service's to expire.
   */
  async sweep(live: LiveFiles, now = Date.now()): Promise<{ removed: number }> {
    let removed = 0;
    const stale: { bucketId: string; fileId: string }[] = [];
    for await (const o of this.list('')) {
      const [bucketId, fileId] = o.key.split('/');
      if (!FILE_ID.test(bucketId ?? '') || !FILE_ID.test(fileId ?? '')) continue;
      if (now - o.modified >= SWEEP_GRACE_MS) stale.push({ bucketId, fileId });
    }
    // The files joined files in use list, read after the listing: an upload completed while the
    // store was listed has its join by now, and its parts are kept.
    const listed = new Set<string>();
    for await (const o of this.list('')) {
      const [bucketId, fileId] = o.key.split('/');
      if (!FILE_ID.test(bucketId ?? '') || !FILE_ID.test(fileId ?? '') || !isJoin(fileId)) continue;
      if (!live.bucketIds.has(bucketId) || !(await live.fileInUse(fileId))) continue;
      // A join removed meanwhile lists nothing.
      for (const p of await this.joined(bucketId, fileId).catch(() => [] as JoinedPart[])) listed.add(p.fileId);
    }
    for (const { bucketId, fileId } of stale) {
      if (live.bucketIds.has(bucketId) && (listed.has(fileId) || (await live.fileInUse(fileId)))) continue;
      await this.deleteKey(`${bucketId}/${fileId}`);
      removed++;
    }
    return { removed };
  }
}
