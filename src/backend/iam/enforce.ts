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
  type IamEntity,
  evaluate,
  iamArn,
  isAllowed,
  parsePolicy,
  type PolicyDocument,
  requestContext,
  type ServiceRequest,
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
export function authorize(
  cloud: CloudContext,
  principal: Principal | undefined,
  request: ServiceRequest,
  origin: Origin = {},
): boolean {
  if (principal && asksWhoItIs(request)) return false;
  const account = principal?.account;
  const user = principal?.user;
  // Resources are named as they are stored, however the request spelled them.
  const withOptions: ServiceRequest =
    request.service === 'iam' && principal
      ? {
          ...request,
          options: { callerUserName: user!.name, find: (type, name) => findEntity(cloud, account!.id, type, name) },
        }
      : request.service === 'ec2' && principal
        ? { ...request, canonical: (type, nameOrId) => ec2Name(cloud, account!.id, type, nameOrId) }
        : request;
  const { action, resources } = authorizationFor(withOptions);
  const context = requestContext({
    sourceIp: origin.sourceIp,
    secure: origin.secure,
    userName: user?.name,
    userId: user?.id,
    accountId: account?.id,
  });
  const userArn = principal && iamArn(account!.id, 'user', user!.name, user!.path);
  const denied = () => accessDenied(request.service, action, userArn, resources[0]);
  const policyRequest = {
    action,
    resources,
    context,
    requester: principal && { accountId: account!.id, userArn: userArn! },
  };

  const bucket = request.service === 's3' ? bucketOf(cloud, request.path) : undefined;
  const bucketDecision = bucket?.policy ? evaluate(policyRequest, [documentOf(bucket.policy, true)]) : 'ImplicitDeny';
  if (bucketDecision === 'Deny' && !(principal && isCloudAdmin({ principal }))) throw denied();
  if (principal) {
    // An admin's requests need no policies: skip reading them.
    const policies =
      user!.name === ADMIN_USER ? [] : cloud.identity.effectivePolicies(user!.id).map((t) => documentOf(t));
    const who = { accountName: account!.name, userName: user!.name, accountId: account!.id };
    if (!isAllowed(who, policyRequest, policies)) {
      const sameAccount = bucket?.ownerAccountId === account!.id;
      if (!(sameAccount && bucketDecision === 'Allow') || evaluate(policyRequest, policies) === 'Deny') throw denied();
    }
  }
  return bucketDecision === 'Allow';
}

/** The check every Walrus read and write passes, for requests from one origin. */
export function s3Gate(cloud: CloudContext, origin: Origin = {}): S3Gate {
  return (principal, request) => authorize(cloud, principal, { service: 's3', ...request }, origin);
}

/** The bucket a Walrus path names (`/bucket/key...`), with its owner and policy. */
function bucketOf(cloud: CloudContext, path: string) {
  const name = path.replace(/^\//, '').split('/')[0];
  return name ? cloud.walrus.bucketPolicy(name) : undefined;
}

/** GetUser without a name (euare-getcallerid) needs no permission, as STS GetCallerIdentity. */
function asksWhoItIs(request: ServiceRequest): boolean {
  return (
    request.service === 'iam' &&
    request.action === 'GetUser' &&
    !request.params.UserName &&
    !request.params.DelegateAccount
  );
}

function ec2Name(cloud: CloudContext, accountId: string, type: string, nameOrId: string): string | undefined {
  if (type === 'securitygroup') {
    // Looked up, never created here (findGroup makes `default` on first use).
    const g = nameOrId.startsWith('sg-') ? cloud.groups.getById(nameOrId) : cloud.groups.get(accountId, nameOrId);
    return g?.accountId === accountId ? g.name : undefined;
  }
  if (type === 'keypair') return cloud.keypairs.get(accountId, nameOrId)?.name;
  return undefined;
}

function findEntity(
  cloud: CloudContext,
  accountId: string,
  type: 'user' | 'group',
  name: string,
): IamEntity | undefined {
  return type === 'user' ? cloud.store.findUser(accountId, name) : cloud.identity.findGroup(accountId, name);
}
