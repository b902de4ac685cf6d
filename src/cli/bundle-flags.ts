/**
 * The flags the Walrus bundle commands share: where the bundle lives (-b BUCKET[/PREFIX]), which
 * bundle (-m manifest or -p prefix), and how uploads are stored (--acl, --location).
 */
import { Flags } from '@oclif/core';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bucketAndPrefix, DEFAULT_BUNDLE_ACL, type UploadTuning } from './bundle-transfer';
import { CliError, UsageError } from '../shared/errors';

export const bucketFlag = Flags.string({
  char: 'b',
  required: true,
  summary: 'bucket, optionally with a key prefix, that holds the bundle',
  helpValue: 'BUCKET[/PREFIX]',
});

export const uploadFlags = {
  acl: Flags.string({
    summary: `canned ACL of the uploaded files (default: ${DEFAULT_BUNDLE_ACL})`,
    options: ['private', 'public-read', 'aws-exec-read', 'authenticated-read'],
  }),
  location: Flags.string({ summary: 'location constraint of the bucket, when it is created', helpValue: 'LOCATION' }),
  'upload-policy': Flags.string({
    summary: 'upload policy to use for authorization (the files go up by POST forms it authorizes)',
    helpValue: 'POLICY',
    exclusive: ['upload-policy-file'],
  }),
  'upload-policy-file': Flags.string({
    summary: 'file containing an upload policy to use for authorization',
    helpValue: 'FILE',
  }),
  'upload-policy-signature': Flags.string({
    summary: 'signature for the upload policy (required when an upload policy is used)',
    helpValue: 'SIGNATURE',
  }),
  retry: Flags.boolean({ summary: 'retry failed uploads more (6 attempts per file, not 3)' }),
};

/**
 * euca-bundle-and-upload-image's and euca-install-image's own: the bundle goes up as it is made,
 * with no files on disk unless --preserve-bundle keeps them (in -d DIR, default the temp folder).
 */
export const streamedBundleFlags = {
  'preserve-bundle': Flags.boolean({ summary: "also keep the bundle's files on disk (in -d DIR)" }),
  destination: Flags.string({
    char: 'd',
    summary: "where --preserve-bundle keeps the bundle's files (default: the temp folder)",
    helpValue: 'DIR',
  }),
  'max-pending-parts': Flags.integer({
    summary: 'pause bundling while more than this many parts wait to be uploaded (default: 4)',
    helpValue: 'N',
  }),
};

/** The folder --preserve-bundle keeps the bundle in, made if missing; none without it. */
export function keptBundleFolder(flags: { 'preserve-bundle'?: boolean; destination?: string }): string | undefined {
  if (!flags['preserve-bundle']) return undefined;
  const dir = flags.destination ?? os.tmpdir();
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** How the upload flags say to upload: ACL, retries, and an upload policy when one is given. */
export function uploadTuning(
  flags: { [K in keyof typeof uploadFlags]?: any },
  accessKeyId: string,
  maxPending?: number,
): UploadTuning {
  let policy: string | undefined = flags['upload-policy'];
  if (flags['upload-policy-file'] !== undefined) {
    try {
      policy = fs.readFileSync(flags['upload-policy-file'], 'utf8');
    } catch (e) {
      throw new CliError(
        'FileNotFound',
        `cannot read upload policy ${flags['upload-policy-file']}: ${(e as NodeJS.ErrnoException).code}`,
      );
    }
  }
  if (policy !== undefined && !flags['upload-policy-signature'])
    throw new UsageError('--upload-policy-signature is required when using an upload policy');
  if (maxPending !== undefined && maxPending < 1)
    throw new UsageError('argument --max-pending-parts: must be at least 1');
  return {
    acl: flags.acl,
    retry: flags.retry,
    maxPending,
    policy:
      policy === undefined
        ? undefined
        : {
            accessKeyId,
            policy: Buffer.from(policy).toString('base64'),
            signature: flags['upload-policy-signature'],
          },
  };
}

/**
 * Which bundle: -m names its manifest (a file name, or a local copy), -p its prefix, and
 * --local-manifest a manifest on disk to use instead of the server's.
 */
export const bundleNameFlags = {
  manifest: Flags.string({
    char: 'm',
    summary: "the bundle's manifest (its file name, or a local copy of it)",
    helpValue: 'MANIFEST',
    exclusive: ['prefix', 'local-manifest'],
  }),
  prefix: Flags.string({
    char: 'p',
    summary: "the bundle's prefix (its manifest is PREFIX.manifest.xml)",
    helpValue: 'PREFIX',
    exclusive: ['local-manifest'],
  }),
  'local-manifest': Flags.string({
    summary: 'use a manifest on disk and ignore any that appear on the server',
    helpValue: 'FILE',
  }),
};

/** The text of --local-manifest's file, when one was given. */
export function localManifest(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError('FileNotFound', `cannot read manifest ${file}: ${(e as NodeJS.ErrnoException).code}`);
  }
}

/** The bucket, and the key of the manifest named by -m (a file name or path) or -p (a prefix). */
export function manifestKey(
  bucketSpec: string,
  manifest: string | undefined,
  prefix: string | undefined,
): { bucket: string; keyPrefix: string; key: string } {
  const { bucket, keyPrefix } = bucketAndPrefix(bucketSpec);
  if (!manifest && !prefix)
    throw new UsageError('one of the arguments -m/--manifest -p/--prefix --local-manifest is required');
  const name = manifest ? path.basename(manifest) : `${prefix}.manifest.xml`;
  if (!name.endsWith('.manifest.xml'))
    throw new CliError('InvalidParameterValue', `${name} is not a manifest file name (*.manifest.xml)`);
  return { bucket, keyPrefix, key: keyPrefix + name };
}
