/**
 * Whether a bucket policy is public, as S3 reads it (GetBucketPolicyStatus, Block Public Access):
 * it allows everyone ("*") with no condition that pins the callers to fixed values.
 */
import { type PolicyDocument } from './document';

/**
 * Condition keys that pin a statement to known callers, as S3 reads a policy's publicness: a
 * statement for everyone ("*") is not public when one of them limits it to fixed values.
 */
const LIMITING_KEYS = new Set(
  [
    'aws:SourceIp',
    'aws:SourceArn',
    'aws:SourceAccount',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceOwner',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:userid',
    's3:DataAccessPointArn',
    's3:DataAccessPointAccount',
  ].map((k) => k.toLowerCase()),
);

/** Operators that hold only for the values they list (no negation, no IfExists, no Null). */
const PINNING = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike', 'IpAddress']);

/**
 * Whether a condition pins who may ask to fixed values: a pinning operator on a key of those
 * above, not over a set that holds vacuously (ForAllValues), every value without wildcards, and
 * an address range no wider than an IPv4 /8 or an IPv6 /32.
 */
function pins(c: PolicyDocument['statements'][number]['conditions'][number]): boolean {
  if (!LIMITING_KEYS.has(c.key.toLowerCase()) || !PINNING.has(c.operator.base)) return false;
  if (c.operator.ifExists || c.operator.set === 'ForAllValues') return false;
  return c.values.every((v) => {
    if (/[*?]/.test(v)) return false;
    if (c.operator.base !== 'IpAddress') return true;
    const [addr, bits] = v.split('/');
    const prefix = bits === undefined ? (addr.includes(':') ? 128 : 32) : Number(bits);
    return addr.includes(':') ? prefix >= 32 : prefix >= 8;
  });
}

/** Whether a bucket policy is public: it allows everyone with nothing that pins who. */
export function isPublicPolicy(doc: PolicyDocument): boolean {
  return doc.statements.some((st) => {
    if (st.effect !== 'Allow') return false;
    const everyone = st.principal?.includes('*') || st.notPrincipal !== undefined;
    return everyone && !st.conditions.some(pins);
  });
}
