/**
 * Bundles as image registration reads them: from Walrus, the manifest with the caller's read
 * access checked (or as the cloud itself when no caller is given), the parts as the cloud.
 */
import { ServiceError } from '../../errors';
import type { Walrus } from '../../s3/walrus';
import { Principal } from '../../store/types';
import { BundleSource } from './registrar';

/** A manifest is a few KiB per GiB of image; anything far larger is not one. */
const MAX_MANIFEST = 4 * 1024 * 1024;

export function walrusBundleSource(walrus: Walrus): BundleSource {
  return {
    async readManifest(principal: Principal | undefined, bucket: string, key: string): Promise<string> {
      const head = walrus.headObject(bucket, key);
      if (!head) throw new ServiceError('InvalidManifest', `The manifest ${bucket}/${key} does not exist in Walrus`);
      if (principal && !walrus.canRead(principal, bucket, key)) throw new ServiceError('AuthFailure', `Not authorized to read the manifest ${bucket}/${key}`, 403);
      if (head.size > MAX_MANIFEST) throw new ServiceError('InvalidManifest', `${bucket}/${key} is too large to be a bundle manifest`);
      const chunks: Buffer[] = [];
      for await (const c of walrus.openObject(bucket, key)) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    openPart(bucket: string, key: string) {
      try {
        return walrus.openObject(bucket, key);
      } catch (e) {
        if (e instanceof ServiceError) throw new Error(`bundle part ${key} cannot be read from Walrus: ${e.message}`);
        throw e;
      }
    },
  };
}
