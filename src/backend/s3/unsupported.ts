/**
 * What an S3 request may ask for that Walrus does not offer (yet): server-side encryption, Object
 * Lock, bucket-owner-enforced ownership, appends. A request that asks is refused with S3's 501
 * NotImplemented, naming the feature, before anything is done: never ignored (a client that set
 * x-amz-server-side-encryption must not believe its data is encrypted when it is not).
 */
import { type AskingMember, firstAsking } from '../asked-features';
import { ServiceError } from '../errors';

const isSet = (v: unknown) => v !== undefined && v !== null && v !== '';
const isTrue = (v: unknown) => v === true || v === 'true';
const SSE = 'server-side encryption';
const SSE_C = 'server-side encryption with customer keys (SSE-C)';
const SSE_KMS = 'server-side encryption with KMS keys (no KMS here)';
const LOCK = 'Object Lock';

const ASKS: AskingMember[] = [
  { path: 'ServerSideEncryption', feature: SSE },
  { path: 'SSECustomerAlgorithm', feature: SSE_C },
  { path: 'SSECustomerKey', feature: SSE_C },
  { path: 'SSECustomerKeyMD5', feature: SSE_C },
  { path: 'CopySourceSSECustomerAlgorithm', feature: SSE_C },
  { path: 'CopySourceSSECustomerKey', feature: SSE_C },
  { path: 'CopySourceSSECustomerKeyMD5', feature: SSE_C },
  { path: 'SSEKMSKeyId', feature: SSE_KMS },
  { path: 'SSEKMSEncryptionContext', feature: SSE_KMS },
  { path: 'BucketKeyEnabled', feature: 'S3 Bucket Keys', asks: isTrue },
  { path: 'ObjectLockMode', feature: LOCK },
  { path: 'ObjectLockRetainUntilDate', feature: LOCK },
  { path: 'ObjectLockLegalHoldStatus', feature: LOCK },
  { path: 'ObjectLockEnabledForBucket', feature: LOCK, asks: isTrue },
  { path: 'BypassGovernanceRetention', feature: LOCK, asks: isTrue },
  { path: 'WriteOffsetBytes', feature: 'appends (WriteOffsetBytes)' },
  // Walrus keeps ACLs: an object's writer owns it (ObjectWriter), S3's former default.
  { path: 'ObjectOwnership', feature: 'Ownership Controls', asks: (v) => v !== 'ObjectWriter' },
];

/** Refuses the operation's input if it asks for a feature Walrus does not offer. */
export function refuseUnsupportedS3(input: Record<string, unknown>): void {
  const asked = firstAsking(input, ASKS, isSet);
  if (!asked) return;
  throw new ServiceError(
    'NotImplemented',
    `A header you provided implies functionality that is not implemented: ${asked.feature} (${asked.path})`,
    501,
  );
}
