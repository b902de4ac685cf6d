/**
 * The flags the Walrus bundle commands share: where the bundle lives (-b BUCKET[/PREFIX]), which
 * bundle (-m manifest or -p prefix), and how uploads are stored (--acl, --location).
 */
import { Flags } from '@oclif/core';
import * as path from 'node:path';
import { bucketAndPrefix, DEFAULT_BUNDLE_ACL } from './bundle-transfer';
import { CliError } from '../shared/errors';

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
};

/** Which bundle: -m names its manifest (a file name, or a local copy), -p its prefix. */
export const bundleNameFlags = {
  manifest: Flags.string({
    char: 'm',
    summary: "the bundle's manifest (its file name, or a local copy of it)",
    helpValue: 'MANIFEST',
    exclusive: ['prefix'],
  }),
  prefix: Flags.string({
    char: 'p',
    summary: "the bundle's prefix (its manifest is PREFIX.manifest.xml)",
    helpValue: 'PREFIX',
  }),
};

/** The bucket, and the key of the manifest named by -m (a file name or path) or -p (a prefix). */
export function manifestKey(
  bucketSpec: string,
  manifest: string | undefined,
  prefix: string | undefined,
): { bucket: string; keyPrefix: string; key: string } {
  const { bucket, keyPrefix } = bucketAndPrefix(bucketSpec);
  if (!manifest && !prefix) throw new CliError('MissingParameter', 'name the bundle with -m MANIFEST or -p PREFIX');
  const name = manifest ? path.basename(manifest) : `${prefix}.manifest.xml`;
  if (!name.endsWith('.manifest.xml'))
    throw new CliError('InvalidParameterValue', `${name} is not a manifest file name (*.manifest.xml)`);
  return { bucket, keyPrefix, key: keyPrefix + name };
}
