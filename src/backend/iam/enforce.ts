/**
 * Policies enforced on every request: who asks (an authenticated principal, or nobody for an
 * anonymous S3 request), what they ask for (the service's action and resource ARNs), from where
 * (source address, transport). An account's admin passes within its account, the cloud
 * administrator everywhere; any other user only where the union of their own and their groups'
 * policies allows. On Walrus a bucket's policy counts too: its Deny refuses anyone but the cloud
 * administrator, and its Allow lets in a user of the bucket's account whom their own policies do
 * not, or another account's user or an anonymous caller whom the bucket's ACLs do not.
 * A denial answers as the service does (EC2 UnauthorizedOperation, S3 and IAM AccessDenied).
 */
import type { CloudContext } from '../context';
import type { S3Gate } from '../s3/walrus';
import { type Principal } from '../store/types';
import {
  accessDenied,
  authorizationFor,
  type Authorization,
  type IamEntity,
  evaluate,
  iamArn,
  isAllowed,
  isPublicPolicy,
  parsePolicy,
  type PolicyDocument,
  requestContext,
  s3ConditionKeys,
  type S3Request,
  type ServiceRequest,
  splitPath,
} from './policy';
import { ADMIN_USER, isCloudAdmin } from './principals';

/** Where a request came from, for aws:SourceIp and aws:SecureTransport. */
export interface Origin {
  sourceIp?: string;
  secure?: boolean;
}

/** Parsed documents by their text: stored policies were validated when put, parse them once. */
const parsed = new Map<string, PolicyDocument>();

function documentOf(text: string, resourcePolicy = false): PolicyDocument {
  const key = (resourcePolicy ? 'R' : 'I') + text;
  let doc = parsed.get(key);
  if (!doc) {
    doc = parsePolicy(text, { maxSize: Infinity, resourcePolicy });
    if (parsed.size > 1000) parsed.clear();
    parsed.set(key, doc);
  }
  return doc;
}

/**
 * Throws the service's access-denied error unless the request may go on. Returns true when a
 * resource (bucket) policy explicitly allows it: the bucket's ACLs need not then.
 */
export async function authorize(
  cloud: CloudContext,
  principal: Principal | undefined,
  request: ServiceRequest,
  origin: Origin = {},
): Promise<boolean> {
  if (principal && asksWhoItIs(request)) return false;
  const account = principal?.account;
  const user = principal?.user;
  const { action, resources } = principal
    ? await storedNames(cloud, principal.account.id, user!.name, request)
    : authorizationFor(request);
  const bucket = request.service === 's3' ? await bucketOf(cloud, request.path) : undefined;
  // An admin's requests need no policies: skip reading them.
  const policyTexts = principal && user!.name !== ADMIN_USER ? await cloud.identity.effectivePolicies(user!.id) : [];
  const context = requestContext({
    sourceIp: origin.sourceIp,
    secure: origin.secure,
    userName: user?.name,
    userId: user?.id,
    accountId: account?.id,
    extra: request.service === 's3' ? s3ConditionKeys(request) : undefined,
  });
  // An object's tags are its bucket owner's to decide by: the bucket's policy sees them, and the
  // policies of the owner's own users; another account's policies never do (they would make an
  // oracle of another tenant's tags).
  const ownsBucket = account !== undefined && bucket?.ownerAccountId === account.id;
  const tags =
    request.service === 's3'
      ? await existingObjectTags(cloud, request, [bucket?.policy, ...(ownsBucket ? policyTexts : [])])
      : {};
  const userArn = principal && iamArn(account!.id, 'user', user!.name, user!.path);
  const denied = () => accessDenied(request.service, action, userArn, resources[0]);
  const policyRequest = {
    action,
    resources,
    context: ownsBucket ? { ...context, ...tags } : context,
    requester: principal && { accountId: account!.id, userArn: userArn! },
  };

  const bucketDoc = bucket?.policy ? documentOf(bucket.policy, true) : undefined;
  let bucketDecision = bucketDoc
    ? evaluate({ ...policyRequest, context: { ...context, ...tags } }, [bucketDoc])
    : 'ImplicitDeny';
  // RestrictPublicBuckets: a public policy admits no one from outside the bucket's account.
  if (
    bucketDecision === 'Allow' &&
    bucket!.controls?.publicAccessBlock?.restrictPublicBuckets &&
    isPublicPolicy(bucketDoc!) &&
    account?.id !== bucket!.ownerAccountId
  )
    bucketDecision = 'ImplicitDeny';
  if (bucketDecision === 'Deny' && !(principal && isCloudAdmin({ principal }))) throw denied();
  if (principal) {
    const policies = policyTexts.map((t) => documentOf(t));
    const who = { accountName: account!.name, userName: user!.name, accountId: account!.id };
    if (!isAllowed(who, policyRequest, policies)) {
      const sameAccount = bucket?.ownerAccountId === account!.id;
      if (!(sameAccount && bucketDecision === 'Allow') || evaluate(policyRequest, policies) === 'Deny') throw denied();
    }
  }
  return bucketDecision === 'Allow';
}

/**
 * s3:ExistingObjectTag/<key> of the object a request names, read only when a policy that may
 * decide the request asks for one.
 */
async function existingObjectTags(
  cloud: CloudContext,
  request: S3Request,
  policies: (string | undefined)[],
): Promise<Record<string, string>> {
  if (!policies.some((p) => p?.includes('s3:ExistingObjectTag/'))) return {};
  const [bucketName, key] = splitPath(request);
  const b = bucketName !== undefined && key !== undefined && (await cloud.walrus.store.findBucket(bucketName));
  if (!b) return {};
  const versionId = request.query?.versionId;
  const o = await (versionId === undefined
    ? cloud.walrus.store.findObject(b.id, key!)
    : cloud.walrus.versions.find(b.id, key!, versionId));
  return Object.fromEntries((o?.tags ?? []).map((t) => [`s3:ExistingObjectTag/${t.key}`, t.value]));
}

/** The check every Walrus read and write passes, for requests from one origin. */
export function s3Gate(cloud: CloudContext, origin: Origin = {}): S3Gate {
  return async (principal, request) => authorize(cloud, principal, { service: 's3', ...request }, origin);
}

/**
 * The request's action and resources, its resources named as they are stored however the request
 * spelled them. The rules that name them are pure functions: a first pass finds which entities
 * they look up, those are read from the store, and a second pass names the resources from them.
 */
async function storedNames(
  cloud: CloudContext,
  accountId: string,
  callerUserName: string,
  request: ServiceRequest,
): Promise<Authorization> {
  if (request.service === 's3') return authorizationFor(request);
  const wanted = new Map<string, [string, string]>();
  const found = new Map<string, unknown>();
  const key = (type: string, name: string) => `${type}\0${name}`;
  const lookup = <T>(type: string, name: string): T | undefined => {
    if (!found.has(key(type, name))) wanted.set(key(type, name), [type, name]);
    return found.get(key(type, name)) as T | undefined;
  };
  const named = (): ServiceRequest =>
    request.service === 'iam'
      ? { ...request, options: { callerUserName, find: (type, name) => lookup<IamEntity>(type, name) } }
      : { ...request, canonical: (type, nameOrId) => lookup<string>(type, nameOrId) };
  authorizationFor(named());
  for (const [k, [type, name]] of wanted)
    found.set(
      k,
      request.service === 'iam'
        ? await findEntity(cloud, accountId, type as 'user' | 'group', name)
        : await ec2Name(cloud, accountId, type, name),
    );
  return authorizationFor(named());
}

/** The bucket a Walrus path names (`/bucket/key...`), with its owner and policy. */
async function bucketOf(cloud: CloudContext, path: string) {
  const name = path.replace(/^\//, '').split('/')[0];
  return name ? cloud.walrus.bucketPolicy(name) : undefined;
}

/** GetUser without a name (euare-getcallerid) needs no permission, as STS GetCallerIdentity. */
function asksWhoItIs(request: ServiceRequest): boolean {
  return (
    request.service === 'iam' &&
    request.action === 'GetUser' &&
    !(request.input as { UserName?: string }).UserName &&
    !request.delegateAccount
  );
}

async function ec2Name(
  cloud: CloudContext,
  accountId: string,
  type: string,
  nameOrId: string,
): Promise<string | undefined> {
  if (type === 'securitygroup') {
    // Looked up, never created here (findGroup makes `default` on first use).
    const g = await (nameOrId.startsWith('sg-')
      ? cloud.groups.getById(nameOrId)
      : cloud.groups.get(accountId, nameOrId));
    return g?.accountId === accountId ? g.name : undefined;
  }
  if (type === 'keypair') return (await cloud.keypairs.get(accountId, nameOrId))?.name;
  return undefined;
}

async function findEntity(
  cloud: CloudContext,
  accountId: string,
  type: 'user' | 'group',
  name: string,
): Promise<IamEntity | undefined> {
  return type === 'user' ? cloud.store.findUser(accountId, name) : cloud.identity.findGroup(accountId, name);
}
