/**
 * One S3 request on its way to the model: who sent it, which bucket and key it names, and the
 * helpers every operation needs to read it (parameters, the body as a verified payload, ACL and
 * metadata headers) and to answer (XML and empty replies). The operations themselves are in
 * bucket-ops.ts, object-ops.ts and upload-ops.ts.
 */
import { WireError } from '../../shared/wire/query';
import { parseRest } from '../../shared/wire/rest';
import type { S3Operations } from '../../shared/wire/s3';
import { s3Model } from '../../shared/wire/s3-model';
import type { SeedSignature } from '../auth/verify';
import { ServiceError } from '../errors';
import type { Origin } from '../iam/enforce';
import { type Reply } from '../reply';
import { cannedGrants, type GrantHeaders, headerGrants } from './acl';
import { type Owner } from './documents';
import { decodePathText } from './names';
import { RequestPayload } from './payload';
import { decodeMetaValue } from './metadata';
import { requestedLock } from './object-lock';
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

/** The headers of a request that writes an object (PutObject, CopyObject, CreateMultipartUpload). */
export interface ObjectHeaders {
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  Expires?: string;
  WebsiteRedirectLocation?: string;
  Metadata?: Record<string, string>;
  Tagging?: string;
  ObjectLockMode?: string;
  ObjectLockRetainUntilDate?: string;
  ObjectLockLegalHoldStatus?: string;
}

/** The headers stored with an object and answered with it (besides x-amz-meta-*), by member. */
const STORED_HEADERS: [Exclude<keyof ObjectHeaders, 'Metadata'>, string][] = [
  ['CacheControl', 'cache-control'],
  ['ContentDisposition', 'content-disposition'],
  ['ContentEncoding', 'content-encoding'],
  ['ContentLanguage', 'content-language'],
  ['Expires', 'expires'],
  ['WebsiteRedirectLocation', 'x-amz-website-redirect-location'],
];

/** The ACL headers of a request: x-amz-acl and x-amz-grant-*. */
export interface AclHeaders extends GrantHeaders {
  ACL?: string;
}

/** Conditions on an object's current state: If-Match and the rest, or x-amz-copy-source-if-* of a copy. */
export interface Conditions {
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: string;
  IfUnmodifiedSince?: string;
}

/** A request read as operation `op` by S3's model; a value of the wrong kind is S3's error. */
export function s3Input<K extends keyof S3Operations>(
  op: K,
  request: { uri: Record<string, string | undefined>; query: Map<string, string>; headers: Record<string, string> },
): S3Operations[K]['input'] {
  try {
    return parseRest(s3Model, op, request);
  } catch (e) {
    if (e instanceof WireError) throw new ServiceError(e.code, e.message, e.httpStatus);
    throw e;
  }
}

export class S3Call {
  readonly q: Map<string, string>;
  private readonly owners = new Map<string, Owner>();
  /** Each operation's reading of the request, made once: the handler's checks and the operation share it. */
  private readonly inputs = new Map<keyof S3Operations, unknown>();

  constructor(
    readonly walrus: Walrus,
    readonly req: S3HttpRequest,
    readonly caller: Caller,
    readonly seed: SeedSignature | undefined,
    readonly bucket: string,
    readonly key: string | undefined,
    /** Reads an object as this caller's GET of it would (Walrus.readAs): for copy sources. */
    private readonly readAs: (source: ObjectSource) => Promise<ObjectRecord>,
    /**
     * Whether the caller holds a permission that policies alone grant, never ACLs (on this request's
     * object, or on another key of the bucket).
     */
    readonly holds: (action: string, key?: string) => Promise<boolean> = async () => false,
  ) {
    this.q = new Map(req.query);
  }

  /**
   * The request read as operation `op` by S3's model: the members its path, query string and
   * headers carry, typed (src/shared/wire/rest.ts). Read once per operation; callers do not change it.
   */
  input<K extends keyof S3Operations>(op: K): S3Operations[K]['input'] {
    if (!this.inputs.has(op)) {
      const request = { uri: { Bucket: this.bucket, Key: this.key }, query: this.q, headers: this.req.headers };
      this.inputs.set(op, s3Input(op, request));
    }
    return this.inputs.get(op) as S3Operations[K]['input'];
  }

  /** A header no S3 operation's model names (Host, Origin, a CORS preflight's): the routing's and CORS's. */
  header(name: string): string | undefined {
    return this.req.headers[name];
  }

  /** Whether the query string names this sub-resource or parameter: for routing only. */
  has(param: string): boolean {
    return this.q.has(param);
  }

  /**
   * Whether the request lifts GOVERNANCE retentions of a key (this request's by default): it asks
   * (x-amz-bypass-governance-retention) and the caller holds s3:BypassGovernanceRetention on the
   * key by a policy. Asked without it, nothing is lifted.
   */
  async bypassesGovernance(asked: boolean | undefined, key = this.key): Promise<boolean> {
    return asked === true && this.holds('BypassGovernanceRetention', key);
  }

  /** The object key; operations on objects are only routed here with one. */
  get objectKey(): string {
    return this.key!;
  }

  payload(limit: number, headers = this.req.headers): RequestPayload {
    return new RequestPayload(this.req.body, headers, this.seed, limit);
  }

  /**
   * A small XML body, verified like any payload. A Complete's x-amz-checksum-* headers are the
   * whole object's, not its body's (`objectChecksums`): they are not checked against the XML.
   */
  xmlBody(opts: { objectChecksums?: boolean } = {}): Promise<Buffer> {
    const headers = opts.objectChecksums
      ? Object.fromEntries(Object.entries(this.req.headers).filter(([k]) => !/^x-amz-checksum-/.test(k)))
      : this.req.headers;
    return this.payload(MAX_XML_BODY, headers).readAll();
  }

  /** The ACL the request's headers ask for: x-amz-acl, or x-amz-grant-* (not both). */
  aclInput(input: AclHeaders): AclInput {
    const canned = input.ACL?.trim();
    const grants = headerGrants(input);
    if (canned !== undefined && grants)
      throw new ServiceError('InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed');
    if (canned !== undefined) cannedGrants(canned, { owner: '', bucketOwner: '' }); // rejects unknown names early
    return grants ? { grants } : { canned };
  }

  attributes(input: ObjectHeaders): ObjectAttributes {
    const headers: Record<string, string> = {};
    for (const [member, name] of STORED_HEADERS) if (input[member] !== undefined) headers[name] = input[member];
    for (const [k, v] of Object.entries(input.Metadata ?? {})) headers[`x-amz-meta-${k}`] = decodeMetaValue(v);
    // aws-chunked is how this request was framed, not how the object is encoded: the rest is kept as sent.
    if (headers['content-encoding'] !== undefined) {
      const rest = headers['content-encoding']
        .replace(/(^|,)\s*aws-chunked\s*(?=,|$)/gi, '')
        .replace(/^\s*,\s*/, '')
        .trim();
      if (rest) headers['content-encoding'] = rest;
      else delete headers['content-encoding'];
    }
    return {
      contentType: input.ContentType,
      headers,
      tags: parseTaggingHeader(input.Tagging),
      lock: requestedLock(input),
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
  async copySourceObject(copySource: string): Promise<{ object: ObjectRecord; versionId?: string }> {
    const source = parseCopySource(copySource);
    return { object: await this.readAs(source), versionId: source.versionId };
  }
}

/** x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, optionally ?versionId=ID. */
function parseCopySource(header: string): ObjectSource {
  let raw = header.trim();
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

/** A copy's x-amz-copy-source-if-* headers, as conditions on its source. */
export const copySourceConditions = (input: {
  CopySourceIfMatch?: string;
  CopySourceIfNoneMatch?: string;
  CopySourceIfModifiedSince?: string;
  CopySourceIfUnmodifiedSince?: string;
}): Conditions => ({
  IfMatch: input.CopySourceIfMatch,
  IfNoneMatch: input.CopySourceIfNoneMatch,
  IfModifiedSince: input.CopySourceIfModifiedSince,
  IfUnmodifiedSince: input.CopySourceIfUnmodifiedSince,
});

/**
 * Conditional request headers against an object (If-Match, If-None-Match, If-Modified-Since,
 * If-Unmodified-Since; for a copy's source the x-amz-copy-source-if-* forms). Returns
 * 'not-modified' when a GET should answer 304; throws PreconditionFailed when the request must
 * not proceed (a copy's source that is not modified, too).
 */
export function checkConditions(o: ObjectRecord, c: Conditions, copy = false): 'not-modified' | undefined {
  const failed = () =>
    new ServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
  const modified = seconds(Date.parse(o.lastModified));
  const tags = (v: string) => v.split(',').map((t) => t.trim().replace(/^W\//, ''));
  const { IfMatch: ifMatch, IfNoneMatch: ifNoneMatch } = c;
  // A date S3 cannot read is as if the header were not sent.
  const since = (v: string | undefined) => {
    const t = v === undefined ? NaN : Date.parse(v);
    return Number.isNaN(t) ? undefined : seconds(t);
  };
  if (ifMatch !== undefined && !tags(ifMatch).some((t) => t === '*' || t === o.etag || `"${t}"` === o.etag))
    throw failed();
  const unmodifiedSince = since(c.IfUnmodifiedSince);
  if (ifMatch === undefined && unmodifiedSince !== undefined && modified > unmodifiedSince) throw failed();
  const noneMatched =
    ifNoneMatch !== undefined && tags(ifNoneMatch).some((t) => t === '*' || t === o.etag || `"${t}"` === o.etag);
  const modifiedSince = since(c.IfModifiedSince);
  const notModified =
    noneMatched || (ifNoneMatch === undefined && modifiedSince !== undefined && modified <= modifiedSince);
  if (notModified) {
    if (copy) throw failed();
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
