/**
 * The object operations' protocol side: PutObject (streamed), CopyObject, GetObject and
 * HeadObject (ranges, conditions, response-* overrides, stored headers), DeleteObject and the
 * object ACL. Each reads its request into a typed call on the model and renders the answer.
 */
import { ServiceError } from '../errors';
import { type Reply } from '../reply';
import { type S3Call, checkConditions, emptyReply, objectHeaders, versionHeader, xmlReply } from './call';
import { aclDocument, parseAccessControlPolicy, s3Answer } from './documents';
import { type Checksum, type ObjectRecord } from './store';
import { type AclInput, MAX_PUT_SIZE } from './walrus';

export const checksumHeader = (c?: Checksum): Record<string, string> =>
  c ? { [`x-amz-checksum-${c.algorithm}`]: c.value } : {};

export async function putObject(call: S3Call): Promise<Reply> {
  if (call.header('x-amz-copy-source') !== undefined) return copyObject(call);
  const o = await call.walrus.putObject(
    call.caller,
    call.bucket,
    call.objectKey,
    call.payload(MAX_PUT_SIZE),
    call.attributes(),
    call.aclInput(),
  );
  return emptyReply('PutObject', 200, { ETag: o.etag, ...checksumHeader(o.checksum), ...versionHeader(o) });
}

function metadataDirective(call: S3Call): 'COPY' | 'REPLACE' {
  const d = (call.header('x-amz-metadata-directive') ?? 'COPY').trim().toUpperCase();
  if (d !== 'COPY' && d !== 'REPLACE') throw new ServiceError('InvalidArgument', 'Unknown metadata directive.');
  return d;
}

function taggingDirective(call: S3Call): 'COPY' | 'REPLACE' {
  const d = (call.header('x-amz-tagging-directive') ?? 'COPY').trim().toUpperCase();
  if (d !== 'COPY' && d !== 'REPLACE') throw new ServiceError('InvalidArgument', 'Unknown tagging directive.');
  return d;
}

async function copyObject(call: S3Call): Promise<Reply> {
  const source = await call.copySourceObject();
  const replace = metadataDirective(call) === 'REPLACE' ? call.attributes() : undefined;
  const o = await call.walrus.copyObject(
    call.caller,
    source,
    { bucket: call.bucket, key: call.objectKey },
    {
      replace,
      acl: call.aclInput(),
      check: (src) => checkConditions(src, (h) => call.header(h), 'x-amz-copy-source-'),
      tags: taggingDirective(call) === 'REPLACE' ? (call.attributes().tags ?? []) : undefined,
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

const OVERRIDES: [string, string][] = [
  ['response-content-type', 'Content-Type'],
  ['response-content-language', 'Content-Language'],
  ['response-expires', 'Expires'],
  ['response-cache-control', 'Cache-Control'],
  ['response-content-disposition', 'Content-Disposition'],
  ['response-content-encoding', 'Content-Encoding'],
];

const STORED_NAMES: Record<string, string> = {
  'cache-control': 'Cache-Control',
  'content-disposition': 'Content-Disposition',
  'content-encoding': 'Content-Encoding',
  'content-language': 'Content-Language',
  expires: 'Expires',
};

function storedHeaders(o: ObjectRecord): Record<string, string> {
  const out: Record<string, string> = { 'Content-Type': o.contentType || 'binary/octet-stream' };
  for (const [k, v] of Object.entries(o.headers)) out[STORED_NAMES[k] ?? k] = v;
  return out;
}

export async function getObject(call: S3Call, head: boolean): Promise<Reply> {
  const action = head ? 'HeadObject' : 'GetObject';
  const o = await call.walrus.readableObject(call.caller, call.bucket, call.objectKey, call.param('versionId'));
  if (checkConditions(o, (h) => call.header(h)) === 'not-modified') return emptyReply(action, 304, objectHeaders(o));
  const headers: Record<string, string> = { ...storedHeaders(o), ...objectHeaders(o), 'Accept-Ranges': 'bytes' };
  if (o.tags?.length) headers['x-amz-tagging-count'] = String(o.tags.length);
  for (const [param, name] of OVERRIDES) {
    const v = call.param(param);
    if (v === undefined) continue;
    if (!call.caller)
      throw new ServiceError(
        'InvalidRequest',
        'Request specific response headers cannot be used for anonymous GET requests.',
      );
    headers[name] = v;
  }
  const range = parseRange(call.header('range'), o.size);
  if (!range && call.header('x-amz-checksum-mode')?.toUpperCase() === 'ENABLED')
    Object.assign(headers, checksumHeader(o.checksum));
  const start = range?.start ?? 0;
  const end = range?.end ?? o.size - 1;
  headers['Content-Length'] = String(end - start + 1);
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${o.size}`;
  const status = range ? 206 : 200;
  if (head || o.size === 0) return { status, headers, action };
  return { status, headers, stream: call.walrus.openRange(o, start, end), action };
}

export async function deleteObject(call: S3Call): Promise<Reply> {
  const removed = await call.walrus.deleteObject(call.caller, call.bucket, call.objectKey, call.param('versionId'));
  const headers: Record<string, string> = removed.versionId ? { 'x-amz-version-id': removed.versionId } : {};
  if (removed.deleteMarker) headers['x-amz-delete-marker'] = 'true';
  return emptyReply('DeleteObject', 204, headers);
}

export async function getObjectAcl(call: S3Call): Promise<Reply> {
  await call.checkVersion();
  return xmlReply('GetObjectAcl', aclDocument(await call.walrus.objectAcl(call.caller, call.bucket, call.objectKey)));
}

/** The ACL a PUT ?acl asks for: headers, or else an AccessControlPolicy body. */
export async function requestedAcl(call: S3Call): Promise<AclInput> {
  const fromHeaders = call.aclInput();
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
  await call.checkVersion();
  await call.walrus.setObjectAcl(call.caller, call.bucket, call.objectKey, await requestedAcl(call));
  return emptyReply('PutObjectAcl');
}
