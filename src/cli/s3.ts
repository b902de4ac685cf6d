/**
 * The S3 (Walrus) REST client: path-style requests below the service URL, signed with Signature
 * V4 or, for Eucalyptus 3 and older, the V2 `Authorization: AWS key:signature` header. Buckets,
 * objects (bodies in memory or streamed both ways), listings, ACLs and multipart uploads. A
 * streamed upload under V4 goes as signed aws-chunked, so its bytes are authenticated without
 * reading them twice; bodies in memory carry Content-MD5. S3 error documents become CliErrors.
 * Commands never see HTTP.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { rfc3986, s3StringToSignV2 } from '../shared/auth/sigv2';
import { ChunkSigner, signV4 } from '../shared/auth/sigv4';
import { type Endpoint } from './config/resolve';
import { CliError, oneLine } from '../shared/errors';
import {
  type HttpBody,
  type HttpRequest,
  type HttpResponse,
  send,
  sendStreaming,
  type StreamingResponse,
  traceStreamingResponse,
} from './http';
import { chunkedLength, signedChunks } from './s3-chunked';
import { parseXml, type XmlNode } from './xml';

/** A body in memory, or a stream of known length (a file, a bundle part being made). */
export type S3Body = string | Buffer | { stream: Readable | AsyncIterable<Buffer>; length: number };

export interface S3Request {
  method: string;
  bucket?: string;
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: S3Body;
  /** Sent without a signature: a POST form upload carries its own (the upload policy's). */
  unsigned?: boolean;
}

export interface PutOptions {
  contentType?: string;
  /** x-amz-meta-* values, by name without the prefix. */
  metadata?: Record<string, string>;
  /** A canned ACL: private, public-read, aws-exec-read, ... */
  acl?: string;
  /** Further request headers (Cache-Control, Content-Disposition, ...). */
  headers?: Record<string, string>;
}

export interface ObjectInfo {
  size: number;
  etag: string;
  lastModified: string;
  contentType?: string;
  metadata: Record<string, string>;
}

export interface ObjectSummary {
  key: string;
  size: number;
  etag: string;
  lastModified: string;
  owner?: { id: string; displayName: string };
}

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  maxKeys?: number;
  /** 2 (the default) lists with continuation tokens, 1 with markers. */
  version?: 1 | 2;
  /** Where to go on: a marker (v1) or continuation token (v2), as `next` of the previous page. */
  next?: string;
  startAfter?: string;
  fetchOwner?: boolean;
}

export interface ListResult {
  objects: ObjectSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** Give this back as ListOptions.next for the following page. */
  next?: string;
}

export interface AclGrant {
  grantee: { type: 'CanonicalUser'; id: string; displayName?: string } | { type: 'Group'; uri: string };
  permission: string;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
  size?: number;
}

/** aws-chunked framing needs V4; files at least this big go up in parts by uploadFile. */
export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

const asList = <T = XmlNode>(v: unknown): T[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v as T]);
const urlDecode = (s: unknown) => decodeURIComponent(String(s ?? '').replace(/\+/g, ' '));
const md5Base64 = (data: string | Buffer) => createHash('md5').update(data).digest('base64');
const inMemory = (b: S3Body | undefined): b is string | Buffer => typeof b === 'string' || Buffer.isBuffer(b);

/** Encodes one key segment; '.' and '..' too, so that nothing on the way folds them as dot segments. */
const segment = (s: string) => (/^\.+$/.test(s) ? s.replace(/\./g, '%2E') : rfc3986(s));

function putHeaders(opts: PutOptions = {}): Record<string, string> {
  const h: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.contentType) h['Content-Type'] = opts.contentType;
  if (opts.acl) h['x-amz-acl'] = opts.acl;
  for (const [k, v] of Object.entries(opts.metadata ?? {})) h[`x-amz-meta-${k}`] = v;
  return h;
}

function objectInfo(headers: Record<string, string | string[] | undefined>): ObjectInfo {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (k.startsWith('x-amz-meta-')) metadata[k.slice(11)] = String(v);
  return {
    size: Number(headers['content-range'] ? String(headers['content-range']).split('/')[1] : headers['content-length']),
    etag: String(headers.etag ?? ''),
    lastModified: String(headers['last-modified'] ?? ''),
    contentType: headers['content-type'] === undefined ? undefined : String(headers['content-type']),
    metadata,
  };
}

export class S3Client {
  constructor(private readonly endpoint: Endpoint) {}

  /** The path of a bucket or object below the service path, each key segment encoded. */
  resourcePath(bucket?: string, key?: string): string {
    const base = this.endpoint.url.pathname.replace(/\/+$/, '');
    if (!bucket) return `${base}/`;
    const keyPath = key === undefined ? '' : '/' + key.split('/').map(segment).join('/');
    return `${base}/${rfc3986(bucket)}${keyPath}`;
  }

  private prepare(r: S3Request): HttpRequest {
    const ep = this.endpoint;
    const path = this.resourcePath(r.bucket, r.key);
    const qs = Object.entries(r.query ?? {})
      .map(([k, v]) => (v === '' ? rfc3986(k) : `${rfc3986(k)}=${rfc3986(v)}`))
      .join('&');
    const pathAndQuery = `${path}${qs ? '?' + qs : ''}`;
    const url = new URL(ep.url.origin);
    const headers: Record<string, string> = { 'User-Agent': 'euca2ools-ts', ...(r.headers ?? {}) };
    const streamed = r.body !== undefined && !inMemory(r.body) ? r.body : undefined;
    let body: HttpBody | undefined = inMemory(r.body) ? r.body : undefined;
    // An empty-bodied request must not pick up aws4's form Content-Type.
    if (inMemory(r.body) && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'binary/octet-stream';
    if (r.unsigned) {
      // Nothing to sign: the form's policy and its signature authorize the upload.
    } else if (ep.signatureVersion === 4) {
      if (streamed) {
        headers['X-Amz-Content-Sha256'] = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
        headers['Content-Encoding'] = 'aws-chunked';
        headers['X-Amz-Decoded-Content-Length'] = String(streamed.length);
        headers['Content-Length'] = String(chunkedLength(streamed.length));
      }
      signV4(
        { method: r.method, url, path: pathAndQuery, headers, body: body as string | Buffer | undefined },
        ep,
        's3',
        ep.region,
      );
      if (streamed)
        body = signedChunks(
          streamed.stream as AsyncIterable<Buffer>,
          ChunkSigner.fromSignedHeaders(headers, ep.secretAccessKey),
        );
    } else {
      headers.Date = new Date().toUTCString();
      if (ep.sessionToken) headers['x-amz-security-token'] = ep.sessionToken;
      if (streamed) {
        headers['Content-Length'] = String(streamed.length);
        body = streamed.stream;
      }
      const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
      const sts = s3StringToSignV2(r.method, lower, path, r.query ?? {}, headers.Date);
      headers.Authorization = `AWS ${ep.accessKeyId}:${createHmac('sha1', ep.secretAccessKey).update(sts, 'utf8').digest('base64')}`;
    }
    return { method: r.method, url, path: pathAndQuery, headers, body };
  }

  private failure(status: number, body: Buffer, r: S3Request): CliError {
    let doc: XmlNode = {};
    try {
      doc = parseXml(body);
    } catch {
      /* not XML */
    }
    const e = doc.Error;
    if (e?.Code) return new CliError(String(e.Code), oneLine(String(e.Message ?? '')), status);
    // HEAD answers have no body: say what the status means.
    const code =
      status === 404
        ? r.key !== undefined
          ? 'NoSuchKey'
          : 'NoSuchBucket'
        : status === 403
          ? 'AccessDenied'
          : status === 412
            ? 'PreconditionFailed'
            : status === 304
              ? 'NotModified'
              : `HTTP${status}`;
    return new CliError(
      code,
      `${this.endpoint.url.origin}${this.resourcePath(r.bucket, r.key)} answered ${status}`,
      status,
    );
  }

  async request(r: S3Request): Promise<HttpResponse> {
    const res = await send(this.prepare(r), { debug: this.endpoint.debug });
    if (res.status >= 300) throw this.failure(res.status, res.body, r);
    return res;
  }

  /** Like request, but the response body is left as a stream (object data). */
  async requestStream(r: S3Request): Promise<StreamingResponse> {
    const res = await sendStreaming(this.prepare(r), { debug: this.endpoint.debug });
    if (this.endpoint.debug) traceStreamingResponse(res);
    if (res.status >= 300) {
      const chunks: Buffer[] = [];
      for await (const c of res.body) chunks.push(c as Buffer);
      throw this.failure(res.status, Buffer.concat(chunks), r);
    }
    return res;
  }

  private async xml(r: S3Request): Promise<XmlNode> {
    return parseXml((await this.request(r)).body);
  }

  // ---- buckets ----

  async listBuckets(): Promise<{ owner: XmlNode; buckets: XmlNode[] }> {
    const doc = (await this.xml({ method: 'GET' })).ListAllMyBucketsResult ?? {};
    return { owner: doc.Owner ?? {}, buckets: asList(doc.Buckets?.Bucket) };
  }

  async createBucket(bucket: string, opts: { location?: string; acl?: string } = {}): Promise<void> {
    const body = opts.location
      ? `<CreateBucketConfiguration ` +
        `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${opts.location}</LocationConstraint></CreateBucketConfiguration>`
      : undefined;
    const headers: Record<string, string> = opts.acl ? { 'x-amz-acl': opts.acl } : {};
    if (body) headers['Content-Type'] = 'application/xml';
    await this.request({ method: 'PUT', bucket, headers, body });
  }

  async headBucket(bucket: string): Promise<void> {
    await this.request({ method: 'HEAD', bucket });
  }

  async deleteBucket(bucket: string): Promise<void> {
    await this.request({ method: 'DELETE', bucket });
  }

  async getBucketLocation(bucket: string): Promise<string> {
    const doc = await this.xml({ method: 'GET', bucket, query: { location: '' } });
    const loc = doc.LocationConstraint;
    return typeof loc === 'string' ? loc : '';
  }

  // ---- objects ----

  async putObject(bucket: string, key: string, body: S3Body, opts: PutOptions = {}): Promise<{ etag: string }> {
    const headers = putHeaders(opts);
    if (inMemory(body)) headers['Content-MD5'] = md5Base64(body);
    const res = await this.request({ method: 'PUT', bucket, key, headers, body });
    return { etag: String(res.headers.etag ?? '') };
  }

  /**
   * Uploads an object by a POST form with an upload policy (S3's browser-form upload, as euca2ools
   * uploads bundles with --upload-policy): the request is unsigned; the policy, signed by the
   * bucket owner's secret key, says what may be uploaded.
   */
  async postObject(
    bucket: string,
    key: string,
    body: Buffer | string,
    form: { accessKeyId: string; policy: string; signature: string; acl?: string },
  ): Promise<void> {
    const boundary = `----euca2ools-${randomBytes(12).toString('hex')}`;
    const fields: Record<string, string | undefined> = {
      key,
      acl: form.acl,
      AWSAccessKeyId: form.accessKeyId,
      Policy: form.policy,
      Signature: form.signature,
    };
    const head = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('');
    const file =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${path.posix.basename(key)}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n';
    await this.request({
      method: 'POST',
      bucket,
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body: Buffer.concat([Buffer.from(head + file), Buffer.from(body), Buffer.from(`\r\n--${boundary}--\r\n`)]),
      unsigned: true,
    });
  }

  /** Streams the object; `range` is inclusive, as HTTP has it. */
  async getObject(
    bucket: string,
    key: string,
    opts: { range?: { start: number; end?: number }; headers?: Record<string, string> } = {},
  ): Promise<{ info: ObjectInfo; status: number; body: Readable }> {
    const headers = { ...(opts.headers ?? {}) };
    if (opts.range) headers.Range = `bytes=${opts.range.start}-${opts.range.end ?? ''}`;
    const res = await this.requestStream({ method: 'GET', bucket, key, headers });
    return { info: objectInfo(res.headers), status: res.status, body: res.body };
  }

  /** The whole object in memory (small objects: manifests, tests). */
  async getObjectBuffer(
    bucket: string,
    key: string,
    opts: { range?: { start: number; end?: number } } = {},
  ): Promise<{ info: ObjectInfo; body: Buffer }> {
    const { info, body } = await this.getObject(bucket, key, opts);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return { info, body: Buffer.concat(chunks) };
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    return objectInfo((await this.request({ method: 'HEAD', bucket, key })).headers);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.request({ method: 'DELETE', bucket, key });
  }

  async deleteObjects(
    bucket: string,
    keys: string[],
    opts: { quiet?: boolean } = {},
  ): Promise<{ deleted: string[]; errors: { key: string; code: string; message: string }[] }> {
    const esc = (s: string) =>
      s
        .replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)
        .replace(/[\u0000-\u001f]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`);
    const body = `<Delete>${opts.quiet ? '<Quiet>true</Quiet>' : ''}${keys.map((k) => `<Object><Key>${esc(k)}</Key></Object>`).join('')}</Delete>`;
    const doc =
      (
        await this.xml({
          method: 'POST',
          bucket,
          query: { delete: '' },
          headers: { 'Content-Type': 'application/xml', 'Content-MD5': md5Base64(body) },
          body,
        })
      ).DeleteResult ?? {};
    return {
      deleted: asList(doc.Deleted).map((d) => String(d.Key)),
      errors: asList(doc.Error).map((e) => ({ key: String(e.Key), code: String(e.Code), message: String(e.Message) })),
    };
  }

  /** Server-side copy; `replace` gives new metadata (REPLACE), otherwise it is copied (COPY). */
  async copyObject(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    opts: { replace?: PutOptions; acl?: string } = {},
  ): Promise<{ etag: string }> {
    const headers: Record<string, string> = {
      ...(opts.replace ? putHeaders(opts.replace) : {}),
      'x-amz-copy-source': `/${rfc3986(source.bucket)}/${source.key.split('/').map(rfc3986).join('/')}`,
      'x-amz-metadata-directive': opts.replace ? 'REPLACE' : 'COPY',
    };
    if (opts.acl) headers['x-amz-acl'] = opts.acl;
    const doc = await this.xml({ method: 'PUT', bucket: target.bucket, key: target.key, headers });
    return { etag: String(doc.CopyObjectResult?.ETag ?? '') };
  }

  /** One page of keys, asked with encoding-type=url so that any key comes back intact. */
  async listObjects(bucket: string, opts: ListOptions = {}): Promise<ListResult> {
    const v2 = opts.version !== 1;
    const query: Record<string, string> = { 'encoding-type': 'url' };
    if (v2) query['list-type'] = '2';
    if (opts.prefix !== undefined) query.prefix = opts.prefix;
    if (opts.delimiter !== undefined) query.delimiter = opts.delimiter;
    if (opts.maxKeys !== undefined) query['max-keys'] = String(opts.maxKeys);
    if (opts.next !== undefined) query[v2 ? 'continuation-token' : 'marker'] = opts.next;
    if (opts.startAfter !== undefined) query[v2 ? 'start-after' : 'marker'] = opts.startAfter;
    if (opts.fetchOwner) query['fetch-owner'] = 'true';
    const doc = (await this.xml({ method: 'GET', bucket, query })).ListBucketResult ?? {};
    const objects = asList(doc.Contents).map((c) => ({
      key: urlDecode(c.Key),
      size: Number(c.Size),
      etag: String(c.ETag),
      lastModified: String(c.LastModified),
      owner: c.Owner ? { id: String(c.Owner.ID), displayName: String(c.Owner.DisplayName ?? '') } : undefined,
    }));
    const isTruncated = doc.IsTruncated === 'true';
    let next: string | undefined;
    if (isTruncated)
      next = v2
        ? String(doc.NextContinuationToken)
        : doc.NextMarker !== undefined
          ? urlDecode(doc.NextMarker)
          : objects[objects.length - 1]?.key;
    return { objects, commonPrefixes: asList(doc.CommonPrefixes).map((p) => urlDecode(p.Prefix)), isTruncated, next };
  }

  /** Every key, page after page. */
  async *listAllObjects(bucket: string, opts: Omit<ListOptions, 'next'> = {}): AsyncGenerator<ObjectSummary> {
    let next: string | undefined;
    do {
      const page = await this.listObjects(bucket, { ...opts, next });
      yield* page.objects;
      next = page.isTruncated ? page.next : undefined;
    } while (next !== undefined);
  }

  /** The ACL of a bucket, or of an object when a key is given. */
  async getAcl(
    bucket: string,
    key?: string,
  ): Promise<{ owner: { id: string; displayName: string }; grants: AclGrant[] }> {
    const doc = (await this.xml({ method: 'GET', bucket, key, query: { acl: '' } })).AccessControlPolicy ?? {};
    const grants = asList(doc.AccessControlList?.Grant).map((g): AclGrant => {
      const who = g.Grantee ?? {};
      const grantee: AclGrant['grantee'] =
        who.URI !== undefined
          ? { type: 'Group', uri: String(who.URI) }
          : {
              type: 'CanonicalUser',
              id: String(who.ID),
              displayName: who.DisplayName === undefined ? undefined : String(who.DisplayName),
            };
      return { grantee, permission: String(g.Permission) };
    });
    return { owner: { id: String(doc.Owner?.ID ?? ''), displayName: String(doc.Owner?.DisplayName ?? '') }, grants };
  }

  /** Sets a canned ACL on a bucket, or on an object when a key is given. */
  async putAcl(bucket: string, key: string | undefined, acl: string): Promise<void> {
    await this.request({ method: 'PUT', bucket, key, query: { acl: '' }, headers: { 'x-amz-acl': acl } });
  }

  // ---- multipart uploads ----

  async createMultipartUpload(bucket: string, key: string, opts: PutOptions = {}): Promise<string> {
    const doc = await this.xml({ method: 'POST', bucket, key, query: { uploads: '' }, headers: putHeaders(opts) });
    return String(doc.InitiateMultipartUploadResult?.UploadId ?? '');
  }

  async uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: S3Body): Promise<string> {
    const headers: Record<string, string> = inMemory(body) ? { 'Content-MD5': md5Base64(body) } : {};
    const res = await this.request({
      method: 'PUT',
      bucket,
      key,
      query: { partNumber: String(partNumber), uploadId },
      headers,
      body,
    });
    return String(res.headers.etag ?? '');
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<UploadedPart[]> {
    const parts: UploadedPart[] = [];
    let marker = '0';
    for (;;) {
      const doc =
        (await this.xml({ method: 'GET', bucket, key, query: { uploadId, 'part-number-marker': marker } }))
          .ListPartsResult ?? {};
      parts.push(
        ...asList(doc.Part).map((p) => ({
          partNumber: Number(p.PartNumber),
          etag: String(p.ETag),
          size: Number(p.Size),
        })),
      );
      if (doc.IsTruncated !== 'true') return parts;
      marker = String(doc.NextPartNumberMarker);
    }
  }

  async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: UploadedPart[],
  ): Promise<{ etag: string }> {
    const body = `<CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${p.etag.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const doc = await this.xml({
      method: 'POST',
      bucket,
      key,
      query: { uploadId },
      headers: { 'Content-Type': 'application/xml' },
      body,
    });
    return { etag: String(doc.CompleteMultipartUploadResult?.ETag ?? '') };
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.request({ method: 'DELETE', bucket, key, query: { uploadId } });
  }

  async listMultipartUploads(
    bucket: string,
    opts: { prefix?: string } = {},
  ): Promise<{ key: string; uploadId: string; initiated: string }[]> {
    const query: Record<string, string> = { uploads: '', 'encoding-type': 'url' };
    if (opts.prefix !== undefined) query.prefix = opts.prefix;
    const doc = (await this.xml({ method: 'GET', bucket, query })).ListMultipartUploadsResult ?? {};
    return asList(doc.Upload).map((u) => ({
      key: urlDecode(u.Key),
      uploadId: String(u.UploadId),
      initiated: String(u.Initiated),
    }));
  }

  /**
   * Uploads a file: one streamed PUT below the multipart threshold, parts of partSize otherwise
   * (each streamed from its range of the file); an upload that fails part-way is aborted.
   */
  async uploadFile(
    bucket: string,
    key: string,
    file: string,
    opts: PutOptions & { partSize?: number; threshold?: number; onProgress?: (bytes: number) => void } = {},
  ): Promise<{ etag: string }> {
    const size = fs.statSync(file).size;
    let sent = 0;
    const read = (range?: { start: number; end: number }): Readable => {
      const source = fs.createReadStream(file, range);
      if (!opts.onProgress) return source;
      const report = opts.onProgress;
      return source.pipe(
        new Transform({
          transform: (chunk: Buffer, _enc, done) => (report((sent += chunk.length)), done(null, chunk)),
        }),
      );
    };
    if (size < (opts.threshold ?? MULTIPART_THRESHOLD))
      return this.putObject(bucket, key, { stream: read(), length: size }, opts);
    const partSize = opts.partSize ?? DEFAULT_PART_SIZE;
    const uploadId = await this.createMultipartUpload(bucket, key, opts);
    try {
      const parts: UploadedPart[] = [];
      for (let n = 1, at = 0; at < size; n++, at += partSize) {
        const length = Math.min(partSize, size - at);
        const etag = await this.uploadPart(bucket, key, uploadId, n, {
          stream: read({ start: at, end: at + length - 1 }),
          length,
        });
        parts.push({ partNumber: n, etag });
      }
      return await this.completeMultipartUpload(bucket, key, uploadId, parts);
    } catch (e) {
      await this.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined);
      throw e;
    }
  }
}
