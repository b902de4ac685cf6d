/**
 * IAM policy documents: parsing and validation. A document is JSON with a Version ("2008-10-17"
 * or "2012-10-17"; absent means 2008-10-17), an optional Id and a Statement (one object or an
 * array). Each statement has an Effect (Allow|Deny), exactly one of Action/NotAction, exactly
 * one of Resource/NotResource and an optional Condition block `{ Operator: { key: value | [values]
 * } }`. Identity policies (a user's, a group's) name no Principal; resource policies (a bucket's)
 * name exactly one of Principal/NotPrincipal: `*`, or `{ "AWS": ACCOUNT-ID | ARN | [...] }`.
 * Anything else is refused with MalformedPolicyDocument (400); a document over the size quota with LimitExceeded (409).
 */
import { ServiceError } from '../../errors';

export type Effect = 'Allow' | 'Deny';

/** A condition operator, normalized: its base name, its set qualifier and IfExists. */
export interface ConditionOperator {
  /** The operator as written, e.g. "ForAnyValue:StringLikeIfExists". */
  name: string;
  /** The base operator, canonical case, e.g. "StringLike". */
  base: string;
  set?: 'ForAnyValue' | 'ForAllValues';
  ifExists: boolean;
}

export interface Condition {
  operator: ConditionOperator;
  /** The context key as written (matched case-insensitively). */
  key: string;
  values: string[];
}

export interface Statement {
  sid?: string;
  effect: Effect;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  /** Resource policies: who the statement is about (`*`, account ids, user ARNs). */
  principal?: string[];
  notPrincipal?: string[];
  conditions: Condition[];
}

export interface PolicyDocument {
  version: string;
  id?: string;
  statements: Statement[];
}

export const POLICY_VERSIONS = ['2008-10-17', '2012-10-17'] as const;

/** IAM's quotas on inline policy size (characters, white space not counted). */
export const POLICY_SIZE_LIMITS = { user: 2048, group: 5120, role: 10240, account: 5120 } as const;
export type PolicyOwner = keyof typeof POLICY_SIZE_LIMITS;

/** The base operators, canonical case. */
export const CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnNotEquals',
  'ArnLike',
  'ArnNotLike',
  'Null',
] as const;

const BY_LOWER = new Map<string, string>(CONDITION_OPERATORS.map((o) => [o.toLowerCase(), o]));

const malformed = (why: string) => new ServiceError('MalformedPolicyDocument', why, 400);

/** Parses an operator name ("StringLike", "ForAllValues:StringEqualsIfExists", ...); undefined if unknown. */
export function parseOperator(name: string): ConditionOperator | undefined {
  let rest = name;
  let set: ConditionOperator['set'];
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const q = rest.slice(0, colon).toLowerCase();
    if (q === 'foranyvalue') set = 'ForAnyValue';
    else if (q === 'forallvalues') set = 'ForAllValues';
    else return undefined;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith('ifexists') && rest.length > 8) {
    ifExists = true;
    rest = rest.slice(0, -8);
  }
  const base = BY_LOWER.get(rest.toLowerCase());
  if (!base) return undefined;
  if (base === 'Null' && (ifExists || set)) return undefined;
  return { name, base, set, ifExists };
}

/** Parses an IPv4 or IPv6 address to [bits, family width]; undefined if not an address. */
export function parseIp(text: string): { value: bigint; width: 32 | 128 } | undefined {
  const t = text.trim();
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { value: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n), width: 32 };
  }
  if (!t.includes(':') || !/^[0-9a-fA-F:.]+$/.test(t)) return undefined;
  let head = t;
  const lastColon = t.lastIndexOf(':');
  if (t.slice(lastColon + 1).includes('.')) {
    const v = parseIp(t.slice(lastColon + 1));
    if (!v || v.width !== 32) return undefined;
    head = t.slice(0, lastColon + 1) + (v.value >> 16n).toString(16) + ':' + (v.value & 0xffffn).toString(16);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const group = (s: string) => (s === '' ? [] : s.split(':'));
  const left = group(halves[0]);
  const right = halves.length === 2 ? group(halves[1]) : [];
  const total = left.length + right.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const words: bigint[] = [];
  for (const g of [...left, ...Array(halves.length === 2 ? 8 - total : 0).fill('0'), ...right]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    words.push(BigInt(parseInt(g, 16)));
  }
  return { value: words.reduce((a, w) => (a << 16n) | w, 0n), width: 128 };
}

/** Parses "a.b.c.d/n", "a.b.c.d", or the IPv6 forms; undefined if malformed. */
export function parseCidr(text: string): { value: bigint; width: 32 | 128; prefix: number } | undefined {
  const [addr, bits, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  if (bits === undefined) return { ...ip, prefix: ip.width };
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > ip.width) return undefined;
  return { ...ip, prefix: Number(bits) };
}

/** Parses an IAM date: ISO 8601 (date or date-time) or epoch seconds; NaN if not a date. */
export function parseDate(text: string): number {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return Number(t) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return NaN;
  return Date.parse(t);
}

function stringList(v: unknown, what: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw malformed(`${what} must not be empty`);
  for (const s of list) {
    if (typeof s !== 'string' || s === '')
      throw malformed(`${what} must be a non-empty string or an array of non-empty strings`);
  }
  return list as string[];
}

function validAction(a: string): boolean {
  return a === '*' || /^[A-Za-z0-9_-]+:[A-Za-z0-9*?_-]+$/.test(a);
}

function validResource(r: string): boolean {
  return r === '*' || (r.startsWith('arn:') && r.split(':').length >= 6);
}

function checkConditionValue(op: ConditionOperator, key: string, value: string) {
  const bad = (why: string) => malformed(`Condition ${op.name} on ${key}: ${why}`);
  switch (op.base) {
    case 'NumericEquals':
    case 'NumericNotEquals':
    case 'NumericLessThan':
    case 'NumericLessThanEquals':
    case 'NumericGreaterThan':
    case 'NumericGreaterThanEquals':
      if (value.trim() === '' || !Number.isFinite(Number(value))) throw bad(`"${value}" is not a number`);
      break;
    case 'DateEquals':
    case 'DateNotEquals':
    case 'DateLessThan':
    case 'DateLessThanEquals':
    case 'DateGreaterThan':
    case 'DateGreaterThanEquals':
      if (Number.isNaN(parseDate(value))) throw bad(`"${value}" is not a date (ISO 8601 or epoch seconds)`);
      break;
    case 'Bool':
    case 'Null':
      if (!/^(true|false)$/i.test(value)) throw bad(`"${value}" is not true or false`);
      break;
    case 'IpAddress':
    case 'NotIpAddress':
      if (!parseCidr(value)) throw bad(`"${value}" is not an IP address or CIDR block`);
      break;
  }
}

function parseConditions(block: unknown): Condition[] {
  if (block === undefined) return [];
  if (block === null || typeof block !== 'object' || Array.isArray(block))
    throw malformed('Condition must be an object of operators');
  const out: Condition[] = [];
  for (const [name, keys] of Object.entries(block)) {
    const operator = parseOperator(name);
    if (!operator) throw malformed(`Unknown condition operator: ${name}`);
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys))
      throw malformed(`Condition ${name} must be an object of keys and values`);
    const entries = Object.entries(keys);
    if (entries.length === 0) throw malformed(`Condition ${name} names no key`);
    for (const [key, raw] of entries) {
      if (!/^[A-Za-z0-9_-]+:[^\s]+$/.test(key)) throw malformed(`Invalid condition key: ${key}`);
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0) throw malformed(`Condition ${name} on ${key} has no value`);
      const values = list.map((v) => {
        if (typeof v === 'string') return v;
        if (typeof v === 'number' || typeof v === 'boolean') return String(v);
        throw malformed(`Condition ${name} on ${key}: values must be strings, numbers or booleans`);
      });
      for (const v of values) checkConditionValue(operator, key, v);
      out.push({ operator, key, values });
    }
  }
  return out;
}

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
  'Principal',
  'NotPrincipal',
]);

/** A Principal value as a list: `*`, or the AWS (or CanonicalUser) entries of an object. */
function principalList(v: unknown, n: number): string[] {
  if (v === '*') return ['*'];
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw malformed(`Statement ${n}: Principal must be "*" or an object such as { "AWS": "123456789012" }`);
  const out: string[] = [];
  for (const [kind, ids] of Object.entries(v as Record<string, unknown>)) {
    if (kind === 'Service') {
      // An AWS service (logging.s3.amazonaws.com delivering access logs): named as it is, matching no user.
      for (const id of stringList(ids, 'Principal')) {
        if (!/^[a-z0-9.-]+$/.test(id)) throw malformed(`Statement ${n}: invalid service principal "${id}"`);
        out.push(`service:${id}`);
      }
      continue;
    }
    if (kind !== 'AWS' && kind !== 'CanonicalUser') throw malformed(`Statement ${n}: unknown principal type ${kind}`);
    for (const id of stringList(ids, 'Principal')) {
      if (id !== '*' && !/^\d{12}$/.test(id) && !/^arn:aws:iam::\d{12}:(root|user\/.+)$/.test(id))
        throw malformed(`Statement ${n}: invalid principal "${id}"`);
      out.push(id);
    }
  }
  if (!out.length) throw malformed(`Statement ${n}: Principal names no one`);
  return out;
}

function parseStatement(s: unknown, n: number, resourcePolicy: boolean): Statement {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) throw malformed(`Statement ${n} must be an object`);
  const o = s as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!STATEMENT_KEYS.has(k)) throw malformed(`Statement ${n}: unknown field ${k}`);
  const names = 'Principal' in o || 'NotPrincipal' in o;
  if (!resourcePolicy && names) throw malformed('Policy document should not specify a principal.');
  if (resourcePolicy && 'Principal' in o === 'NotPrincipal' in o)
    throw malformed(`Statement ${n}: exactly one of Principal and NotPrincipal is required`);
  if (o.Sid !== undefined && typeof o.Sid !== 'string') throw malformed(`Statement ${n}: Sid must be a string`);
  if (o.Effect === undefined) throw malformed(`Statement ${n}: missing Effect`);
  if (o.Effect !== 'Allow' && o.Effect !== 'Deny')
    throw malformed(`Statement ${n}: Effect must be Allow or Deny, not ${JSON.stringify(o.Effect)}`);
  const st: Statement = { effect: o.Effect, conditions: [] };
  if (o.Sid !== undefined) st.sid = o.Sid as string;
  if ('Action' in o === 'NotAction' in o)
    throw malformed(`Statement ${n}: exactly one of Action and NotAction is required`);
  if ('Resource' in o === 'NotResource' in o)
    throw malformed(`Statement ${n}: exactly one of Resource and NotResource is required`);
  const actions = stringList(o.Action ?? o.NotAction, 'Action' in o ? 'Action' : 'NotAction');
  for (const a of actions)
    if (!validAction(a))
      throw malformed(`Statement ${n}: invalid action "${a}" (expected service:Action, e.g. ec2:RunInstances)`);
  if ('Action' in o) st.action = actions;
  else st.notAction = actions;
  const resources = stringList(o.Resource ?? o.NotResource, 'Resource' in o ? 'Resource' : 'NotResource');
  for (const r of resources)
    if (!validResource(r)) throw malformed(`Statement ${n}: invalid resource "${r}" (expected * or an ARN)`);
  if ('Resource' in o) st.resource = resources;
  else st.notResource = resources;
  st.conditions = parseConditions(o.Condition);
  if ('Principal' in o) st.principal = principalList(o.Principal, n);
  if ('NotPrincipal' in o) st.notPrincipal = principalList(o.NotPrincipal, n);
  return st;
}

/** The size IAM counts against the quota: characters, white space not counted. */
export function policySize(text: string): number {
  return text.replace(/\s+/g, '').length;
}

export interface ParseOptions {
  /** Whose policy it is, for the size quota (default user). */
  owner?: PolicyOwner;
  /** Overrides the quota. */
  maxSize?: number;
  /** Names the policy owner in the LimitExceeded message. */
  ownerName?: string;
  /** A resource policy (a bucket's): its statements name a Principal. */
  resourcePolicy?: boolean;
}

/** Parses and validates a policy document; throws MalformedPolicyDocument or LimitExceeded. */
export function parsePolicy(text: string, opts: ParseOptions = {}): PolicyDocument {
  const owner = opts.owner ?? 'user';
  const max = opts.maxSize ?? POLICY_SIZE_LIMITS[owner];
  if (typeof text !== 'string' || text.trim() === '') throw malformed('The policy document is empty');
  if (policySize(text) > max) {
    throw new ServiceError(
      'LimitExceeded',
      `Maximum policy size of ${max} bytes exceeded for ${owner}${opts.ownerName ? ' ' + opts.ownerName : ''}`,
      409,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw malformed(`Syntax errors in policy: ${(e as Error).message}`);
  }
  return validatePolicy(doc, opts.resourcePolicy);
}

/** Validates an already parsed JSON value as a policy document. */
export function validatePolicy(doc: unknown, resourcePolicy = false): PolicyDocument {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw malformed('The policy document must be a JSON object');
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!['Version', 'Id', 'Statement'].includes(k)) throw malformed(`Unknown field ${k}`);
  const version = o.Version === undefined ? '2008-10-17' : o.Version;
  if (typeof version !== 'string' || !(POLICY_VERSIONS as readonly string[]).includes(version)) {
    throw malformed(`The policy must contain a valid version string (${POLICY_VERSIONS.join(' or ')})`);
  }
  if (o.Id !== undefined && typeof o.Id !== 'string') throw malformed('Id must be a string');
  if (o.Statement === undefined) throw malformed('Missing required field Statement');
  const list = Array.isArray(o.Statement) ? o.Statement : [o.Statement];
  if (list.length === 0) throw malformed('Statement must not be empty');
  const statements = list.map((s, i) => parseStatement(s, i + 1, resourcePolicy));
  const sids = statements.map((s) => s.sid).filter((s) => s !== undefined);
  if (new Set(sids).size !== sids.length) throw malformed('Statement IDs (SID) in a single policy must be unique');
  const out: PolicyDocument = { version, statements };
  if (o.Id !== undefined) out.id = o.Id as string;
  return out;
}
