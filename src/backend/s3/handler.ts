/**
 * Walrus over HTTP: authenticates the request, finds the operation from the method, the bucket
 * and key in the path and the sub-resource in the query, and runs it; any ServiceError becomes
 * S3's error document. Every reply carries x-amz-request-id.
 */
import { randomBytes } from 'node:crypto';
import { type Authenticator } from '../auth/verify';
import { ServiceError } from '../errors';
import * as ids from '../ids';
import { type Reply } from '../reply';
import { document } from '../xml';
import * as buckets from './bucket-ops';
import { S3Call, type S3HttpRequest, s3Input } from './call';
import { splitResource } from './names';
import * as configs from './config-ops';
import { isBucketConfig } from './config-ops';
import * as objects from './object-ops';
import * as uploads from './upload-ops';
import { type AccessEntry, logOperation } from './access-log';
import { isFormPost, postObject } from './post-object';
import { refuseUnsupportedS3 } from './unsupported';
import { s3Model } from '../../shared/wire/s3-model';
import type { S3Operations } from '../../shared/wire/s3';
import { type ObjectSource, type S3Gate, type Walrus } from './walrus';

export type { S3Gate } from './walrus';

/**
 * S3 sub-resources this cloud keeps no configuration for: reading a few answers that none is set
 * (bucket-ops' unsetConfiguration); anything else on them is NotImplemented.
 */
const UNSUPPORTED = new Set([
  'accelerate',
  'analytics',
  'intelligent-tiering',
  'inventory',
  'metrics',
  'notification',
  'replication',
  'requestPayment',
  'restore',
  'select',
  'torrent',
  'website',
]);

/** The sub-resources of an object that are its own operations. */
const OBJECT_SUBS = new Set(['acl', 'tagging', 'retention', 'legal-hold', 'attributes']);

/** The bucket sub-resources Walrus keeps or answers: its configurations, versions, policy and policy status. */
const CONFIGURED = new Set([
  'tagging',
  'cors',
  'lifecycle',
  'versioning',
  'versions',
  'policy',
  'encryption',
  'object-lock',
  'publicAccessBlock',
  'ownershipControls',
  'policyStatus',
  'logging',
]);

const notImplemented = (what: string) =>
  new ServiceError('NotImplemented', `${what} is not implemented by this cloud`, 501);
const invalidArgument = (message: string) => new ServiceError('InvalidArgument', message);
const methodNotAllowed = () =>
  new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);

export function s3Error(err: ServiceError, resource: string, requestId: string): Reply {
  return {
    status: err.status,
    contentType: 'application/xml',
    ...(err.headers ? { headers: err.headers } : {}),
    body: document('Error', undefined, {
      Code: err.code,
      Message: err.message,
      Resource: resource,
      RequestId: requestId,
    }),
  };
}

/**
 * What every operation's request may ask besides its own work: a feature Walrus does not offer
 * (refused, never ignored), and x-amz-expected-bucket-owner (403 unless the bucket is that
 * account's), before the operation runs.
 */
async function checkAsked(walrus: Walrus, bucket: string, input: object): Promise<void> {
  const asked = input as Record<string, unknown>;
  refuseUnsupportedS3(asked);
  const expected = asked.ExpectedBucketOwner;
  if (typeof expected === 'string' && expected) {
    const b = await walrus.store.findBucket(bucket);
    if (b && b.ownerAccountId !== expected) throw new ServiceError('AccessDenied', 'Access Denied', 403);
  }
}

/** The bucket a path names, if it can be read. */
function bucketNamed(resourcePath: string): string | undefined {
  try {
    return splitResource(resourcePath).bucket;
  } catch {
    return undefined;
  }
}

/** An operation: its name (for the access log, also when it fails) and how to run it. */
type Operation = [string, () => Reply | Promise<Reply>];

function bucketOperation(call: S3Call, method: string): Operation {
  const sub = [...call.q.keys()].find(
    (k) => UNSUPPORTED.has(k) || CONFIGURED.has(k) || ['acl', 'location', 'uploads', 'delete'].includes(k),
  );
  // A configuration not offered: reading says none is set, setting it is NotImplemented; a
  // sub-resource that exists but not for this method: MethodNotAllowed.
  const unsupported = (): Operation =>
    UNSUPPORTED.has(sub!)
      ? [
          `${method}?${sub}`,
          async () =>
            (await buckets.unsetConfiguration(call, sub!, method)) ??
            Promise.reject(notImplemented(`${method} ?${sub}`)),
        ]
      : [`${method}?${sub}`, () => Promise.reject(methodNotAllowed())];
  if (method === 'OPTIONS') return ['PreflightRequest', () => configs.preflight(call)];
  if (isBucketConfig(sub))
    return configs.bucketConfigOperation(call, method, sub) ?? [method, () => Promise.reject(methodNotAllowed())];
  switch (method) {
    case 'GET':
      if (sub === 'acl') return ['GetBucketAcl', () => buckets.getBucketAcl(call)];
      if (sub === 'location') return ['GetBucketLocation', () => buckets.getBucketLocation(call)];
      if (sub === 'versioning') return ['GetBucketVersioning', () => configs.getBucketVersioning(call)];
      if (sub === 'policy') return ['GetBucketPolicy', () => configs.getBucketPolicy(call)];
      if (sub === 'versions') return ['ListObjectVersions', () => buckets.listVersions(call)];
      if (sub === 'uploads') return ['ListMultipartUploads', () => uploads.listUploads(call)];
      if (sub === 'object-lock') return ['GetObjectLockConfiguration', () => configs.getObjectLockConfiguration(call)];
      if (sub === 'policyStatus') return ['GetBucketPolicyStatus', () => configs.getBucketPolicyStatus(call)];
      if (sub === 'logging') return ['GetBucketLogging', () => configs.getBucketLogging(call)];
      if (sub) return unsupported();
      if (!call.has('list-type')) return ['ListObjects', () => buckets.listObjects(call)];
      if (call.q.get('list-type') === '2') return ['ListObjectsV2', () => buckets.listObjectsV2(call)];
      return ['ListObjects', () => Promise.reject(invalidArgument('Invalid List Type specified in Request'))];
    case 'HEAD':
      return ['HeadBucket', () => buckets.headBucket(call)];
    case 'PUT':
      if (sub === 'acl') return ['PutBucketAcl', () => buckets.putBucketAcl(call)];
      if (sub === 'versioning') return ['PutBucketVersioning', () => configs.putBucketVersioning(call)];
      if (sub === 'policy') return ['PutBucketPolicy', () => configs.putBucketPolicy(call)];
      if (sub === 'object-lock') return ['PutObjectLockConfiguration', () => configs.putObjectLockConfiguration(call)];
      if (sub === 'logging') return ['PutBucketLogging', () => configs.putBucketLogging(call)];
      if (sub) return unsupported();
      return ['CreateBucket', () => buckets.createBucket(call)];
    case 'DELETE':
      if (sub === 'policy') return ['DeleteBucketPolicy', () => configs.deleteBucketPolicy(call)];
      if (sub) return unsupported();
      return ['DeleteBucket', () => buckets.deleteBucket(call)];
    case 'POST':
      if (sub === 'delete') return ['DeleteObjects', () => buckets.deleteObjects(call)];
      return [
        'PostObject',
        () =>
          Promise.reject(
            new ServiceError(
              'PreconditionFailed',
              'Bucket POST must be of the enclosure-type multipart/form-data',
              412,
            ),
          ),
      ];
    default:
      return [method, () => Promise.reject(methodNotAllowed())];
  }
}

function objectOperation(call: S3Call, method: string): Operation {
  const sub = [...call.q.keys()].find((k) => UNSUPPORTED.has(k) || OBJECT_SUBS.has(k));
  if (method === 'OPTIONS') return ['PreflightRequest', () => configs.preflight(call)];
  if (sub === 'attributes')
    return method === 'GET'
      ? ['GetObjectAttributes', () => objects.getObjectAttributes(call)]
      : [`${method}?${sub}`, () => Promise.reject(methodNotAllowed())];
  if (sub === 'retention' || sub === 'legal-hold') {
    const name = sub === 'retention' ? 'ObjectRetention' : 'ObjectLegalHold';
    if (method === 'GET') return [`Get${name}`, () => configs.getObjectLock(call, sub)];
    if (method === 'PUT') return [`Put${name}`, () => configs.putObjectLock(call, sub)];
    return [`${method}?${sub}`, () => Promise.reject(methodNotAllowed())];
  }
  if (sub === 'tagging') {
    if (method === 'GET') return ['GetObjectTagging', () => configs.getObjectTagging(call)];
    if (method === 'PUT') return ['PutObjectTagging', () => configs.putObjectTagging(call)];
    if (method === 'DELETE') return ['DeleteObjectTagging', () => configs.deleteObjectTagging(call)];
  }
  if (sub === 'tagging' || (sub && !['GET', 'HEAD', 'PUT', 'DELETE', 'POST'].includes(method)))
    return [`${method}?${sub}`, () => Promise.reject(methodNotAllowed())];
  if (sub && sub !== 'acl')
    return [`${method}?${sub}`, () => Promise.reject(notImplemented(`${method} ?${sub} on an object`))];
  const upload = call.has('uploadId');
  switch (method) {
    case 'GET':
      if (sub === 'acl') return ['GetObjectAcl', () => objects.getObjectAcl(call)];
      if (upload) return ['ListParts', () => uploads.listParts(call)];
      return ['GetObject', () => objects.getObject(call, false)];
    case 'HEAD':
      return ['HeadObject', () => objects.getObject(call, true)];
    case 'PUT':
      if (sub === 'acl') return ['PutObjectAcl', () => objects.putObjectAcl(call)];
      if (upload || call.has('partNumber'))
        return call.header('x-amz-copy-source') !== undefined
          ? ['UploadPartCopy', () => uploads.uploadPartCopy(call)]
          : ['UploadPart', () => uploads.uploadPart(call)];
      if (call.header('x-amz-copy-source') !== undefined) return ['CopyObject', () => objects.copyObject(call)];
      return ['PutObject', () => objects.putObject(call)];
    case 'DELETE':
      if (upload) return ['AbortMultipartUpload', () => uploads.abortUpload(call)];
      return ['DeleteObject', () => objects.deleteObject(call)];
    case 'POST':
      if (call.has('uploads')) return ['CreateMultipartUpload', () => uploads.createUpload(call)];
      if (upload) return ['CompleteMultipartUpload', () => uploads.completeUpload(call)];
      return ['PostObject', () => Promise.reject(methodNotAllowed())];
    default:
      return [method, () => Promise.reject(methodNotAllowed())];
  }
}

/** With no gate (Walrus alone, in unit tests) ACLs are the only check. */
const aclsOnly: S3Gate = async () => false;

export async function handleS3(
  walrus: Walrus,
  auth: Authenticator,
  req: S3HttpRequest,
  gate: S3Gate = aclsOnly,
): Promise<Reply> {
  const started = Date.now();
  const requestId = ids.requestId();
  const hostId = randomBytes(24).toString('base64');
  const tag = { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId };
  let reply: Reply;
  let action: string | undefined;
  let requester: string | undefined;
  try {
    // A browser's preflight carries no credentials (a presigned URL's are for the request after it).
    const { principal, seed } =
      req.method === 'OPTIONS'
        ? { principal: undefined, seed: undefined }
        : await auth.verifyS3({ method: req.method, rawPath: req.rawPath, query: req.query, headers: req.headers });
    requester = principal?.account.id;
    const method = req.method;
    const { bucket, key } = splitResource(req.resourcePath);
    const path = bucket === undefined ? '/' : `/${bucket}${key === undefined ? '' : '/' + key}`;
    // A browser form carries its own credentials, read from the form: authorized as a PUT of its key.
    const form = bucket !== undefined && !principal && isFormPost(req, key);
    const query = Object.fromEntries(req.query);
    const granted = !form && (await gate(principal, { method, path, query, headers: req.headers }));
    if (form) {
      action = 'PostObject';
      walrus.userBucket(bucket);
      reply = await postObject(walrus, auth, req, bucket, gate);
    } else if (!bucket) {
      action = 'ListBuckets';
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
      reply = await buckets.listBuckets(
        walrus,
        principal,
        s3Input('ListBuckets', { uri: {}, query: new Map(req.query), headers: req.headers }),
      );
    } else {
      walrus.userBucket(bucket, method === 'PUT' && key === undefined && req.query.length === 0);
      // The gate's answer is for this request only: a copy's source is read as a GET of its own.
      const readAs = (source: ObjectSource) => walrus.readAs(principal, source, gate);
      // A permission only policies grant, never ACLs: the bucket's policy allows it, or the caller is
      // of the bucket's account and its own policies allow it (the gate throws when they do not).
      const holds = async (permission: string, onKey = key) => {
        const resource = `/${bucket}${onKey === undefined ? '' : '/' + onKey}`;
        try {
          if (await gate(principal, { method, path: resource, query: {}, action: permission })) return true;
        } catch (e) {
          if (e instanceof ServiceError) return false;
          throw e;
        }
        return (
          principal !== undefined && (await walrus.store.findBucket(bucket))?.ownerAccountId === principal.account.id
        );
      };
      const view = granted ? walrus.grantedByPolicy() : walrus;
      const call = new S3Call(view, req, principal, seed, bucket, key, readAs, holds);
      const [name, run] = key === undefined ? bucketOperation(call, method) : objectOperation(call, method);
      action = name;
      if (Object.hasOwn(s3Model, name)) await checkAsked(walrus, bucket, call.input(name as keyof S3Operations));
      reply = await run();
    }
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
    reply = { ...s3Error(e, req.resourcePath, requestId), action };
  }
  // A preflight answers its own; every other answer to a page, a refusal too (an authentication
  // failure as well), carries the bucket's CORS headers. A path that cannot be read names no bucket.
  const bucket = bucketNamed(req.resourcePath);
  const named = req.method === 'OPTIONS' || !req.headers.origin ? undefined : bucket;
  const cors =
    named !== undefined
      ? await configs.corsReplyHeaders(walrus, named, req.headers.origin, req.method).catch(() => ({}))
      : {};
  const answered: Reply = { ...reply, headers: { ...tag, ...(reply.headers ?? {}), ...cors } };
  if (bucket !== undefined)
    await walrus.accessLogs.record(accessEntry(req, answered, { bucket, requester, requestId, hostId, started }));
  return answered;
}

/** A served request as its bucket's access log tells it. */
function accessEntry(
  req: S3HttpRequest,
  reply: Reply,
  r: { bucket: string; requester?: string; requestId: string; hostId: string; started: number },
): AccessEntry {
  const h = reply.headers ?? {};
  const header = (name: string) => Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];
  const sent = typeof reply.body === 'string' ? Buffer.byteLength(reply.body) : reply.body?.length;
  const length = Number(header('content-length'));
  const key = (() => {
    try {
      return splitResource(req.resourcePath).key;
    } catch {
      return undefined;
    }
  })();
  const range = /\/(\d+)$/.exec(header('content-range') ?? '');
  const q = req.query.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&');
  const auth = req.headers.authorization ?? '';
  const presigned = req.query.some(([k]) => k === 'X-Amz-Signature' || k === 'Signature');
  const v4 = auth.startsWith('AWS4-') || req.query.some(([k]) => k === 'X-Amz-Signature');
  return {
    bucket: r.bucket,
    time: new Date(r.started),
    remoteIp: req.origin?.sourceIp,
    requester: r.requester,
    requestId: r.requestId,
    hostId: r.hostId,
    operation: logOperation(req.method, key, req.query),
    key,
    requestLine: `${req.method} ${req.rawPath}${q ? '?' + q : ''} HTTP/1.1`,
    status: reply.status,
    errorCode:
      reply.status >= 300 && typeof reply.body === 'string' ? /<Code>([^<]*)<\/Code>/.exec(reply.body)?.[1] : undefined,
    bytesSent: sent ?? (Number.isNaN(length) ? undefined : length),
    objectSize: key === undefined ? undefined : range ? Number(range[1]) : Number.isNaN(length) ? undefined : length,
    totalMs: Date.now() - r.started,
    referer: req.headers.referer,
    userAgent: req.headers['user-agent'],
    versionId: req.query.find(([k]) => k === 'versionId')?.[1],
    signatureVersion: auth || presigned ? (v4 ? 'SigV4' : 'SigV2') : undefined,
    authType: auth ? 'AuthHeader' : presigned ? 'QueryString' : undefined,
    host: req.headers.host,
  };
}
