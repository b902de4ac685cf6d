/**
 * One S3 request on its way to the model: who sent it, which bucket and key it names, and the
 * helpers every operation needs to read it (parameters, the body as a verified payload, ACL and
 * metadata headers) and to answer (XML and empty replies). The operations themselves are in
 * bucket-ops.ts, object-ops.ts and upload-ops.ts.
 */
import type { SeedSignature } from '../auth/verify';
import { ServiceError } from '../errors';
import type { Origin } from '../iam/enforce';
import { type Reply } from '../reply';
import { cannedGrants, headerGrants } from './acl';
import { type Owner } from './documents';
import { decodePathText } from './names';
import { RequestPayload } from './payload';
import { parseTaggingHeader } from './tagging';
import { type ObjectRecord } from './store';
import { type AclInput, type Caller, type ObjectAttributes, type ObjectSource, type Walrus } from './walrus';

export interface S3HttpRequest {
  method: string;
  /** The path as sent, still percent-encoded (signatures are over it). */
  rawPath: string;
  /** The path below the service prefix: '/', '/bucket', '/bucket/key'. */
  resourcePath: string;
  query: [string, string][];
  headers: Record<string, string>;
  /** The body as it arrives; reading it first sends 100 Continue to a client waiting for one. */
  body: AsyncIterable<Buffer>;
  /** Where it came from, for policy conditions (aws:SourceIp, aws:SecureTransport). */
  origin?: Origin;
}

/** Request documents (delete lists, part lists, ACLs) are small; this is plenty for 10,000 parts. */
export const MAX_XML_BODY = 4 * 1024 * 1024;

/** Headers stored with an object and answered with it, besides x-amz-meta-*. */
const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
  'x-amz-website-redirect-location',
];

export class S3Call {
  readonly q: Map<string, string>;
  private readonly owners = new Map<string, Owner>();

  constructor(
    readonly walrus: Walrus,
    readonly req: S3HttpRequest,
    readonly caller: Caller,
    readonly seed: SeedSignature | undefined,
    readonly bucket: string,
    readonly key: string | undefined,
    /** Reads an object as this caller's GET of it would (Walrus.readAs): for copy sources. */
    private readonly readAs: (source: ObjectSource) => Promise<ObjectRecord>,
  ) {
    this.q = new Map(req.query);
  }

  header(name: string): string | undefined {
    return this.req.headers[name];
  }

  has(param: string): boolean {
    return this.q.has(param);
  }

  param(name: string): string | undefined {
    return this.q.get(name);
  }

  /** The object key; operations on objects are only routed here with one. */
  get objectKey(): string {
    return this.key!;
  }

  intParam(name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.q.get(name);
    if (v === undefined || v === '') return fallback;
    if (!/^\d{1,10}$/.test(v))
      throw new ServiceError('InvalidArgument', `Provided ${name} not an integer or within integer range`);
    return Math.min(Number(v), max);
  }

  payload(limit: number): RequestPayload {
    return new RequestPayload(this.req.body, this.req.headers, this.seed, limit);
  }

  /** A small XML body, verified like any payload. */
  xmlBody(): Promise<Buffer> {
    return this.payload(MAX_XML_BODY).readAll();
  }

  /** The ACL the request's headers ask for: x-amz-acl, or x-amz-grant-* (not both). */
  aclInput(): AclInput {
    const canned = this.header('x-amz-acl')?.trim();
    const grants = headerGrants(this.req.headers);
    if (canned !== undefined && grants)
      throw new ServiceError('InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed');
    if (canned !== undefined) cannedGrants(canned, { owner: '', bucketOwner: '' }); // rejects unknown names early
    return grants ? { grants } : { canned };
  }

  attributes(): ObjectAttributes {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.req.headers)) {
      if (k.startsWith('x-amz-meta-') || STORED_HEADERS.includes(k)) headers[k] = v;
    }
    // aws-chunked is how this request was framed, not how the object is encoded.
    if (headers['content-encoding'] !== undefined) {
      const rest = headers['content-encoding']
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s && s.toLowerCase() !== 'aws-chunked');
      if (rest.length) headers['content-encoding'] = rest.join(',');
      else delete headers['content-encoding'];
    }
    return {
      contentType: this.header('content-type'),
      headers,
      tags: parseTaggingHeader(this.header('x-amz-tagging')),
    };
  }

  /** The owners of these accounts, looked up once each, for a document rendered from them. */
  async ownersOf(accountIds: Iterable<string>): Promise<(accountId: string) => Owner> {
    for (const id of new Set(accountIds)) await this.owner(id);
    return (id) => this.owners.get(id)!;
  }

  async owner(accountId: string): Promise<Owner> {
    let o = this.owners.get(accountId);
    if (!o) {
      const view = await this.walrus.describeAcl(accountId, []);
      o = { ID: accountId, DisplayName: view.owner.displayName };
      this.owners.set(accountId, o);
    }
    return o;
  }

  /**
   * The object x-amz-copy-source names, read as the caller: checked as a GET of its own (IAM,
   * the source bucket's policy, its ACLs), never by what allowed this request's write.
   */
  async copySourceObject(): Promise<{ object: ObjectRecord; versionId?: string }> {
    const source = this.copySource();
    return { object: await this.readAs(source), versionId: source.versionId };
  }

  /** x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, optionally ?versionId=ID. */
  copySource(): ObjectSource {
    let raw = this.header('x-amz-copy-source')!.trim();
    const q = raw.indexOf('?');
    let versionId: string | undefined;
    if (q >= 0) {
      versionId = new URLSearchParams(raw.slice(q + 1)).get('versionId') ?? undefined;
      raw = raw.slice(0, q);
    }
    raw = raw.replace(/^\//, '');
    const slash = raw.indexOf('/');
    if (slash <= 0 || slash === raw.length - 1)
      throw new ServiceError(
        'InvalidArgument',
        'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      );
    return { bucket: decodePathText(raw.slice(0, slash)), key: decodePathText(raw.slice(slash + 1)), versionId };
  }

  /**
   * The versionId parameter of an operation on the current version only (ACLs and tags here): it
   * may name that version, nothing else.
   */
  async checkVersion(): Promise<void> {
    const v = this.param('versionId');
    if (v === undefined) return;
    const b = await this.walrus.store.findBucket(this.bucket);
    const current = b && (await this.walrus.store.findObject(b.id, this.objectKey));
    if (!current || (current.versionId ?? 'null') !== v)
      throw new ServiceError('NoSuchVersion', 'The specified version does not exist.', 404);
  }
}

export const xmlReply = (action: string, body: string, headers?: Record<string, string>, status = 200): Reply => ({
  status,
  contentType: 'application/xml',
  body,
  headers,
  action,
});
export const emptyReply = (action: string, status = 200, headers?: Record<string, string>): Reply => ({
  status,
  headers,
  action,
});

const httpDate = (iso: string) => new Date(iso).toUTCString();
const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Conditional request headers against an object (If-Match, If-None-Match, If-Modified-Since,
 * If-Unmodified-Since; for copies the x-amz-copy-source-if-* forms). Returns 'not-modified' when a
 * GET should answer 304; throws PreconditionFailed when the request must not proceed.
 */
export function checkConditions(
  o: ObjectRecord,
  get: (name: string) => string | undefined,
  prefix = '',
): 'not-modified' | undefined {
  const failed = () =>
    new ServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
  const modified = seconds(Date.parse(o.lastModified));
  const tags = (v: string) => v.split(',').map((t) => t.trim().replace(/^W\//, ''));
  const ifMatch = get(`${prefix}if-match`);
  const ifNoneMatch = get(`${prefix}if-none-match`);
  const since = (name: string) => {
    const v = get(`${prefix}${name}`);
    const t = v === undefined ? NaN : Date.parse(v);
    return Number.isNaN(t) ? undefined : seconds(t);
  };
  if (ifMatch !== undefined && !tags(ifMatch).some((t) => t === '*' || t === o.etag || `"${t}"` === o.etag))
    throw failed();
  const unmodifiedSince = since('if-unmodified-since');
  if (ifMatch === undefined && unmodifiedSince !== undefined && modified > unmodifiedSince) throw failed();
  const noneMatched =
    ifNoneMatch !== undefined && tags(ifNoneMatch).some((t) => t === '*' || t === o.etag || `"${t}"` === o.etag);
  const modifiedSince = since('if-modified-since');
  const notModified =
    noneMatched || (ifNoneMatch === undefined && modifiedSince !== undefined && modified <= modifiedSince);
  if (notModified) {
    if (prefix) throw failed();
    return 'not-modified';
  }
  return undefined;
}

/** The headers every answer about an object carries. */
export function objectHeaders(o: ObjectRecord): Record<string, string> {
  return { ETag: o.etag, 'Last-Modified': httpDate(o.lastModified), ...versionHeader(o) };
}

/** x-amz-version-id, for a version that has an id (not the null version). */
export const versionHeader = (o: { versionId?: string }): Record<string, string> =>
  o.versionId ? { 'x-amz-version-id': o.versionId } : {};
