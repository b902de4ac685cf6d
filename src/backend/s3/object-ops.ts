/**
 * The object operations' protocol side: PutObject (streamed), CopyObject, GetObject and
 * HeadObject (ranges, conditions, response-* overrides, stored headers), DeleteObject and the
 * object ACL. Each reads its request into a typed call on the model and renders the answer.
 */
import { ServiceError } from '../errors';
import { type Reply } from '../reply';
import {
  type AclHeaders,
  type S3Call,
  checkConditions,
  copySourceConditions,
  emptyReply,
  objectHeaders,
  versionHeader,
  xmlReply,
} from './call';
import { aclDocument, parseAccessControlPolicy, s3Answer } from './documents';
import { encryptionHeaders, requestedEncryption, sentCopySourceKey, sentCustomerKey } from './encryption';
import { encodeMetaValue } from './metadata';
import { lockHeaders } from './object-lock';
import { checksumElements, checksumTypeOf } from './checksums';
import { checkPartNumber } from './multipart';
import { type Checksum, type ObjectRecord } from './store';
import { type AclInput, MAX_PUT_SIZE } from './walrus';

export const checksumHeader = (c?: Checksum): Record<string, string> =>
  c ? { [`x-amz-checksum-${c.algorithm}`]: c.value, 'x-amz-checksum-type': checksumTypeOf(c.value) } : {};

export async function putObject(call: S3Call): Promise<Reply> {
  const input = call.input('PutObject');
  const o = await call.walrus.putObject(
    call.caller,
    call.bucket,
    call.objectKey,
    call.payload(MAX_PUT_SIZE),
    call.attributes(input),
    call.aclInput(input),
    { ifMatch: input.IfMatch, ifNoneMatch: input.IfNoneMatch },
    requestedEncryption(input),
  );
  return emptyReply('PutObject', 200, {
    ETag: o.etag,
    ...checksumHeader(o.checksum),
    ...versionHeader(o),
    ...encryptionHeaders(o.encryption),
  });
}

/** x-amz-metadata-directive or x-amz-tagging-directive: COPY (the default) or REPLACE. */
function directive(value: string | undefined, what: string): 'COPY' | 'REPLACE' {
  const d = (value ?? 'COPY').trim().toUpperCase();
  if (d !== 'COPY' && d !== 'REPLACE') throw new ServiceError('InvalidArgument', `Unknown ${what} directive.`);
  return d;
}

export async function copyObject(call: S3Call): Promise<Reply> {
  const input = call.input('CopyObject');
  const source = await call.copySourceObject(input.CopySource!);
  const attributes = call.attributes(input);
  const o = await call.walrus.copyObject(
    call.caller,
    source,
    { bucket: call.bucket, key: call.objectKey },
    {
      replace: directive(input.MetadataDirective, 'metadata') === 'REPLACE' ? attributes : undefined,
      acl: call.aclInput(input),
      check: (src) => checkConditions(src, copySourceConditions(input), true),
      tags: directive(input.TaggingDirective, 'tagging') === 'REPLACE' ? (attributes.tags ?? []) : undefined,
      sourceKey: sentCopySourceKey(input),
      sse: requestedEncryption(input),
      lock: attributes.lock,
    },
  );
  const sourceVersion: Record<string, string> = source.versionId
    ? { 'x-amz-copy-source-version-id': source.versionId }
    : {};
  return xmlReply(
    'CopyObject',
    s3Answer('CopyObject', 'CopyObjectResult', { LastModified: o.lastModified, ETag: o.etag }),
    {
      ...versionHeader(o),
      ...sourceVersion,
      ...encryptionHeaders(o.encryption),
    },
  );
}

/** The one range of a Range header, per RFC 9110; undefined means the whole object. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const unsatisfiable = () => new ServiceError('InvalidRange', 'The requested range is not satisfiable', 416);
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== '' && Number(m[2]) < start) return undefined; // not a valid range: ignored
  if (start >= size) throw unsatisfiable();
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  return { start, end: Math.min(end, size - 1) };
}

/**
 * The bytes of part N of an object (GET or HEAD ?partNumber=N): of a multipart object, as it was
 * uploaded; a single-part object is its own part 1. Not with a Range.
 */
function partRange(o: ObjectRecord, n: number, range: string | undefined): { start: number; end: number } {
  checkPartNumber(n);
  if (range !== undefined)
    throw new ServiceError('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  const sizes = o.multipart?.partSizes ?? [o.size];
  if (n > sizes.length) throw new ServiceError('InvalidPartNumber', 'The requested partnumber is not satisfiable', 416);
  const start = sizes.slice(0, n - 1).reduce((a, b) => a + b, 0);
  return { start, end: start + sizes[n - 1] - 1 };
}

/** The response-* parameters of a GET, and the header each overrides. */
const OVERRIDES = [
  ['ResponseContentType', 'Content-Type'],
  ['ResponseContentLanguage', 'Content-Language'],
  ['ResponseExpires', 'Expires'],
  ['ResponseCacheControl', 'Cache-Control'],
  ['ResponseContentDisposition', 'Content-Disposition'],
  ['ResponseContentEncoding', 'Content-Encoding'],
] as const;

const STORED_NAMES: Record<string, string> = {
  'cache-control': 'Cache-Control',
  'content-disposition': 'Content-Disposition',
  'content-encoding': 'Content-Encoding',
  'content-language': 'Content-Language',
  expires: 'Expires',
};

function storedHeaders(o: ObjectRecord): Record<string, string> {
  const out: Record<string, string> = { 'Content-Type': o.contentType || 'binary/octet-stream' };
  for (const [k, v] of Object.entries(o.headers))
    out[STORED_NAMES[k] ?? k] = k.startsWith('x-amz-meta-') ? encodeMetaValue(v) : v;
  return out;
}

export async function getObject(call: S3Call, head: boolean): Promise<Reply> {
  const action = head ? 'HeadObject' : 'GetObject';
  const input = call.input(action);
  const o = await call.walrus.readableObject(call.caller, call.bucket, call.objectKey, input.VersionId);
  // Encryption is chosen when an object is written; a read cannot ask for it (told only to a
  // caller who may read the object: what it says must not depend on an object one may not see).
  if (call.header('x-amz-server-side-encryption') !== undefined)
    throw new ServiceError(
      'InvalidArgument',
      'x-amz-server-side-encryption header is not supported for this operation.',
    );
  const sent = sentCustomerKey(input);
  call.walrus.unsealingKey(o, sent); // a sealed object is not even described without its key
  if (checkConditions(o, input) === 'not-modified') return emptyReply(action, 304, objectHeaders(o));
  const headers: Record<string, string> = {
    ...storedHeaders(o),
    ...objectHeaders(o),
    ...encryptionHeaders(o.encryption),
    ...lockHeaders(o.lock),
    'Accept-Ranges': 'bytes',
  };
  if (o.tags?.length) headers['x-amz-tagging-count'] = String(o.tags.length);
  for (const [member, name] of OVERRIDES) {
    const v = input[member];
    if (v === undefined) continue;
    if (!call.caller)
      throw new ServiceError(
        'InvalidRequest',
        'Request specific response headers cannot be used for anonymous GET requests.',
      );
    headers[name] = v;
  }
  const part = input.PartNumber === undefined ? undefined : partRange(o, input.PartNumber, input.Range);
  if (o.multipart && part) headers['x-amz-mp-parts-count'] = String(o.multipart.partSizes.length);
  const range = part ?? parseRange(input.Range, o.size);
  if (!range && input.ChecksumMode?.toUpperCase() === 'ENABLED') Object.assign(headers, checksumHeader(o.checksum));
  const start = range?.start ?? 0;
  const end = range?.end ?? o.size - 1;
  headers['Content-Length'] = String(end - start + 1);
  if (range && end >= start) headers['Content-Range'] = `bytes ${start}-${end}/${o.size}`;
  const status = range || part ? 206 : 200;
  if (head || o.size === 0) return { status, headers, action };
  return { status, headers, stream: await call.walrus.openRange(o, start, end, sent), action };
}

export async function deleteObject(call: S3Call): Promise<Reply> {
  const { VersionId, BypassGovernanceRetention } = call.input('DeleteObject');
  const bypass = await call.bypassesGovernance(BypassGovernanceRetention);
  const removed = await call.walrus.deleteObject(call.caller, call.bucket, call.objectKey, VersionId, bypass);
  const headers: Record<string, string> = removed.versionId ? { 'x-amz-version-id': removed.versionId } : {};
  if (removed.deleteMarker) headers['x-amz-delete-marker'] = 'true';
  return emptyReply('DeleteObject', 204, headers);
}

export async function getObjectAcl(call: S3Call): Promise<Reply> {
  const { VersionId } = call.input('GetObjectAcl');
  const view = await call.walrus.objectAcl(call.caller, call.bucket, call.objectKey, VersionId);
  return xmlReply('GetObjectAcl', aclDocument(view), VersionId === undefined ? {} : { 'x-amz-version-id': VersionId });
}

/** The ACL a PUT ?acl asks for: headers, or else an AccessControlPolicy body. */
export async function requestedAcl(call: S3Call, input: AclHeaders): Promise<AclInput> {
  const fromHeaders = call.aclInput(input);
  if (fromHeaders.grants || fromHeaders.canned !== undefined) return fromHeaders;
  const body = await call.xmlBody();
  if (!body.length)
    throw new ServiceError(
      'MissingSecurityHeader',
      'Your request was missing a required header: x-amz-acl, or an AccessControlPolicy body',
    );
  return { grants: parseAccessControlPolicy(body) };
}

export async function putObjectAcl(call: S3Call): Promise<Reply> {
  const input = call.input('PutObjectAcl');
  const acl = await requestedAcl(call, input);
  await call.walrus.setObjectAcl(call.caller, call.bucket, call.objectKey, acl, input.VersionId);
  return emptyReply('PutObjectAcl', 200, input.VersionId === undefined ? {} : { 'x-amz-version-id': input.VersionId });
}

/** The attributes GetObjectAttributes may be asked for (x-amz-object-attributes). */
const OBJECT_ATTRIBUTES = new Set(['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);

/**
 * GET ?attributes: what a HEAD would tell and more, in one document: the ETag, the checksum, the
 * parts of a multipart object (a page of them), the storage class and the size.
 */
export async function getObjectAttributes(call: S3Call): Promise<Reply> {
  const input = call.input('GetObjectAttributes');
  const asked = (input.ObjectAttributes ?? []).flatMap((a) => a.split(',')).map((a) => a.trim());
  if (!asked.length)
    throw new ServiceError('InvalidArgument', 'x-amz-object-attributes header specifying the attributes is required');
  const unknown = asked.find((a) => !OBJECT_ATTRIBUTES.has(a));
  if (unknown !== undefined) throw new ServiceError('InvalidArgument', `Invalid attribute name specified: ${unknown}`);
  const o = await call.walrus.readableObject(call.caller, call.bucket, call.objectKey, input.VersionId);
  call.walrus.unsealingKey(o, sentCustomerKey(input));
  const want = new Set(asked);
  const sizes = o.multipart?.partSizes;
  const marker = input.PartNumberMarker ?? 0;
  const maxParts = Math.min(input.MaxParts ?? 1000, 1000);
  const page = (sizes ?? []).map((size, i) => ({ PartNumber: i + 1, Size: size })).filter((p) => p.PartNumber > marker);
  const shown = page.slice(0, maxParts);
  const body = s3Answer('GetObjectAttributes', 'GetObjectAttributesResponse', {
    ETag: want.has('ETag') ? o.etag.replace(/^"|"$/g, '') : undefined,
    Checksum: want.has('Checksum') && o.checksum ? checksumElements(o.checksum) : undefined,
    ObjectParts:
      want.has('ObjectParts') && sizes
        ? {
            PartsCount: sizes.length,
            PartNumberMarker: marker,
            NextPartNumberMarker: shown.length ? shown[shown.length - 1].PartNumber : marker,
            MaxParts: maxParts,
            IsTruncated: page.length > shown.length,
            Part: shown,
          }
        : undefined,
    StorageClass: want.has('StorageClass') ? 'STANDARD' : undefined,
    ObjectSize: want.has('ObjectSize') ? o.size : undefined,
  });
  return xmlReply('GetObjectAttributes', body, {
    'Last-Modified': new Date(o.lastModified).toUTCString(),
    ...versionHeader(o),
  });
}
