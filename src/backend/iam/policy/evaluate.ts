/**
 * IAM policy evaluation. A request is an action ("ec2:RunInstances"), the ARNs of the resources
 * it touches ("*" when the action has none) and a context of condition keys (aws:SourceIp,
 * aws:CurrentTime, aws:SecureTransport, aws:username, ec2:..., s3:...). Over all the policies
 * that apply (the user's and their groups'): an explicit Deny wins; otherwise an Allow allows;
 * otherwise the request is implicitly denied. A request on several resources is allowed only if
 * every one of them is.
 *
 * On top, Eucalyptus's rules (isAllowed): an account's `admin` user may do anything within its
 * account, and the `eucalyptus` account's admin anything anywhere; any other user only what the
 * policies allow.
 */
import { globMatch } from '../../../shared/glob';
import { ADMIN_USER, CLOUD_ACCOUNT } from '../principals';
import { type Condition, type PolicyDocument, type Statement, parseCidr, parseDate, parseIp } from './document';

export type Decision = 'Allow' | 'Deny' | 'ImplicitDeny';

export interface PolicyRequest {
  action: string;
  resources: string[];
  context: Record<string, string | string[]>;
  /** Who asks, for resource policies' Principal: nobody (anonymous) when absent. */
  requester?: Requester;
}

export interface Requester {
  accountId: string;
  userArn: string;
}

/** Whether a Principal entry (`*`, an account id, `arn:aws:iam::ACCOUNT:root`, a user ARN) names the requester. */
export function principalMatches(entry: string, who: Requester | undefined): boolean {
  if (entry === '*') return true;
  if (!who || entry.startsWith('service:')) return false;
  if (/^\d{12}$/.test(entry)) return entry === who.accountId;
  if (entry === `arn:aws:iam::${who.accountId}:root`) return true;
  return entry === who.userArn;
}

export interface Principal {
  accountName: string;
  userName: string;
  /** The principal's account id: when given, an account admin is limited to ARNs of that account. */
  accountId?: string;
}

/** An IAM wildcard pattern (`*` any run, `?` any one character) against a whole string, in linear time. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  return globMatch(pattern, value, { ignoreCase });
}

/** Whether an action pattern ("ec2:Describe*", "*", "iam:*") names an action; case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  return pattern === '*' || wildcardMatch(pattern, action, true);
}

/**
 * Replaces the policy variables `${aws:username}`, `${ec2:...}` etc. with the context's values,
 * and `${*}`, `${?}`, `${$}` with the literal characters (as escaped wildcard placeholders).
 */
function substitute(pattern: string, context: Record<string, string | string[]>): string | undefined {
  if (!pattern.includes('${')) return pattern;
  let missing = false;
  const out = pattern.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name === '*' || name === '?' || name === '$') return `\u0000${name}`;
    const v = lookup(context, name);
    if (v === undefined || v.length !== 1) {
      missing = true;
      return '';
    }
    return v[0].replace(/[*?]/g, (c) => `\u0000${c}`);
  });
  return missing ? undefined : out;
}

/** Pattern matching with `\u0000c` as an escaped literal c. */
function patternMatch(pattern: string, value: string, ignoreCase = false): boolean {
  return globMatch(pattern, value, { ignoreCase, escape: '\u0000' });
}

/**
 * Whether a resource pattern names a resource ARN. Field by field (arn:partition:service:region:
 * account:resource), each with wildcards; as Eucalyptus does, an empty region or account in the
 * pattern matches any (so `arn:aws:ec2:::instance/*` matches every account's instances).
 */
export function resourceMatches(
  pattern: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): boolean {
  const p = substitute(pattern, context);
  if (p === undefined) return false;
  if (p === '*') return true;
  if (!p.startsWith('arn:') || !resource.startsWith('arn:')) return patternMatch(p, resource);
  const pf = splitArn(p);
  const rf = splitArn(resource);
  if (!pf || !rf) return patternMatch(p, resource);
  for (let i = 1; i < 6; i++) {
    if ((i === 3 || i === 4) && pf[i] === '') continue;
    if (!patternMatch(pf[i], rf[i], i === 2)) return false;
  }
  return true;
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function lookup(context: Record<string, string | string[]>, key: string): string[] | undefined {
  let v = context[key];
  if (v === undefined) {
    const lower = key.toLowerCase();
    for (const [k, val] of Object.entries(context)) {
      if (k.toLowerCase() === lower) {
        v = val;
        break;
      }
    }
  }
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

const NEGATED = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'NumericNotEquals',
  'DateNotEquals',
  'NotIpAddress',
  'ArnNotEquals',
  'ArnNotLike',
]);

const POSITIVE: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
};

function cidrContains(cidr: string, ip: string): boolean {
  const net = parseCidr(cidr);
  let addr = parseIp(ip);
  if (!net || !addr) return false;
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is its IPv4 address.
  if (addr.width === 128 && net.width === 32 && addr.value >> 32n === 0xffffn)
    addr = { value: addr.value & 0xffffffffn, width: 32 };
  if (addr.width !== net.width) return false;
  const shift = BigInt(net.width - net.prefix);
  return addr.value >> shift === net.value >> shift;
}

function compareNumbers(op: string, a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  switch (op) {
    case 'Equals':
      return a === b;
    case 'LessThan':
      return a < b;
    case 'LessThanEquals':
      return a <= b;
    case 'GreaterThan':
      return a > b;
    case 'GreaterThanEquals':
      return a >= b;
  }
  return false;
}

/** Whether one context value matches one policy value under a positive base operator. */
function matchOne(base: string, ctx: string, pol: string, context: Record<string, string | string[]>): boolean {
  switch (base) {
    case 'StringEquals':
      return ctx === pol;
    case 'StringEqualsIgnoreCase':
      return ctx.toLowerCase() === pol.toLowerCase();
    case 'StringLike': {
      const p = substitute(pol, context);
      return p !== undefined && patternMatch(p, ctx);
    }
    case 'BinaryEquals':
      return ctx === pol;
    case 'Bool':
      return ctx.toLowerCase() === pol.toLowerCase();
    case 'IpAddress':
      return cidrContains(pol, ctx);
    case 'ArnEquals':
    case 'ArnLike':
      return resourceMatches(pol, ctx, context);
  }
  if (base.startsWith('Numeric')) return compareNumbers(base.slice(7), Number(ctx), Number(pol));
  if (base.startsWith('Date')) return compareNumbers(base.slice(4), parseDate(ctx), parseDate(pol));
  return false;
}

/** Whether one condition (operator, key, values) holds in a context. */
export function conditionHolds(c: Condition, context: Record<string, string | string[]>): boolean {
  const { base, set, ifExists } = c.operator;
  const present = lookup(context, c.key);
  if (base === 'Null') {
    const absent = present === undefined || present.length === 0;
    return c.values.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  if (present === undefined) {
    if (ifExists) return true;
    if (set === 'ForAllValues') return true;
    if (set === 'ForAnyValue') return false;
    return NEGATED.has(base);
  }
  const negated = NEGATED.has(base);
  const positive = POSITIVE[base] ?? base;
  const matchesSome = (v: string) => c.values.some((p) => matchOne(positive, v, p, context));
  if (set === 'ForAllValues') return present.every((v) => (negated ? !matchesSome(v) : matchesSome(v)));
  if (set === 'ForAnyValue') return present.some((v) => (negated ? !matchesSome(v) : matchesSome(v)));
  if (present.length === 0) return negated;
  return negated ? !present.some(matchesSome) : present.some(matchesSome);
}

/** Whether a statement applies to an action on one resource in a context. */
export function statementApplies(
  st: Statement,
  action: string,
  resource: string,
  context: Record<string, string | string[]>,
  requester?: Requester,
): boolean {
  if (st.principal && !st.principal.some((p) => principalMatches(p, requester))) return false;
  if (st.notPrincipal && st.notPrincipal.some((p) => principalMatches(p, requester))) return false;
  if (
    st.action ? !st.action.some((p) => actionMatches(p, action)) : st.notAction!.some((p) => actionMatches(p, action))
  )
    return false;
  if (
    st.resource
      ? !st.resource.some((p) => resourceMatches(p, resource, context))
      : st.notResource!.some((p) => resourceMatches(p, resource, context))
  )
    return false;
  return st.conditions.every((c) => conditionHolds(c, context));
}

/** The decision for a request over a set of policies: explicit Deny, Allow, or implicit deny. */
export function evaluate(request: PolicyRequest, policies: PolicyDocument[]): Decision {
  const resources = request.resources.length > 0 ? request.resources : ['*'];
  const statements = policies.flatMap((p) => p.statements);
  let allAllowed = true;
  for (const resource of resources) {
    let allowed = false;
    for (const st of statements) {
      if (!statementApplies(st, request.action, resource, request.context, request.requester)) continue;
      if (st.effect === 'Deny') return 'Deny';
      allowed = true;
    }
    if (!allowed) allAllowed = false;
  }
  return allAllowed ? 'Allow' : 'ImplicitDeny';
}

/** The account id in an ARN ('' when it has none, as S3's). */
function arnAccount(arn: string): string {
  const f = splitArn(arn);
  return f ? f[4] : '';
}

/**
 * Eucalyptus's rule: the `eucalyptus` account's admin may do anything; another account's admin
 * anything within its account (with accountId given, ARNs naming another account are refused);
 * any other user only what the union of their own and their groups' policies allows.
 */
export function isAllowed(principal: Principal, request: PolicyRequest, policies: PolicyDocument[]): boolean {
  if (principal.userName === ADMIN_USER) {
    if (principal.accountName === CLOUD_ACCOUNT) return true;
    if (principal.accountId === undefined) return true;
    return request.resources.every((r) => {
      const acct = arnAccount(r);
      return acct === '' || acct === principal.accountId;
    });
  }
  return evaluate(request, policies) === 'Allow';
}

export interface ContextInput {
  sourceIp?: string;
  secure?: boolean;
  now?: Date;
  userName?: string;
  userId?: string;
  accountId?: string;
  /** Service-specific keys (ec2:..., s3:...), added as given. */
  extra?: Record<string, string | string[]>;
}

/**
 * The global condition keys of a request: aws:SourceIp, aws:CurrentTime, aws:EpochTime,
 * aws:SecureTransport, aws:username, aws:userid, aws:PrincipalAccount.
 */
export function requestContext(input: ContextInput): Record<string, string | string[]> {
  const now = input.now ?? new Date();
  const ctx: Record<string, string | string[]> = {
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:SecureTransport': input.secure ? 'true' : 'false',
  };
  if (input.sourceIp !== undefined)
    ctx['aws:SourceIp'] = input.sourceIp.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (input.userName !== undefined) ctx['aws:username'] = input.userName;
  if (input.userId !== undefined) ctx['aws:userid'] = input.userId;
  if (input.accountId !== undefined) ctx['aws:PrincipalAccount'] = input.accountId;
  return { ...ctx, ...(input.extra ?? {}) };
}
