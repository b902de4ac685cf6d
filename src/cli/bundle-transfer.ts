/**
 * Moving bundles between disk and Walrus: the bucket (created when missing), the parts (in
 * parallel, each retried before giving up) and the manifest, always last on upload and first on
 * download, since it is what names the parts. Used by euca-upload-bundle, euca-download-bundle,
 * euca-delete-bundle and the commands that combine them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseManifest } from '../shared/bundle';
import { CliError } from '../shared/errors';
import { progressBar } from './progress';
import { type S3Client } from './s3';

export const DEFAULT_BUNDLE_ACL = 'aws-exec-read';
const PARALLEL = 4;
const ATTEMPTS = 3;

/** `-b BUCKET[/PREFIX]`: the bucket, and the key prefix (with its trailing slash) if any. */
export function bucketAndPrefix(spec: string): { bucket: string; keyPrefix: string } {
  if (spec.endsWith('/'))
    throw new CliError(
      'InvalidBucketName',
      `bucket "${spec}" ends with "/": give BUCKET or BUCKET/PREFIX without a trailing slash`,
    );
  const slash = spec.indexOf('/');
  const bucket = slash < 0 ? spec : spec.slice(0, slash);
  if (!bucket) throw new CliError('InvalidBucketName', `no bucket name in "${spec}"`);
  return { bucket, keyPrefix: slash < 0 ? '' : spec.slice(slash + 1) + '/' };
}

export async function ensureBucket(s3: S3Client, bucket: string, location?: string): Promise<void> {
  try {
    await s3.createBucket(bucket, { location });
  } catch (e) {
    if (!(e instanceof CliError && e.code === 'BucketAlreadyOwnedByYou')) throw e;
  }
}

async function withRetries<T>(what: string, fn: () => Promise<T>, attempts = ATTEMPTS): Promise<T> {
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      // Errors the service gave for the request itself will not go away by asking again.
      if (e instanceof CliError && e.httpStatus !== undefined && e.httpStatus < 500 && e.httpStatus !== 408) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  const err = last as Error;
  throw err instanceof CliError
    ? new CliError(err.code, `${what}: ${err.message} (after ${attempts} attempts)`, err.httpStatus)
    : err;
}

/** Runs `fn` over `items`, at most `parallel` at a time, in order of start. */
export async function inParallel<T>(items: T[], fn: (item: T) => Promise<void>, parallel = PARALLEL): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}

/**
 * How a bundle's files are uploaded: the canned ACL; --retry (each file tried 6 times, not 3);
 * --max-pending-parts (how many parts may wait to be uploaded); and with --upload-policy, by a
 * POST form the bucket owner's signed policy authorizes instead of the user's own signature.
 */
export interface UploadTuning {
  acl?: string;
  retry?: boolean;
  maxPending?: number;
  policy?: { accessKeyId: string; policy: string; signature: string };
}

/** Uploads one file of a bundle, retried as `tuning` says. */
export type Uploader = (key: string, body: Buffer | string) => Promise<void>;

export function bundleUploader(s3: S3Client, bucket: string, tuning: UploadTuning = {}): Uploader {
  const acl = tuning.acl ?? DEFAULT_BUNDLE_ACL;
  const attempts = tuning.retry ? 6 : ATTEMPTS;
  return (key, body) =>
    withRetries(
      `uploading ${bucket}/${key}`,
      async () => {
        if (tuning.policy) await s3.postObject(bucket, key, body, { ...tuning.policy, acl });
        else await s3.putObject(bucket, key, body, { acl, contentType: 'application/octet-stream' });
      },
      attempts,
    );
}

export function putObject(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Buffer | string,
  acl: string,
): Promise<void> {
  return bundleUploader(s3, bucket, { acl })(key, body);
}

export function getObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  return withRetries(`downloading ${bucket}/${key}`, async () => (await s3.getObjectBuffer(bucket, key)).body);
}

export interface UploadOptions extends UploadTuning {
  bucket: string;
  keyPrefix: string;
  manifestPath: string;
  partsDir?: string;
  location?: string;
  skipManifest?: boolean;
  /** Upload from this part on (parts are numbered from 0), as a resumed upload does. */
  fromPart?: number;
}

/** Uploads a bundle from disk; returns the manifest's key. */
export async function uploadBundle(s3: S3Client, o: UploadOptions): Promise<string> {
  let text: string;
  try {
    text = fs.readFileSync(o.manifestPath, 'utf8');
  } catch (e) {
    throw new CliError('FileNotFound', `cannot read manifest ${o.manifestPath}: ${(e as NodeJS.ErrnoException).code}`);
  }
  const manifest = parseManifest(text);
  const dir = o.partsDir ?? path.dirname(o.manifestPath);
  for (const part of manifest.image.parts) {
    if (!fs.existsSync(path.join(dir, part.filename)))
      throw new CliError('FileNotFound', `part ${part.filename} of the bundle is missing from ${dir}`);
  }
  const parts = manifest.image.parts.slice(o.fromPart ?? 0);
  const upload = bundleUploader(s3, o.bucket, o);
  if (!o.policy) await ensureBucket(s3, o.bucket, o.location);
  const total = parts.reduce((n, p) => n + fs.statSync(path.join(dir, p.filename)).size, 0);
  const progress = progressBar('Uploading', total);
  let sent = 0;
  try {
    await inParallel(parts, async (part) => {
      const data = fs.readFileSync(path.join(dir, part.filename));
      await upload(o.keyPrefix + part.filename, data);
      progress.update((sent += data.length));
    });
  } finally {
    progress.stop();
  }
  const manifestKey = o.keyPrefix + path.basename(o.manifestPath);
  if (!o.skipManifest) await upload(manifestKey, text);
  return manifestKey;
}

/** Reads a bundle's manifest from Walrus, unless its text is given (--local-manifest's). */
export async function fetchManifest(
  s3: S3Client,
  bucket: string,
  key: string,
  local?: string,
): Promise<{ text: string; manifest: ReturnType<typeof parseManifest> }> {
  const text = local ?? (await getObject(s3, bucket, key)).toString('utf8');
  return { text, manifest: parseManifest(text) };
}

export async function downloadBundle(
  s3: S3Client,
  bucket: string,
  manifestKey: string,
  destDir: string,
  local?: string,
): Promise<string> {
  const { text, manifest } = await fetchManifest(s3, bucket, manifestKey, local);
  fs.mkdirSync(destDir, { recursive: true });
  const keyDir = manifestKey.includes('/') ? manifestKey.slice(0, manifestKey.lastIndexOf('/') + 1) : '';
  const progress = progressBar('Downloading', manifest.image.bundledSize);
  let got = 0;
  try {
    await inParallel(manifest.image.parts, async (part) => {
      const data = await getObject(s3, bucket, keyDir + part.filename);
      const file = path.join(destDir, part.filename);
      fs.writeFileSync(`${file}.tmp-${process.pid}`, data);
      fs.renameSync(`${file}.tmp-${process.pid}`, file);
      progress.update((got += data.length));
    });
  } finally {
    progress.stop();
  }
  const manifestPath = path.join(destDir, path.basename(manifestKey));
  fs.writeFileSync(manifestPath, text);
  return manifestPath;
}

export async function deleteBundle(
  s3: S3Client,
  bucket: string,
  manifestKey: string,
  manifestText?: string,
): Promise<void> {
  const manifest = manifestText ? parseManifest(manifestText) : (await fetchManifest(s3, bucket, manifestKey)).manifest;
  const keyDir = manifestKey.includes('/') ? manifestKey.slice(0, manifestKey.lastIndexOf('/') + 1) : '';
  await inParallel(manifest.image.parts, async (part) => {
    await withRetries(`deleting ${bucket}/${keyDir}${part.filename}`, async () => {
      await s3.deleteObject(bucket, keyDir + part.filename);
    });
  });
  await s3.deleteObject(bucket, manifestKey);
}

/**
 * A part sink that uploads as the bundle is made (no parts on disk unless `keepIn` names a folder
 * to keep them in): each part is copied and sent while the next is produced, at most
 * `maxPending` (default PARALLEL) in flight.
 */
export function uploadingSink(upload: Uploader, keyPrefix: string, maxPending = PARALLEL, keepIn?: string) {
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const sink = async (name: string, data: Buffer): Promise<void> => {
    if (failure) throw failure;
    const copy = Buffer.from(data); // the bundler reuses its buffer once this resolves
    if (keepIn) fs.writeFileSync(path.join(keepIn, name), copy);
    const p = upload(keyPrefix + name, copy).catch((e) => {
      failure ??= e;
    });
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= maxPending) await Promise.race(inFlight);
    if (failure) throw failure;
  };
  const finish = async (): Promise<void> => {
    await Promise.all(inFlight);
    if (failure) throw failure;
  };
  return { sink, finish };
}

/**
 * Makes a bundle straight into Walrus: parts as they are made, then the manifest. Returns its key.
 * `target.keepIn` (--preserve-bundle) also writes the bundle's files to that folder.
 */
export async function bundleToWalrus(
  s3: S3Client,
  target: UploadTuning & { bucket: string; keyPrefix: string; location?: string; keepIn?: string },
  bundle: (
    sink: (name: string, data: Buffer) => Promise<void>,
  ) => Promise<{ manifestXml: string; manifest: { image: { name: string } } }>,
  prefix: string,
): Promise<string> {
  if (!target.policy) await ensureBucket(s3, target.bucket, target.location);
  const upload = bundleUploader(s3, target.bucket, target);
  const uploader = uploadingSink(upload, target.keyPrefix, target.maxPending, target.keepIn);
  const result = await bundle(uploader.sink);
  await uploader.finish();
  const name = `${prefix}.manifest.xml`;
  if (target.keepIn) fs.writeFileSync(path.join(target.keepIn, name), result.manifestXml);
  const key = `${target.keyPrefix}${name}`;
  await upload(key, result.manifestXml);
  return key;
}
