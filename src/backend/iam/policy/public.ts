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

/** Whether a bucket policy is public: it allows everyone with nothing that limits who. */
export function isPublicPolicy(doc: PolicyDocument): boolean {
  return doc.statements.some((st) => {
    if (st.effect !== 'Allow') return false;
    const everyone = st.principal?.includes('*') || st.notPrincipal !== undefined;
    if (!everyone) return false;
    const limited = st.conditions.some(
      (c) =>
        LIMITING_KEYS.has(c.key.toLowerCase()) &&
        !c.operator.base.startsWith('StringNot') &&
        c.values.every((v) => !v.includes('*') && v !== '0.0.0.0/0' && v !== '::/0'),
    );
    return !limited;
  });
}
