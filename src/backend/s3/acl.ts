/**
 * Access control lists of buckets and objects: grants of a permission to an account (by its
 * canonical ID, which in this cloud is the account ID) or to a group (everyone, or every
 * authenticated caller); the canned ACLs that name common lists; the `x-amz-grant-*` headers;
 * and the one rule that decides whether a caller holds a permission.
 */
import { ServiceError } from '../errors';

export type Permission = 'FULL_CONTROL' | 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP';
export const PERMISSIONS: readonly Permission[] = ['FULL_CONTROL', 'READ', 'WRITE', 'READ_ACP', 'WRITE_ACP'];

export type Grantee = { type: 'CanonicalUser'; id: string } | { type: 'Group'; uri: string };

export interface Grant {
  grantee: Grantee;
  permission: Permission;
}

export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
const GROUPS = new Set([ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY]);

export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
] as const;
export type CannedAcl = (typeof CANNED_ACLS)[number];

/** Who is asking: an account, or nobody (an anonymous request). */
export type Requester = { accountId: string } | undefined;

export interface AclContext {
  owner: string;
  /** The owner of the bucket an object is in (for bucket-owner-*); the owner itself for a bucket. */
  bucketOwner: string;
  /** The cloud's own account (`eucalyptus`), which aws-exec-read lets read. */
  cloudAccount?: string;
  /** The ACL is a bucket's, not an object's. */
  forBucket?: boolean;
}

const user = (id: string, permission: Permission): Grant => ({ grantee: { type: 'CanonicalUser', id }, permission });
const group = (uri: string, permission: Permission): Grant => ({ grantee: { type: 'Group', uri }, permission });

export function isCannedAcl(name: string): name is CannedAcl {
  return (CANNED_ACLS as readonly string[]).includes(name);
}

export function cannedGrants(name: string, ctx: AclContext): Grant[] {
  if (!isCannedAcl(name)) throw new ServiceError('InvalidArgument', `The canned ACL ${name} is not valid`);
  const grants = [user(ctx.owner, 'FULL_CONTROL')];
  switch (name) {
    case 'public-read':
      grants.push(group(ALL_USERS, 'READ'));
      break;
    case 'public-read-write':
      grants.push(group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE'));
      break;
    case 'authenticated-read':
      grants.push(group(AUTHENTICATED_USERS, 'READ'));
      break;
    case 'aws-exec-read':
      // What image bundles are uploaded with: the cloud must read them to register the image.
      if (ctx.cloudAccount && ctx.cloudAccount !== ctx.owner) grants.push(user(ctx.cloudAccount, 'READ'));
      break;
    case 'bucket-owner-read':
      if (ctx.bucketOwner !== ctx.owner) grants.push(user(ctx.bucketOwner, 'READ'));
      break;
    case 'bucket-owner-full-control':
      if (ctx.bucketOwner !== ctx.owner) grants.push(user(ctx.bucketOwner, 'FULL_CONTROL'));
      break;
    case 'log-delivery-write':
      grants.push(group(LOG_DELIVERY, 'WRITE'), group(LOG_DELIVERY, 'READ_ACP'));
      break;
  }
  return grants;
}

function matches(grantee: Grantee, who: Requester): boolean {
  if (grantee.type === 'Group')
    return grantee.uri === ALL_USERS || (grantee.uri === AUTHENTICATED_USERS && who !== undefined);
  return who !== undefined && grantee.id === who.accountId;
}

/**
 * Whether `who` holds `permission` under these grants. `implicit` lists what the owner holds
 * whatever the grants say: everything on a bucket, the ACL itself on an object.
 */
export function granted(
  grants: Grant[],
  owner: string,
  who: Requester,
  permission: Permission,
  implicit: readonly Permission[],
): boolean {
  if (who && who.accountId === owner && (implicit.includes(permission) || implicit.includes('FULL_CONTROL')))
    return true;
  return grants.some(
    (g) => (g.permission === permission || g.permission === 'FULL_CONTROL') && matches(g.grantee, who),
  );
}

export const BUCKET_OWNER_IMPLICIT: readonly Permission[] = ['FULL_CONTROL'];
export const OBJECT_OWNER_IMPLICIT: readonly Permission[] = ['READ_ACP', 'WRITE_ACP'];

/** The x-amz-grant-* headers of a request, as S3's model names them. */
export interface GrantHeaders {
  GrantRead?: string;
  GrantWrite?: string;
  GrantReadACP?: string;
  GrantWriteACP?: string;
  GrantFullControl?: string;
}

const GRANT_HEADERS: [keyof GrantHeaders, string, Permission][] = [
  ['GrantRead', 'x-amz-grant-read', 'READ'],
  ['GrantWrite', 'x-amz-grant-write', 'WRITE'],
  ['GrantReadACP', 'x-amz-grant-read-acp', 'READ_ACP'],
  ['GrantWriteACP', 'x-amz-grant-write-acp', 'WRITE_ACP'],
  ['GrantFullControl', 'x-amz-grant-full-control', 'FULL_CONTROL'],
];

/** Grants given as `x-amz-grant-read: id="123", uri="http://..."` headers; undefined if none. */
export function headerGrants(headers: GrantHeaders): Grant[] | undefined {
  const present = GRANT_HEADERS.filter(([member]) => headers[member] !== undefined);
  if (!present.length) return undefined;
  const grants: Grant[] = [];
  for (const [member, h, permission] of present) {
    for (const item of headers[member]!.split(',')) {
      const m = /^\s*(id|uri|emailAddress)\s*=\s*"?([^"]*)"?\s*$/i.exec(item);
      if (!m) throw new ServiceError('InvalidArgument', `Invalid grantee in ${h}: ${item.trim()}`);
      const kind = m[1].toLowerCase();
      if (kind === 'emailaddress')
        throw new ServiceError(
          'UnresolvableGrantByEmailAddress',
          'The e-mail address you provided does not match any account on record.',
        );
      grants.push(kind === 'id' ? user(m[2], permission) : group(m[2], permission));
    }
  }
  return grants;
}

/** Checks a grant list given by a client: known permissions and groups. Accounts are checked by the model. */
export function validateGrants(grants: Grant[]): void {
  for (const g of grants) {
    if (!PERMISSIONS.includes(g.permission))
      throw new ServiceError(
        'MalformedACLError',
        'The XML you provided was not well-formed or did not validate against our published schema.',
      );
    if (g.grantee.type === 'Group' && !GROUPS.has(g.grantee.uri))
      throw new ServiceError('InvalidArgument', `Invalid group uri: ${g.grantee.uri}`);
  }
}
