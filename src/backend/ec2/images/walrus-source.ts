/**
 * Bundles as image registration reads them from Walrus: at registration, the manifest and every
 * part as the registering caller reads them with a GET (Walrus.readAs: IAM, bucket policy, ACLs);
 * later, when the image is unbundled, as the cloud.
 */
import { ServiceError } from '../../errors';
import type { Caller, S3Gate, Walrus } from '../../s3/walrus';
import { type BundleSource } from './registrar';

/** A manifest is a few KiB per GiB of image; anything far larger is not one. */
const MAX_MANIFEST = 4 * 1024 * 1024;

/** Who reads, and the check their reads pass. */
export interface Reader {
  caller: Caller;
  gate: S3Gate;
}

export function walrusBundleSource(walrus: Walrus): BundleSource {
  /**
   * Checks the caller may read the object. What it cannot read answers the same whether it exists
   * or not (S3's rule: a missing key is NoSuchKey only to those who may list the bucket).
   */
  const check = async (reader: Reader, bucket: string, key: string, what: string) => {
    try {
      await walrus.readAs(reader.caller, { bucket, key }, reader.gate);
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      if (e.code === 'AccessDenied')
        throw new ServiceError('AuthFailure', `Not authorized to read the ${what} ${bucket}/${key}`, 403);
      throw new ServiceError('InvalidManifest', `The ${what} ${bucket}/${key} does not exist in Walrus`);
    }
  };
  return {
    async readManifest(reader: Reader | undefined, bucket: string, key: string): Promise<string> {
      if (reader) await check(reader, bucket, key, 'manifest');
      const head = await walrus.headObject(bucket, key);
      if (!head) throw new ServiceError('InvalidManifest', `The manifest ${bucket}/${key} does not exist in Walrus`);
      if (head.size > MAX_MANIFEST)
        throw new ServiceError('InvalidManifest', `${bucket}/${key} is too large to be a bundle manifest`);
      const chunks: Buffer[] = [];
      for await (const c of await walrus.openObject(bucket, key)) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    async checkPart(reader: Reader, bucket: string, key: string): Promise<void> {
      await check(reader, bucket, key, 'bundle part');
    },
    async openPart(bucket: string, key: string) {
      try {
        return await walrus.openObject(bucket, key);
      } catch (e) {
        if (e instanceof ServiceError)
          throw new Error(`bundle part ${key} cannot be read from Walrus: ${e.message}`, { cause: e });
        throw e;
      }
    },
  };
}
