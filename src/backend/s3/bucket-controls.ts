/**
 * A bucket's controls over its ACLs and its policy, as S3 has them. Public Access Block: refuse
 * new public ACLs (BlockPublicAcls), disregard existing ones (IgnorePublicAcls), refuse a public
 * bucket policy (BlockPublicPolicy), and let a public policy admit only the bucket's own account
 * (RestrictPublicBuckets). Ownership Controls: ObjectWriter (the writer owns an object, S3's
 * former default), BucketOwnerPreferred (the bucket owner owns objects written with
 * bucket-owner-full-control), BucketOwnerEnforced (ACLs off: the bucket owner owns everything,
 * only policies grant). Whether a policy is public is the policy engine's (iam/policy/public.ts).
 */
import { ServiceError } from '../errors';
import { ALL_USERS, AUTHENTICATED_USERS, type Grant } from './acl';
import { malformed, parseXmlBody, s3Answer, text } from './documents';

export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

export type ObjectOwnership = 'ObjectWriter' | 'BucketOwnerPreferred' | 'BucketOwnerEnforced';
const OWNERSHIPS: readonly string[] = ['ObjectWriter', 'BucketOwnerPreferred', 'BucketOwnerEnforced'];

/** What a bucket's controls say, read with the bucket. */
export interface BucketControls {
  publicAccessBlock?: PublicAccessBlock;
  ownership?: ObjectOwnership;
}

const FLAGS: [keyof PublicAccessBlock, string][] = [
  ['blockPublicAcls', 'BlockPublicAcls'],
  ['ignorePublicAcls', 'IgnorePublicAcls'],
  ['blockPublicPolicy', 'BlockPublicPolicy'],
  ['restrictPublicBuckets', 'RestrictPublicBuckets'],
];

export function parsePublicAccessBlock(body: Buffer): PublicAccessBlock {
  const root = parseXmlBody(body).PublicAccessBlockConfiguration;
  if (root === undefined) throw malformed();
  const out = {} as PublicAccessBlock;
  for (const [field, element] of FLAGS) {
    const v = text(root?.[element]);
    if (v !== undefined && v !== 'true' && v !== 'false') throw malformed();
    out[field] = v === 'true';
  }
  return out;
}

export function publicAccessBlockDocument(p: PublicAccessBlock): string {
  return s3Answer(
    'GetPublicAccessBlock',
    'PublicAccessBlockConfiguration',
    Object.fromEntries(FLAGS.map(([field, element]) => [element, p[field]])),
  );
}

export function parseOwnershipControls(body: Buffer): ObjectOwnership {
  const rules = parseXmlBody(body).OwnershipControls?.Rule;
  const ownership = text(Array.isArray(rules) ? undefined : rules?.ObjectOwnership);
  return checkOwnership(ownership);
}

export function checkOwnership(v: string | undefined): ObjectOwnership {
  if (v === undefined || !OWNERSHIPS.includes(v))
    throw new ServiceError('InvalidArgument', 'Invalid x-amz-object-ownership header or ObjectOwnership value');
  return v as ObjectOwnership;
}

export const ownershipControlsDocument = (o: ObjectOwnership) =>
  s3Answer('GetBucketOwnershipControls', 'OwnershipControls', { Rule: [{ ObjectOwnership: o }] });

/** Whether a grant opens to everyone or to every authenticated caller. */
export const isPublicGrant = (g: Grant) =>
  g.grantee.type === 'Group' && (g.grantee.uri === ALL_USERS || g.grantee.uri === AUTHENTICATED_USERS);

/** BlockPublicAcls: a new ACL that opens the bucket or object to the public is refused. */
export function checkNewGrants(controls: BucketControls | undefined, grants: Grant[]): void {
  if (controls?.publicAccessBlock?.blockPublicAcls && grants.some(isPublicGrant))
    throw new ServiceError('AccessDenied', 'Access Denied', 403);
}

/** The grants that count: IgnorePublicAcls disregards the public ones. */
export const effectiveGrants = (controls: BucketControls | undefined, grants: Grant[]): Grant[] =>
  controls?.publicAccessBlock?.ignorePublicAcls ? grants.filter((g) => !isPublicGrant(g)) : grants;

export const policyStatusDocument = (isPublic: boolean) =>
  s3Answer('GetBucketPolicyStatus', 'PolicyStatus', { IsPublic: isPublic });

/**
 * BucketOwnerEnforced turns ACLs off: an object's write may name no ACL but
 * bucket-owner-full-control; a bucket's, no ACL but private (what the bucket has anyway).
 */
export function checkAclsAllowed(
  controls: BucketControls | undefined,
  acl: { canned?: string; grants?: Grant[] },
  forBucket = false,
) {
  if (controls?.ownership !== 'BucketOwnerEnforced') return;
  const allowed = forBucket ? 'private' : 'bucket-owner-full-control';
  if (acl.grants || (acl.canned !== undefined && acl.canned !== allowed))
    throw new ServiceError('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400);
}

/** BucketOwnerEnforced needs a bucket ACL that grants no one but its owner. */
export function checkEnforceable(o: ObjectOwnership, acl: Grant[], owner: string): void {
  if (o !== 'BucketOwnerEnforced') return;
  if (acl.some((g) => g.grantee.type !== 'CanonicalUser' || g.grantee.id !== owner))
    throw new ServiceError(
      'InvalidBucketAclWithObjectOwnership',
      "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
    );
}
