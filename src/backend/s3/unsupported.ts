/**
 * What an S3 request may ask for that Walrus does not offer: S3 Bucket Keys (an SSE-KMS feature;
 * there is no KMS here), appends, storage classes other than STANDARD (REDUCED_REDUNDANCY is
 * kept as STANDARD: more durable than asked, never less). A request that asks is refused with
 * S3's 501 NotImplemented, naming the feature, before anything is done: never ignored (a client
 * must not believe its object is somewhere it is not).
 */
import { type AskingMember, firstAsking } from '../asked-features';
import { ServiceError } from '../errors';

const isSet = (v: unknown) => v !== undefined && v !== null && v !== '';
const isTrue = (v: unknown) => v === true || v === 'true';

const ASKS: AskingMember[] = [
  { path: 'BucketKeyEnabled', feature: 'S3 Bucket Keys (for SSE-KMS: no KMS here)', asks: isTrue },
  { path: 'WriteOffsetBytes', feature: 'appends (WriteOffsetBytes)' },
  {
    path: 'StorageClass',
    feature: 'storage classes other than STANDARD',
    asks: (v) => v !== 'STANDARD' && v !== 'REDUCED_REDUNDANCY',
  },
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
