/**
 * The bucket operations' protocol side: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
 * GetBucketLocation, the bucket ACL, ListObjects (v1 and v2), DeleteObjects, and the honest
 * answers about configurations this cloud never holds (no policy, no website, versioning never
 * enabled, ...).
 */
import { ServiceError } from '../errors';
import { type Reply } from '../reply';
import { checkOwnership } from './bucket-controls';
import { type S3Call, emptyReply, xmlReply } from './call';
import {
  aclDocument,
  listObjectsV1,
  listObjectsV2 as listObjectsV2Document,
  listVersionsDocument,
  locationDocument,
  parseCreateBucket,
  parseDelete,
  s3Answer,
} from './documents';
import { requestedAcl } from './object-ops';
import { type Caller, type Walrus } from './walrus';
import type { ListBucketsRequest } from '../../shared/wire/s3';

const MAX_KEYS = 1000;

/**
 * ListBuckets: the caller's buckets by name, all of them, or with max-buckets (1 to 10,000) a page
 * and a continuation token; prefix narrows them, as S3 answers.
 */
export async function listBuckets(walrus: Walrus, caller: Caller, input: ListBucketsRequest): Promise<Reply> {
  const { owner, buckets } = await walrus.listBuckets(caller);
  const max = input.MaxBuckets;
  if (max !== undefined && (max < 1 || max > 10000))
    throw new ServiceError('InvalidArgument', 'Argument max-buckets must be an integer between 1 and 10000.');
  const after = input.ContinuationToken ? decodeToken(input.ContinuationToken) : undefined;
  const matching = buckets
    .filter((b) => b.name.startsWith(input.Prefix ?? ''))
    .filter((b) => after === undefined || b.name > after)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = max === undefined ? matching : matching.slice(0, max);
  const more = page.length < matching.length;
  const body = s3Answer('ListBuckets', 'ListAllMyBucketsResult', {
    Owner: { ID: owner.id, DisplayName: owner.name },
    Buckets: { Bucket: page.map((b) => ({ Name: b.name, CreationDate: b.created })) },
    ContinuationToken: more ? encodeToken(page[page.length - 1].name) : undefined,
    Prefix: input.Prefix,
  });
  return xmlReply('ListBuckets', body);
}

export async function createBucket(call: S3Call): Promise<Reply> {
  const location = parseCreateBucket(await call.xmlBody());
  const input = call.input('CreateBucket');
  const acl = call.aclInput(input);
  await call.walrus.createBucket(call.caller, call.bucket, {
    location,
    acl,
    objectLock: input.ObjectLockEnabledForBucket === true,
    ownership: input.ObjectOwnership === undefined ? undefined : checkOwnership(input.ObjectOwnership),
  });
  return emptyReply('CreateBucket', 200, { Location: `/${call.bucket}` });
}

export async function headBucket(call: S3Call): Promise<Reply> {
  await call.walrus.headBucket(call.caller, call.bucket);
  return emptyReply('HeadBucket');
}

export async function deleteBucket(call: S3Call): Promise<Reply> {
  await call.walrus.deleteBucket(call.caller, call.bucket);
  return emptyReply('DeleteBucket', 204);
}

export async function getBucketLocation(call: S3Call): Promise<Reply> {
  return xmlReply('GetBucketLocation', locationDocument(await call.walrus.bucketLocation(call.caller, call.bucket)));
}

export async function getBucketAcl(call: S3Call): Promise<Reply> {
  return xmlReply('GetBucketAcl', aclDocument(await call.walrus.bucketAcl(call.caller, call.bucket)));
}

export async function putBucketAcl(call: S3Call): Promise<Reply> {
  await call.walrus.setBucketAcl(call.caller, call.bucket, await requestedAcl(call, call.input('PutBucketAcl')));
  return emptyReply('PutBucketAcl');
}

/** encoding-type: only `url` (keys answered URL-encoded) is defined. */
export function encodingType(e: string | undefined): string | undefined {
  if (e !== undefined && e !== 'url')
    throw new ServiceError('InvalidArgument', 'Invalid Encoding Method specified in Request');
  return e;
}

export const encodeToken = (key: string) => Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64');

function decodeToken(token: string): string {
  try {
    const after = JSON.parse(Buffer.from(token, 'base64').toString('utf8')).after;
    if (typeof after === 'string') return after;
  } catch {
    /* falls through */
  }
  throw new ServiceError('InvalidArgument', 'The continuation token provided is incorrect');
}

export async function listVersions(call: S3Call): Promise<Reply> {
  const input = call.input('ListObjectVersions');
  const prefix = input.Prefix ?? '';
  const delimiter = input.Delimiter || undefined;
  const maxKeys = Math.min(input.MaxKeys ?? MAX_KEYS, MAX_KEYS);
  const keyMarker = input.KeyMarker ?? '';
  const versionIdMarker = keyMarker ? (input.VersionIdMarker ?? '') : '';
  const after = keyMarker
    ? {
        key: keyMarker,
        id: versionIdMarker ? await call.walrus.versionOrder(call.bucket, keyMarker, versionIdMarker) : undefined,
      }
    : undefined;
  const page = await call.walrus.listVersions(call.caller, call.bucket, { prefix, delimiter, maxKeys, after });
  const render = {
    bucket: call.bucket,
    prefix,
    delimiter,
    maxKeys,
    encodingType: encodingType(input.EncodingType),
    ownerOf: await call.ownersOf(page.entries.map((v) => v.ownerAccountId)),
  };
  return xmlReply('ListObjectVersions', listVersionsDocument(page, { ...render, keyMarker, versionIdMarker }));
}

/** What both listings read alike: prefix, delimiter, max-keys, encoding-type. */
function listing(
  call: S3Call,
  input: { Prefix?: string; Delimiter?: string; MaxKeys?: number; EncodingType?: string },
) {
  return {
    bucket: call.bucket,
    prefix: input.Prefix ?? '',
    delimiter: input.Delimiter || undefined,
    maxKeys: Math.min(input.MaxKeys ?? MAX_KEYS, MAX_KEYS),
    encodingType: encodingType(input.EncodingType),
  };
}

const ownersOfPage = (call: S3Call, page: { entries: { ownerAccountId: string }[] }) =>
  call.ownersOf(page.entries.map((o) => o.ownerAccountId));

export async function listObjects(call: S3Call): Promise<Reply> {
  const input = call.input('ListObjects');
  const render = listing(call, input);
  const marker = input.Marker ?? '';
  const page = await call.walrus.listObjects(call.caller, call.bucket, {
    ...render,
    after: marker ? { key: marker } : undefined,
  });
  return xmlReply('ListObjects', listObjectsV1(page, { ...render, marker, ownerOf: await ownersOfPage(call, page) }));
}

export async function listObjectsV2(call: S3Call): Promise<Reply> {
  const input = call.input('ListObjectsV2');
  const render = listing(call, input);
  const token = input.ContinuationToken;
  const startAfter = input.StartAfter;
  // An empty continuation-token is no token, as S3 takes it.
  const after = token ? decodeToken(token) : startAfter;
  const page = await call.walrus.listObjects(call.caller, call.bucket, {
    ...render,
    after: after ? { key: after } : undefined,
  });
  const nextToken = page.truncated && page.next ? encodeToken(page.next.key) : undefined;
  return xmlReply(
    'ListObjectsV2',
    listObjectsV2Document(page, {
      ...render,
      ownerOf: await ownersOfPage(call, page),
      continuationToken: token,
      nextToken,
      startAfter,
      fetchOwner: input.FetchOwner === true,
    }),
  );
}

export async function deleteObjects(call: S3Call): Promise<Reply> {
  // Refuse before reading the list when the caller may not write here at all.
  await call.walrus.writableBucket(call.caller, call.bucket);
  const { quiet, objects } = parseDelete(await call.xmlBody());
  const asked = call.input('DeleteObjects').BypassGovernanceRetention;
  const bypass = (key: string) => call.bypassesGovernance(asked, key);
  const { deleted, errors } = await call.walrus.deleteObjects(call.caller, call.bucket, objects, bypass);
  const body = s3Answer('DeleteObjects', 'DeleteResult', {
    Deleted: quiet
      ? undefined
      : deleted.map((d) => ({
          Key: d.key,
          VersionId: d.versionId !== undefined && !d.deleteMarker ? d.versionId : undefined,
          DeleteMarker: d.deleteMarker || undefined,
          DeleteMarkerVersionId: d.deleteMarker ? d.versionId : undefined,
        })),
    Error: errors.map((e) => ({ Key: e.key, VersionId: e.versionId, Code: e.code, Message: e.message })),
  });
  return xmlReply('DeleteObjects', body);
}

/** Configurations a bucket here never has: reading one says so, as S3 does for an unset one. */
const NEVER_SET: Record<string, [string, string]> = {
  website: ['NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration'],
  replication: ['ReplicationConfigurationNotFoundError', 'The replication configuration was not found'],
};

/** What reading a configuration that is never set answers. */
const NEVER_SET_DOCUMENTS: Record<string, () => string> = {
  requestPayment: () => s3Answer('GetBucketRequestPayment', 'RequestPaymentConfiguration', { Payer: 'BucketOwner' }),
};

/** GET of a bucket configuration this cloud never holds; undefined for anything else. */
export async function unsetConfiguration(call: S3Call, sub: string, method: string): Promise<Reply | undefined> {
  if (method !== 'GET' || (!NEVER_SET[sub] && !NEVER_SET_DOCUMENTS[sub])) return undefined;
  await call.walrus.bucketOwnedBy(call.caller, call.bucket);
  const never = NEVER_SET[sub];
  if (never) throw new ServiceError(never[0], never[1], 404);
  return xmlReply(`Get${sub[0].toUpperCase()}${sub.slice(1)}`, NEVER_SET_DOCUMENTS[sub]());
}
