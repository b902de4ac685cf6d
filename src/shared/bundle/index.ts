/**
 * The EC2 AMI bundle format (manifest version 2007-10-10): making bundles, reading their
 * manifests, opening them. What commands and the cloud import.
 */
export { bundleImage, DEFAULT_BLOCK_DEVICE_MAPPINGS } from './pipeline';
export {
  checkImageFile,
  ensureFolder,
  folderPartReader,
  folderSink,
  IMAGE_SIZE_LIMIT,
  imageOutputPath,
  readManifestFile,
} from './folder';
export type { BundleImageOptions, BundleResult } from './pipeline';
export { parseManifest, serializeManifest, signedText, verifyManifestSignature, MANIFEST_VERSION } from './manifest';
export type { ImageType, Manifest, ManifestPart } from './manifest';
export { decryptBundleKeys, generateBundleKeys, unwrapKey, wrapKey } from './keys';
export type { BundleKeys } from './keys';
export { unbundle } from './unbundle';
export type { UnbundleOptions, UnbundleResult } from './unbundle';
export { PART_SIZE, partName } from './parts';
export type { BundlePart, PartSink } from './parts';
export { ParallelGzip, parallelGzip } from './pgzip';
