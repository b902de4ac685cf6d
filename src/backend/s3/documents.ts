/**
 * S3's XML documents: parsing the ones requests carry (bucket configuration, multi-object
 * delete, the part list of a completed upload, access control policies) and rendering the ones
 * responses carry. Keys in request bodies keep every character (no trimming; character references
 * decoded), and with encoding-type=url the keys in listings are percent-encoded.
 */
import { XMLParser } from 'fast-xml-parser';
import { ServiceError } from '../errors';
import { document, escapeXml, type XmlValue } from '../xml';
import type { ObjectXml, S3Operations } from '../../shared/wire/s3';
import { type Grant, type Grantee, type Permission } from './acl';
import { isChecksumAlgorithm } from './checksums';
import { type ListPage } from './listing';
import { type CompletedPart } from './multipart';
import { type ObjectRecord, type PartRecord, type UploadRecord, type VersionRecord } from './store';
import { type AclView, type ObjectName } from './walrus';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(ENTITY, (_, e: string) => {
    if (e[0] !== '#') return NAMED[e];
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: false,
  tagValueProcessor: (_name, value) => decodeEntities(value),
});

type Node = Record<string, any>;

export const malformed = () =>
  new ServiceError(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.',
  );

/**
 * A request's XML document. Like S3, no DTD: a document type declaration (where entity-expansion
 * and external-entity tricks live) is malformed, whatever it declares.
 */
export function parseXmlBody(body: Buffer): Node {
  const text = body.toString('utf8');
  if (/<!(DOCTYPE|ENTITY)/i.test(text)) throw malformed();
  try {
    const doc = parser.parse(text, true) as Node;
    if (typeof doc !== 'object' || doc === null) throw malformed();
    return doc;
  } catch {
    throw malformed();
  }
}

export const list = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? v : [v as Node]);
/** An element's text: '' for an empty element, undefined for a missing one. */
export function text(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && '#text' in v) return String((v as Node)['#text']);
  return '';
}

/** The LocationConstraint of a CreateBucket body; undefined when there is none. */
export function parseCreateBucket(body: Buffer): string | undefined {
  if (!body.toString('utf8').trim()) return undefined;
  const conf = parseXmlBody(body).CreateBucketConfiguration;
  if (conf === undefined) throw malformed();
  return text(conf?.LocationConstraint)?.trim() || undefined;
}

export const MAX_DELETE_KEYS = 1000;

export function parseDelete(body: Buffer): { quiet: boolean; objects: ObjectName[] } {
  const del = parseXmlBody(body).Delete;
  if (!del || typeof del !== 'object') throw malformed();
  const entries = list(del.Object);
  if (!entries.length || entries.length > MAX_DELETE_KEYS) throw malformed();
  const objects = entries.map((o) => {
    const key = text(o?.Key);
    if (key === undefined) throw malformed();
    const versionId = text(o.VersionId);
    return versionId === undefined ? { key } : { key, versionId };
  });
  return { quiet: text(del.Quiet)?.trim() === 'true', objects };
}

export function parseCompleteMultipart(body: Buffer): CompletedPart[] {
  const doc = parseXmlBody(body).CompleteMultipartUpload;
  if (!doc || typeof doc !== 'object') throw malformed();
  return list(doc.Part).map((p) => {
    const n = text(p?.PartNumber)?.trim() ?? '';
    const etag = text(p?.ETag);
    if (!/^\d{1,5}$/.test(n) || etag === undefined) throw malformed();
    const part: CompletedPart = { partNumber: Number(n), etag };
    for (const k of Object.keys(p)) {
      const alg = k.startsWith('Checksum') ? k.slice(8).toLowerCase() : '';
      if (alg && isChecksumAlgorithm(alg)) part.checksum = { algorithm: alg, value: text(p[k])!.trim() };
    }
    return part;
  });
}

export function parseAccessControlPolicy(body: Buffer): Grant[] {
  const malformedAcl = new ServiceError(
    'MalformedACLError',
    'The XML you provided was not well-formed or did not validate against our published schema.',
  );
  let policy: Node | undefined;
  try {
    policy = parseXmlBody(body).AccessControlPolicy;
  } catch {
    throw malformedAcl;
  }
  if (!policy || typeof policy !== 'object') throw malformedAcl;
  return list(policy.AccessControlList?.Grant).map((g) => {
    const permission = text(g?.Permission)?.trim() as Permission;
    const who = g?.Grantee ?? {};
    let grantee: Grantee;
    if (text(who.ID) !== undefined) grantee = { type: 'CanonicalUser', id: text(who.ID)!.trim() };
    else if (text(who.URI) !== undefined) grantee = { type: 'Group', uri: text(who.URI)!.trim() };
    else if (text(who.EmailAddress) !== undefined)
      throw new ServiceError(
        'UnresolvableGrantByEmailAddress',
        'The e-mail address you provided does not match any account on record.',
      );
    else throw malformedAcl;
    return { grantee, permission };
  });
}

// ---- responses ----

export const s3Document = (root: string, body: { [k: string]: XmlValue }) => document(root, S3_NS, body, null);

/** An operation's answer document, its elements checked against the S3 model's (src/shared/wire/s3.ts). */
export const s3Answer = <Op extends keyof S3Operations>(_op: Op, root: string, body: S3Operations[Op]['output']) =>
  s3Document(root, body as { [k: string]: XmlValue });

/** Keys and prefixes as a listing returns them: percent-encoded when the client asked for url. */
export type KeyEncoder = (s: string) => string;
export const keyEncoder = (encodingType?: string): KeyEncoder =>
  encodingType === 'url' ? (s) => encodeURIComponent(s).replace(/%2F/g, '/') : (s) => s;

export function aclDocument(view: AclView): string {
  const grants = view.grants
    .map((g) => {
      const who =
        g.grantee.type === 'CanonicalUser'
          ? `<ID>${escapeXml(g.grantee.id)}</ID>${g.grantee.displayName ? `<DisplayName>${escapeXml(g.grantee.displayName)}</DisplayName>` : ''}`
          : `<URI>${escapeXml(g.grantee.uri)}</URI>`;
      return `<Grant><Grantee xmlns:xsi="${XSI}" xsi:type="${g.grantee.type}">${who}</Grantee><Permission>${g.permission}</Permission></Grant>`;
    })
    .join('');
  const owner = `<Owner><ID>${escapeXml(view.owner.id)}</ID><DisplayName>${escapeXml(view.owner.displayName)}</DisplayName></Owner>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy ` +
    `xmlns="${S3_NS}">${owner}<AccessControlList>${grants}</AccessControlList></AccessControlPolicy>`
  );
}

export function locationDocument(location: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint ` +
    `xmlns="${S3_NS}">${escapeXml(location)}</LocationConstraint>`
  );
}

export type Owner = { ID: string; DisplayName: string };

function contents(o: ObjectRecord, enc: KeyEncoder, owner?: Owner): ObjectXml {
  return {
    Key: enc(o.key),
    LastModified: o.lastModified,
    ETag: o.etag,
    Size: o.size,
    Owner: owner,
    StorageClass: 'STANDARD',
  };
}

export interface ListObjectsRender {
  bucket: string;
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  encodingType?: string;
  ownerOf: (accountId: string) => Owner;
}

export function listObjectsV1(page: ListPage<ObjectRecord>, r: ListObjectsRender & { marker: string }): string {
  const enc = keyEncoder(r.encodingType);
  return s3Answer('ListObjects', 'ListBucketResult', {
    Name: r.bucket,
    Prefix: enc(r.prefix),
    Marker: enc(r.marker),
    NextMarker: page.truncated && page.next ? enc(page.next.key) : undefined,
    MaxKeys: r.maxKeys,
    Delimiter: r.delimiter !== undefined ? enc(r.delimiter) : undefined,
    IsTruncated: page.truncated,
    EncodingType: r.encodingType,
    Contents: page.entries.map((o) => contents(o, enc, r.ownerOf(o.ownerAccountId))),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
}

/** ListObjectVersions: versions and delete markers, newest first within a key. */
export function listVersionsDocument(
  page: ListPage<VersionRecord>,
  r: ListObjectsRender & { keyMarker: string; versionIdMarker: string },
): string {
  const enc = keyEncoder(r.encodingType);
  const entry = (v: VersionRecord) => ({
    Key: enc(v.key),
    VersionId: v.versionId ?? 'null',
    IsLatest: v.latest,
    LastModified: v.lastModified,
    ...(v.deleteMarker ? {} : { ETag: v.etag, Size: v.size, StorageClass: 'STANDARD' }),
    Owner: r.ownerOf(v.ownerAccountId),
  });
  const last = page.entries[page.entries.length - 1];
  return s3Answer('ListObjectVersions', 'ListVersionsResult', {
    Name: r.bucket,
    Prefix: enc(r.prefix),
    KeyMarker: enc(r.keyMarker),
    VersionIdMarker: r.versionIdMarker,
    NextKeyMarker: page.truncated && page.next ? enc(page.next.key) : undefined,
    NextVersionIdMarker: page.truncated && last && page.next?.key === last.key ? (last.versionId ?? 'null') : undefined,
    MaxKeys: r.maxKeys,
    Delimiter: r.delimiter !== undefined ? enc(r.delimiter) : undefined,
    IsTruncated: page.truncated,
    EncodingType: r.encodingType,
    Version: page.entries.filter((v) => !v.deleteMarker).map(entry),
    DeleteMarker: page.entries.filter((v) => v.deleteMarker).map(entry),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
}

export function listObjectsV2(
  page: ListPage<ObjectRecord>,
  r: ListObjectsRender & { continuationToken?: string; nextToken?: string; startAfter?: string; fetchOwner: boolean },
): string {
  const enc = keyEncoder(r.encodingType);
  return s3Answer('ListObjectsV2', 'ListBucketResult', {
    Name: r.bucket,
    Prefix: enc(r.prefix),
    MaxKeys: r.maxKeys,
    KeyCount: page.entries.length + page.commonPrefixes.length,
    Delimiter: r.delimiter !== undefined ? enc(r.delimiter) : undefined,
    IsTruncated: page.truncated,
    ContinuationToken: r.continuationToken,
    NextContinuationToken: r.nextToken,
    StartAfter: r.startAfter !== undefined ? enc(r.startAfter) : undefined,
    EncodingType: r.encodingType,
    Contents: page.entries.map((o) => contents(o, enc, r.fetchOwner ? r.ownerOf(o.ownerAccountId) : undefined)),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
}

export function listUploadsDocument(
  page: ListPage<UploadRecord>,
  r: {
    bucket: string;
    prefix: string;
    delimiter?: string;
    keyMarker: string;
    uploadIdMarker: string;
    maxUploads: number;
    encodingType?: string;
    ownerOf: (id: string) => Owner;
  },
): string {
  const enc = keyEncoder(r.encodingType);
  return s3Answer('ListMultipartUploads', 'ListMultipartUploadsResult', {
    Bucket: r.bucket,
    KeyMarker: enc(r.keyMarker),
    UploadIdMarker: r.uploadIdMarker,
    NextKeyMarker: page.truncated && page.next ? enc(page.next.key) : undefined,
    NextUploadIdMarker: page.truncated && page.next ? (page.next.id ?? '') : undefined,
    Delimiter: r.delimiter !== undefined ? enc(r.delimiter) : undefined,
    Prefix: enc(r.prefix),
    MaxUploads: r.maxUploads,
    IsTruncated: page.truncated,
    EncodingType: r.encodingType,
    Upload: page.entries.map((u) => ({
      Key: enc(u.key),
      UploadId: u.id,
      Initiator: r.ownerOf(u.ownerAccountId),
      Owner: r.ownerOf(u.ownerAccountId),
      StorageClass: 'STANDARD',
      Initiated: u.initiated,
    })),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
}

const CHECKSUM_ELEMENT: Record<string, string> = {
  crc32: 'ChecksumCRC32',
  crc32c: 'ChecksumCRC32C',
  crc64nvme: 'ChecksumCRC64NVME',
  sha1: 'ChecksumSHA1',
  sha256: 'ChecksumSHA256',
};

export function listPartsDocument(r: {
  bucket: string;
  upload: UploadRecord;
  parts: PartRecord[];
  truncated: boolean;
  marker: number;
  maxParts: number;
  owner: Owner;
}): string {
  const last = r.parts[r.parts.length - 1];
  return s3Answer('ListParts', 'ListPartsResult', {
    Bucket: r.bucket,
    Key: r.upload.key,
    UploadId: r.upload.id,
    Initiator: r.owner,
    Owner: r.owner,
    StorageClass: 'STANDARD',
    PartNumberMarker: r.marker,
    NextPartNumberMarker: last ? last.partNumber : undefined,
    MaxParts: r.maxParts,
    IsTruncated: r.truncated,
    ChecksumAlgorithm: r.upload.checksumAlgorithm?.toUpperCase(),
    Part: r.parts.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: p.lastModified,
      ETag: p.etag,
      Size: p.size,
      ...(p.checksum ? { [CHECKSUM_ELEMENT[p.checksum.algorithm]]: p.checksum.value } : {}),
    })),
  });
}
