/**
 * The configuration operations' protocol side: bucket tagging, CORS and lifecycle (GET, PUT and
 * DELETE of ?tagging, ?cors, ?lifecycle), object tagging, and the CORS preflight (OPTIONS) a
 * browser sends before a cross-origin request.
 */
import { ServiceError } from '../errors';
import { parsePolicy, type PolicyDocument } from '../iam/policy/document';
import { wildcardMatch } from '../iam/policy/evaluate';
import { isPublicPolicy } from '../iam/policy/public';
import { type Reply } from '../reply';
import { type S3Call, emptyReply, versionHeader, xmlReply } from './call';
import {
  corsDocument,
  corsForbidden,
  corsHeaders,
  type CorsRule,
  matchCors,
  parseCors,
  requestedHeaders,
} from './cors';
import { defaultEncryptionDocument, type DefaultEncryption, parseDefaultEncryption } from './encryption';
import {
  legalHoldDocument,
  type LockConfiguration,
  lockConfigurationDocument,
  noLockConfiguration,
  parseLegalHold,
  parseLockConfiguration,
  parseRetention,
  retentionDocument,
} from './object-lock';
import { lifecycleDocument, type LifecycleRule, parseLifecycle } from './lifecycle';
import {
  checkEnforceable,
  type ObjectOwnership,
  ownershipControlsDocument,
  parseOwnershipControls,
  parsePublicAccessBlock,
  policyStatusDocument,
  type PublicAccessBlock,
  publicAccessBlockDocument,
} from './bucket-controls';
import { type LoggingTarget, loggingDocument, parseLogging } from './access-log';
import { type BucketConfigKind, type BucketRecord } from './store';
import type { Walrus } from './walrus';
import { parseVersioning, type VersioningStatus, versioningDocument } from './versions';
import { MAX_BUCKET_TAGS, MAX_OBJECT_TAGS, parseTagging, type Tag, taggingDocument } from './tagging';

interface ConfigKind<T> {
  /** The operation's name after Get/Put/Delete. */
  name: string;
  parse(body: Buffer): T;
  render(config: T): string;
  /** S3's error for reading one that is not set. */
  unset: [string, string];
  /** What PUT answers on success. */
  putStatus: number;
  /** A check of the new configuration against the bucket as it is, before it is kept. */
  check?(config: T, bucket: BucketRecord): void;
}

type DocumentKind = Exclude<BucketConfigKind, 'versioning' | 'policy' | 'objectLock' | 'logging'>;

const KINDS: Record<DocumentKind, ConfigKind<any>> = {
  tagging: {
    name: 'BucketTagging',
    parse: (body) => parseTagging(body, MAX_BUCKET_TAGS),
    render: (tags: Tag[]) => taggingDocument(tags),
    unset: ['NoSuchTagSet', 'The TagSet does not exist'],
    putStatus: 204,
  },
  cors: {
    name: 'BucketCors',
    parse: parseCors,
    render: (rules: CorsRule[]) => corsDocument(rules),
    unset: ['NoSuchCORSConfiguration', 'The CORS configuration does not exist'],
    putStatus: 200,
  },
  lifecycle: {
    name: 'BucketLifecycleConfiguration',
    parse: parseLifecycle,
    render: (rules: LifecycleRule[]) => lifecycleDocument(rules),
    unset: ['NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist'],
    putStatus: 200,
  },
  encryption: {
    name: 'BucketEncryption',
    parse: parseDefaultEncryption,
    render: (d: DefaultEncryption) => defaultEncryptionDocument(d),
    unset: ['ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found'],
    putStatus: 200,
  },
  publicAccessBlock: {
    name: 'PublicAccessBlock',
    parse: parsePublicAccessBlock,
    render: (p: PublicAccessBlock) => publicAccessBlockDocument(p),
    unset: ['NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found'],
    putStatus: 200,
  },
  ownershipControls: {
    name: 'BucketOwnershipControls',
    parse: parseOwnershipControls,
    render: (o: ObjectOwnership) => ownershipControlsDocument(o),
    unset: ['OwnershipControlsNotFoundError', 'The bucket ownership controls were not found'],
    putStatus: 200,
    check: (o: ObjectOwnership, b: BucketRecord) => checkEnforceable(o, b.acl, b.ownerAccountId),
  },
};

export const isBucketConfig = (sub: string | undefined): sub is DocumentKind =>
  sub !== undefined && Object.hasOwn(KINDS, sub);

/** GET, PUT or DELETE of a bucket configuration; undefined for another method. */
export function bucketConfigOperation(
  call: S3Call,
  method: string,
  kind: DocumentKind,
): [string, () => Reply | Promise<Reply>] | undefined {
  const k = KINDS[kind];
  switch (method) {
    case 'GET':
      return [
        `Get${k.name}`,
        async () => {
          const config = await call.walrus.bucketConfig(call.caller, call.bucket, kind);
          if (config === undefined) throw new ServiceError(k.unset[0], k.unset[1], 404);
          return xmlReply(`Get${k.name}`, k.render(config));
        },
      ];
    case 'PUT':
      return [
        `Put${k.name}`,
        async () => {
          const b = await call.walrus.bucketOwnedBy(call.caller, call.bucket);
          const config = k.parse(await call.xmlBody());
          k.check?.(config, b);
          await call.walrus.setBucketConfig(call.caller, call.bucket, kind, config);
          return emptyReply(`Put${k.name}`, k.putStatus);
        },
      ];
    case 'DELETE':
      return [
        `Delete${k.name}`,
        async () => {
          await call.walrus.setBucketConfig(call.caller, call.bucket, kind, undefined);
          return emptyReply(`Delete${k.name}`, 204);
        },
      ];
  }
  return undefined;
}

/** The largest bucket policy S3 takes. */
export const MAX_BUCKET_POLICY = 20 * 1024;

/** GET ?policy: the document as it was put. */
export async function getBucketPolicy(call: S3Call): Promise<Reply> {
  const text = await call.walrus.bucketConfig<string>(call.caller, call.bucket, 'policy');
  if (text === undefined) throw new ServiceError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
  return { status: 200, contentType: 'application/json', body: text, action: 'GetBucketPolicy' };
}

/** PUT ?policy: a resource policy naming principals, about this bucket and its objects only. */
export async function putBucketPolicy(call: S3Call): Promise<Reply> {
  const b = await call.walrus.bucketOwnedBy(call.caller, call.bucket);
  const body = await call.xmlBody();
  if (body.length > MAX_BUCKET_POLICY)
    throw new ServiceError(
      'PolicyTooLarge',
      `Policy exceeds the maximum allowed document size of ${MAX_BUCKET_POLICY} bytes.`,
    );
  const text = body.toString('utf8');
  const doc = checkBucketPolicy(text, call.bucket);
  if (b.controls?.publicAccessBlock?.blockPublicPolicy && isPublicPolicy(doc))
    throw new ServiceError('AccessDenied', 'Access Denied', 403);
  await call.walrus.setBucketConfig(call.caller, call.bucket, 'policy', text);
  return emptyReply('PutBucketPolicy', 204);
}

/** GET ?policyStatus: whether the bucket's policy makes it public. */
export async function getBucketPolicyStatus(call: S3Call): Promise<Reply> {
  const text = await call.walrus.bucketConfig<string>(call.caller, call.bucket, 'policy');
  if (text === undefined) throw new ServiceError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
  const doc = parsePolicy(text, { resourcePolicy: true, maxSize: Infinity });
  return xmlReply('GetBucketPolicyStatus', policyStatusDocument(isPublicPolicy(doc)));
}

export async function deleteBucketPolicy(call: S3Call): Promise<Reply> {
  await call.walrus.setBucketConfig(call.caller, call.bucket, 'policy', undefined);
  return emptyReply('DeleteBucketPolicy', 204);
}

function checkBucketPolicy(text: string, bucket: string): PolicyDocument {
  let doc: PolicyDocument;
  try {
    doc = parsePolicy(text, { resourcePolicy: true, maxSize: MAX_BUCKET_POLICY });
  } catch (e) {
    throw new ServiceError('MalformedPolicy', (e as Error).message);
  }
  for (const st of doc.statements) {
    for (const a of st.action ?? st.notAction!) {
      if (a !== '*' && !/^s3:/i.test(a))
        throw new ServiceError('MalformedPolicy', `Policy has an invalid action: ${a}`);
    }
    // A resource must reach into this bucket: its ARN's bucket part (a pattern: arn:aws:s3:::*,
    // arn:aws:s3:::logs-*/2026/*) matches the bucket's name.
    for (const r of st.resource ?? st.notResource!) {
      const m = /^arn:aws:s3:::([^/]*)(\/.*)?$/.exec(r);
      if (r !== '*' && !(m && wildcardMatch(m[1], bucket)))
        throw new ServiceError('MalformedPolicy', `Policy has invalid resource: ${r}`);
    }
  }
  return doc;
}

/** GET ?versioning: the bucket's status, or nothing when versioning was never turned on. */
export async function getBucketVersioning(call: S3Call): Promise<Reply> {
  return xmlReply(
    'GetBucketVersioning',
    versioningDocument(await call.walrus.bucketConfig<VersioningStatus>(call.caller, call.bucket, 'versioning')),
  );
}

/** PUT ?versioning: Enabled or Suspended; a bucket never returns to unversioned. */
export async function putBucketVersioning(call: S3Call): Promise<Reply> {
  const b = await call.walrus.bucketOwnedBy(call.caller, call.bucket);
  const status = parseVersioning(await call.xmlBody());
  if (status !== 'Enabled' && (await call.walrus.lockConfiguration(b.id)))
    throw new ServiceError(
      'InvalidBucketState',
      'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.',
      409,
    );
  await call.walrus.setBucketConfig(call.caller, call.bucket, 'versioning', status);
  return emptyReply('PutBucketVersioning');
}

/** GET ?logging: where the bucket's access log goes, if anywhere. */
export async function getBucketLogging(call: S3Call): Promise<Reply> {
  const target = await call.walrus.bucketConfig<LoggingTarget>(call.caller, call.bucket, 'logging');
  return xmlReply('GetBucketLogging', loggingDocument(target));
}

/**
 * PUT ?logging: the access log goes to a bucket of the same owner (an empty BucketLoggingStatus
 * turns it off).
 */
export async function putBucketLogging(call: S3Call): Promise<Reply> {
  const b = await call.walrus.bucketOwnedBy(call.caller, call.bucket);
  const target = parseLogging(await call.xmlBody());
  if (target) {
    const t = await call.walrus.store.findBucket(target.targetBucket);
    if (!t || call.walrus.systemBuckets.has(t.name))
      throw new ServiceError('InvalidTargetBucketForLogging', 'The target bucket for logging does not exist');
    if (t.ownerAccountId !== b.ownerAccountId)
      throw new ServiceError(
        'InvalidTargetBucketForLogging',
        'The owner for the bucket to be logged and the target bucket must be the same.',
      );
  }
  await call.walrus.setBucketConfig(call.caller, call.bucket, 'logging', target);
  return emptyReply('PutBucketLogging');
}

/** GET ?object-lock: the bucket's Object Lock configuration. */
export async function getObjectLockConfiguration(call: S3Call): Promise<Reply> {
  const config = await call.walrus.bucketConfig<LockConfiguration>(call.caller, call.bucket, 'objectLock');
  if (!config)
    throw new ServiceError(
      'ObjectLockConfigurationNotFoundError',
      'Object Lock configuration does not exist for this bucket',
      404,
    );
  return xmlReply('GetObjectLockConfiguration', lockConfigurationDocument(config));
}

/**
 * PUT ?object-lock: turns Object Lock on for a versioned bucket (for good: it cannot be turned off)
 * and sets or clears its default retention.
 */
export async function putObjectLockConfiguration(call: S3Call): Promise<Reply> {
  const b = await call.walrus.bucketOwnedBy(call.caller, call.bucket);
  const config = parseLockConfiguration(await call.xmlBody());
  if (!(await call.walrus.lockConfiguration(b.id)) && (await call.walrus.versions.status(b.id)) !== 'Enabled')
    throw new ServiceError(
      'InvalidBucketState',
      "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
      409,
    );
  await call.walrus.setBucketConfig(call.caller, call.bucket, 'objectLock', config);
  return emptyReply('PutObjectLockConfiguration');
}

/** Object Lock's permissions are granted by policies alone: an ACL grant is not enough. */
async function policyHeld(call: S3Call, action: string): Promise<void> {
  if (!(await call.holds(action))) throw new ServiceError('AccessDenied', 'Access Denied', 403);
}

/** GET ?retention and ?legal-hold of a version. */
export async function getObjectLock(call: S3Call, what: 'retention' | 'legal-hold'): Promise<Reply> {
  const op = what === 'retention' ? 'GetObjectRetention' : 'GetObjectLegalHold';
  await policyHeld(call, op);
  const o = await call.walrus.readableObject(call.caller, call.bucket, call.objectKey, call.input(op).VersionId);
  const b = await call.walrus.bucketFor(call.caller, call.bucket, 'READ');
  if (!(await call.walrus.lockConfiguration(b.id))) throw noLockConfiguration();
  const set = what === 'retention' ? o.lock?.mode !== undefined : o.lock?.legalHold !== undefined;
  if (!set)
    throw new ServiceError(
      'NoSuchObjectLockConfiguration',
      'The specified object does not have a ObjectLock configuration',
      404,
    );
  return xmlReply(op, what === 'retention' ? retentionDocument(o.lock!) : legalHoldDocument(o.lock!.legalHold!));
}

/** PUT ?retention (a GOVERNANCE one weakened only with the bypass) and PUT ?legal-hold. */
export async function putObjectLock(call: S3Call, what: 'retention' | 'legal-hold'): Promise<Reply> {
  await policyHeld(call, what === 'retention' ? 'PutObjectRetention' : 'PutObjectLegalHold');
  const body = await call.xmlBody();
  if (what === 'legal-hold') {
    const { VersionId } = call.input('PutObjectLegalHold');
    await call.walrus.setObjectLock(call.caller, call.bucket, call.objectKey, VersionId, {
      legalHold: parseLegalHold(body),
    });
    return emptyReply('PutObjectLegalHold');
  }
  const input = call.input('PutObjectRetention');
  const bypass = await call.bypassesGovernance(input.BypassGovernanceRetention);
  await call.walrus.setObjectLock(
    call.caller,
    call.bucket,
    call.objectKey,
    input.VersionId,
    { retention: parseRetention(body) },
    bypass,
  );
  return emptyReply('PutObjectRetention');
}

export async function getObjectTagging(call: S3Call): Promise<Reply> {
  const { VersionId } = call.input('GetObjectTagging');
  const o = await call.walrus.readableObject(call.caller, call.bucket, call.objectKey, VersionId);
  return xmlReply('GetObjectTagging', taggingDocument(o.tags ?? []), versionHeader(o));
}

export async function putObjectTagging(call: S3Call): Promise<Reply> {
  const { VersionId } = call.input('PutObjectTagging');
  const o = await call.walrus.readableObject(call.caller, call.bucket, call.objectKey, VersionId);
  const tags = parseTagging(await call.xmlBody(), MAX_OBJECT_TAGS);
  await call.walrus.setObjectTags(call.caller, call.bucket, call.objectKey, tags, VersionId);
  return emptyReply('PutObjectTagging', 200, versionHeader(o));
}

export async function deleteObjectTagging(call: S3Call): Promise<Reply> {
  const { VersionId } = call.input('DeleteObjectTagging');
  await call.walrus.setObjectTags(call.caller, call.bucket, call.objectKey, [], VersionId);
  return emptyReply('DeleteObjectTagging', 204, VersionId === undefined ? {} : { 'x-amz-version-id': VersionId });
}

/** A browser's preflight: the matching rule's Access-Control-* headers, or 403. */
export async function preflight(call: S3Call): Promise<Reply> {
  const origin = call.header('origin');
  const method = call.header('access-control-request-method');
  if (!origin) throw new ServiceError('BadRequest', 'Insufficient information. Origin request header needed.');
  if (!method) throw new ServiceError('BadRequest', 'Invalid Access-Control-Request-Method: null');
  const rules = await call.walrus.corsRules(call.bucket);
  if (!rules) throw new ServiceError('AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.', 403);
  const headers = requestedHeaders(call.header('access-control-request-headers'));
  const rule = matchCors(rules, origin, method, headers);
  if (!rule) throw corsForbidden();
  return emptyReply('PreflightRequest', 200, corsHeaders(rule, origin, headers));
}

/**
 * The Access-Control-* headers an ordinary request from a browser's page gets, if a rule of the
 * bucket allows its origin and method: on every answer, errors too (a page must be able to read
 * S3's refusal), as S3 sends them.
 */
export async function corsReplyHeaders(
  walrus: Walrus,
  bucket: string,
  origin: string | undefined,
  method: string,
): Promise<Record<string, string>> {
  if (!origin) return {};
  const rules = await walrus.corsRules(bucket);
  const rule = rules && matchCors(rules, origin, method);
  return rule ? corsHeaders(rule, origin) : {};
}
