/**
 * Policies enforced on every request: who asks (an authenticated principal), what they ask for
 * (the service's action and resource ARNs), from where (source address, transport). An account's
 * admin passes within its account, the cloud administrator everywhere; any other user only
 * where the union of their own and their groups' policies allows. A denial answers as the
 * service does (EC2 UnauthorizedOperation, S3 and IAM AccessDenied).
 */
import type { CloudContext } from '../context';
import { Principal } from '../store/types';
import { ADMIN_USER } from './principals';
import { accessDenied, authorizationFor, iamArn, isAllowed, parsePolicy, PolicyDocument, requestContext, ServiceRequest } from './policy';

/** Where a request came from, for aws:SourceIp and aws:SecureTransport. */
export interface Origin {
  sourceIp?: string;
  secure?: boolean;
}

/** Parsed documents by their text: stored policies were validated when put, parse them once. */
const parsed = new Map<string, PolicyDocument>();

function documentOf(text: string): PolicyDocument {
  let doc = parsed.get(text);
  if (!doc) {
    doc = parsePolicy(text, { maxSize: Infinity });
    if (parsed.size > 1000) parsed.clear();
    parsed.set(text, doc);
  }
  return doc;
}

/** Throws the service's access-denied error unless the principal may make the request. */
export function authorize(cloud: CloudContext, principal: Principal, request: ServiceRequest, origin: Origin = {}): void {
  const { account, user } = principal;
  if (asksWhoItIs(request)) return;
  const withOptions: ServiceRequest =
    request.service === 'iam'
      ? { ...request, options: { callerUserName: user.name, pathOf: (type, name) => pathOf(cloud, account.id, type, name) } }
      : request;
  const { action, resources } = authorizationFor(withOptions);
  const context = requestContext({ sourceIp: origin.sourceIp, secure: origin.secure, userName: user.name, userId: user.id, accountId: account.id });
  const who = { accountName: account.name, userName: user.name, accountId: account.id };
  // An admin's requests need no policies: skip reading them.
  const policies = user.name === ADMIN_USER ? [] : cloud.identity.effectivePolicies(user.id).map(documentOf);
  if (!isAllowed(who, { action, resources, context }, policies)) {
    throw accessDenied(request.service, action, iamArn(account.id, 'user', user.name, user.path), resources[0]);
  }
}

/** GetUser without a name (euare-getcallerid) needs no permission, as STS GetCallerIdentity. */
function asksWhoItIs(request: ServiceRequest): boolean {
  return request.service === 'iam' && request.action === 'GetUser' && !request.params.UserName && !request.params.DelegateAccount;
}

function pathOf(cloud: CloudContext, accountId: string, type: 'user' | 'group', name: string): string | undefined {
  return type === 'user' ? cloud.store.findUser(accountId, name)?.path : cloud.identity.findGroup(accountId, name)?.path;
}
