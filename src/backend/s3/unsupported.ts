/**
 * What an S3 request may ask for that Walrus does not offer (yet): server-side encryption, Object
 * Lock, bucket-owner-enforced ownership, appends. A request that asks is refused with S3's 501
 * NotImplemented, naming the feature, before anything is done: never ignored (a client that set
 * x-amz-server-side-encryption must not believe its data is encrypted when it is not).
 */
import { ServiceError } from '../errors';

interface Asks {
  member: string;
  feature: string;
  asks?: (value: unknown) => boolean;
}

const isTrue = (v: unknown) => v === true || v === 'true';
const SSE = 'server-side encryption';
const SSE_C = 'server-side encryption with customer keys (SSE-C)';
const SSE_KMS = 'server-side encryption with KMS keys (no KMS here)';
const LOCK = 'Object Lock';

const ASKS: Asks[] = [
  { member: 'ServerSideEncryption', feature: SSE },
  { member: 'SSECustomerAlgorithm', feature: SSE_C },
  { member: 'SSECustomerKey', feature: SSE_C },
  { member: 'SSECustomerKeyMD5', feature: SSE_C },
  { member: 'CopySourceSSECustomerAlgorithm', feature: SSE_C },
  { member: 'CopySourceSSECustomerKey', feature: SSE_C },
  { member: 'CopySourceSSECustomerKeyMD5', feature: SSE_C },
  { member: 'SSEKMSKeyId', feature: SSE_KMS },
  { member: 'SSEKMSEncryptionContext', feature: SSE_KMS },
  { member: 'BucketKeyEnabled', feature: 'S3 Bucket Keys', asks: isTrue },
  { member: 'ObjectLockMode', feature: LOCK },
  { member: 'ObjectLockRetainUntilDate', feature: LOCK },
  { member: 'ObjectLockLegalHoldStatus', feature: LOCK },
  { member: 'ObjectLockEnabledForBucket', feature: LOCK, asks: isTrue },
  { member: 'BypassGovernanceRetention', feature: LOCK, asks: isTrue },
  { member: 'WriteOffsetBytes', feature: 'appends (WriteOffsetBytes)' },
  // Walrus keeps ACLs: an object's writer owns it (ObjectWriter), S3's former default.
  { member: 'ObjectOwnership', feature: 'Ownership Controls', asks: (v) => v !== 'ObjectWriter' },
];

/** Refuses the operation's input if it asks for a feature Walrus does not offer. */
export function refuseUnsupportedS3(input: Record<string, unknown>): void {
  for (const a of ASKS) {
    const v = input[a.member];
    if (v === undefined || v === null || v === '') continue;
    if (a.asks && !a.asks(v)) continue;
    throw new ServiceError(
      'NotImplemented',
      `A header you provided implies functionality that is not implemented: ${a.feature} (${a.member})`,
      501,
    );
  }
}
