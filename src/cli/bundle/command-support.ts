/**
 * What the bundle commands share: the flags that describe a bundle (euca-bundle-image and
 * euca-bundle-and-upload-image take the same), turning them into bundleImage's options, opening a
 * bundle for unbundling, and the lines and progress bar a command shows while the work runs
 * (euca2ools' lines on stdout, the bar on stderr when it is a terminal; Ctrl-C stops the work
 * and takes back what it wrote).
 */
import * as fs from 'node:fs';
import { Flags } from '@oclif/core';
import { connectionFlags } from '../command';
import { CliError, UsageError } from '../../shared/errors';
import { type Progress, progressBar, progressFlags } from '../progress';
import { bootstrapFlags, refuseBootstrap } from './bootstrap';
import { resolveBundleIdentity, loadSigningFiles } from './credentials';
import { readManifestFile } from '../../shared/bundle/folder';
import { type BundleKeys, decryptBundleKeys, readPrivateKey } from '../../shared/bundle/keys';
import {
  type ImageType,
  type Manifest,
  parseManifest,
  verifyManifestSignatureWith,
} from '../../shared/bundle/manifest';
import type { BundleImageOptions } from '../../shared/bundle/pipeline';
import type { BundlePart } from '../../shared/bundle/parts';
import type { UnbundleOptions } from '../../shared/bundle/unbundle';

export const bundleFlags = {
  image: Flags.string({ char: 'i', required: true, summary: 'the image file to bundle', helpValue: 'FILE' }),
  prefix: Flags.string({
    char: 'p',
    summary: "file name prefix of the bundle's files (default: the image's file name)",
  }),
  arch: Flags.string({
    char: 'r',
    summary: "the image's architecture (default: x86_64)",
    options: ['i386', 'x86_64', 'armhf'],
    default: 'x86_64',
  }),
  kernel: Flags.string({
    summary: 'kernel to associate with this machine image, or "true" to bundle a kernel',
    helpValue: 'eki-XXXXXXXX|true',
  }),
  ramdisk: Flags.string({
    summary: 'ramdisk to associate with this machine image, or "true" to bundle a ramdisk',
    helpValue: 'eri-XXXXXXXX|true',
  }),
  cert: Flags.string({ char: 'c', summary: 'your X.509 certificate (default: EC2_CERT)', helpValue: 'FILE' }),
  privatekey: Flags.string({
    char: 'k',
    summary: 'your private key, to sign the manifest (default: EC2_PRIVATE_KEY)',
    helpValue: 'FILE',
  }),
  user: Flags.string({ char: 'u', summary: 'your account id (default: EC2_USER_ID)', helpValue: 'ACCOUNT' }),
  ec2cert: Flags.string({
    summary: "the cloud's X.509 certificate (default: EUCALYPTUS_CERT); EC2's cert-ec2.pem to bundle for Amazon EC2",
    helpValue: 'FILE',
  }),
  'block-device-mappings': Flags.string({
    char: 'B',
    aliases: ['block-device-mapping'],
    summary: 'block device mappings of the machine image, added to ami=sda1,root=/dev/sda1,ephemeral0=sda2,swap=sda3',
    helpValue: 'VIRTUAL1=DEVICE1,VIRTUAL2=DEVICE2,...',
  }),
  productcodes: Flags.string({
    aliases: ['product-codes'],
    summary: 'product codes of the image, comma-separated',
    helpValue: 'CODE1,CODE2,...',
  }),
  'image-type': Flags.string({
    summary: 'the type of image being bundled (default: machine; --kernel true and --ramdisk true say the same)',
    options: ['machine', 'kernel', 'ramdisk'],
  }),
  'image-size': Flags.string({
    summary: "the image's size in bytes (checked against the file)",
    helpValue: 'BYTES',
  }),
  'part-size': Flags.integer({
    summary: 'the size of each bundle part, in bytes (default: 10 MiB)',
    helpValue: 'BYTES',
    min: 1024,
  }),
  'enc-key': Flags.string({
    summary: 'the AES key to encrypt the bundle with, in hex (default: random)',
    helpValue: 'HEX',
  }),
  'enc-iv': Flags.string({
    summary: 'the AES IV to encrypt the bundle with, in hex (default: random)',
    helpValue: 'HEX',
  }),
  ...bootstrapFlags,
  ...progressFlags,
  batch: Flags.boolean({ hidden: true, summary: 'no effect; for compatibility' }),
  region: connectionFlags.region,
  debug: connectionFlags.debug,
};

type BundleFlagValues = { [K in keyof typeof bundleFlags]?: any };

function parseMappings(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([^=\s]+)\s*=\s*(\S+)$/.exec(item);
    if (!m) throw new UsageError(`invalid block device mapping '${item}' (must have the form VIRTUAL=DEVICE)`);
    out[m[1]] = m[2];
  }
  return out;
}

function imageTypeOf(flags: BundleFlagValues): ImageType {
  const kernel = flags.kernel === 'true' || flags['image-type'] === 'kernel';
  const ramdisk = flags.ramdisk === 'true' || flags['image-type'] === 'ramdisk';
  if (
    flags['image-type'] &&
    ((kernel && flags['image-type'] !== 'kernel') || (ramdisk && flags['image-type'] !== 'ramdisk'))
  )
    throw new UsageError(`--image-type ${flags['image-type']} contradicts --kernel true or --ramdisk true`);
  if (flags['image-type'] === 'kernel' && flags.kernel && flags.kernel !== 'true')
    throw new UsageError('--kernel names a kernel for machine images; a kernel image has none');
  if (flags['image-type'] === 'ramdisk' && flags.ramdisk && flags.ramdisk !== 'true')
    throw new UsageError('--ramdisk names a ramdisk for machine images; a ramdisk image has none');
  if (kernel && flags.ramdisk)
    throw new UsageError('--ramdisk is not compatible with bundling a kernel (--kernel true)');
  if (ramdisk && flags.kernel)
    throw new UsageError('--kernel is not compatible with bundling a ramdisk (--ramdisk true)');
  if ((kernel || ramdisk) && flags['block-device-mappings'])
    throw new UsageError('-B/--block-device-mappings applies to machine images only');
  return kernel ? 'kernel' : ramdisk ? 'ramdisk' : 'machine';
}

/** bundleImage's options from the command's flags, with the certificates and key read and checked. */
export async function bundleOptions(
  flags: BundleFlagValues,
  commandName: string,
): Promise<Omit<BundleImageOptions, 'destination' | 'onPart'>> {
  // The arguments first: nothing is read or asked for until they are right.
  const imageType = imageTypeOf(flags);
  const blockDeviceMappings = parseMappings(flags['block-device-mappings']);
  const keys = encryptionKeys(flags['enc-key'], flags['enc-iv']);
  refuseBootstrap(flags);
  checkImageSize(flags.image, parseSize('--image-size', flags['image-size']));
  const id = await resolveBundleIdentity(
    { certificate: flags.cert, privateKey: flags.privatekey, cloudCertificate: flags.ec2cert, accountId: flags.user },
    ['certificate', 'privateKey', 'cloudCertificate', 'accountId'],
    { commandName, region: flags.region },
  );
  return {
    image: flags.image,
    prefix: flags.prefix,
    architecture: flags.arch ?? 'x86_64',
    imageType,
    partSize: flags['part-size'],
    ...(keys ? { keys } : {}),
    kernelId: imageType === 'machine' ? flags.kernel : undefined,
    ramdiskId: imageType === 'machine' ? flags.ramdisk : undefined,
    blockDeviceMappings,
    productCodes: (flags.productcodes ?? '')
      .split(',')
      .map((s: string) => s.trim())
      .filter(Boolean),
    ...loadSigningFiles(id),
  };
}

/** --enc-key and --enc-iv: both or neither, each 16 bytes in hex (AES-128-CBC, as bundles use). */
function encryptionKeys(key: string | undefined, iv: string | undefined): BundleKeys | undefined {
  if (key === undefined && iv === undefined) return undefined;
  if (key === undefined || iv === undefined) throw new UsageError('--enc-key and --enc-iv go together');
  const hex = (name: string, v: string) => {
    if (!/^[0-9a-fA-F]{32}$/.test(v)) throw new UsageError(`argument ${name}: must be 32 hex digits (16 bytes)`);
    return Buffer.from(v, 'hex');
  };
  return { key: hex('--enc-key', key), iv: hex('--enc-iv', iv) };
}

/** --image-size, when given, must be the image file's size: never trusted over the file itself. */
function checkImageSize(image: string, expected: number | undefined): void {
  if (expected === undefined) return;
  let actual: number;
  try {
    actual = fs.statSync(image).size;
  } catch {
    return; // the image's own check says what is wrong with it
  }
  if (actual !== expected)
    throw new CliError('InvalidParameterValue', `--image-size says ${expected} bytes, but ${image} holds ${actual}`);
}

/** A byte count as euca2ools' filesize reads it: digits, optionally with a K, M, G or T suffix (powers of 1024). */
export function parseSize(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)([KMGT]?)i?B?$/i.exec(text.trim());
  if (!m) throw new UsageError(`argument ${name}: "${text}" is not a size (bytes, or a number with K, M, G or T)`);
  return Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] || ' ').toUpperCase());
}

/** A manifest read, parsed, and its key and IV unwrapped with the user's (or the cloud's) key. */
export async function openBundle(
  manifestFile: string,
  privateKeyFile: string | undefined,
  ctx: { commandName: string; region?: string },
): Promise<{ manifest: Manifest } & BundleKeys> {
  const text = readManifestFile(manifestFile);
  const manifest = parseManifest(text);
  if (!manifest.signature)
    throw new CliError(
      'InvalidManifest',
      `${manifestFile} is not signed: a bundle's manifest carries the signature of whoever bundled it`,
    );
  const id = await resolveBundleIdentity({ privateKey: privateKeyFile }, ['privateKey'], ctx);
  const privateKeyPem = readPrivateKey(id.privateKey!);
  let keys: BundleKeys;
  try {
    keys = decryptBundleKeys(manifest, privateKeyPem, 'user');
  } catch (e) {
    // The cloud's key opens any bundle; the cloud checks the signature when the image is registered.
    try {
      return { manifest, ...decryptBundleKeys(manifest, privateKeyPem, 'ec2') };
    } catch {
      throw e;
    }
  }
  // The bundler's own key: the signature must be its.
  if (!verifyManifestSignatureWith(text, privateKeyPem))
    throw new CliError(
      'InvalidSignature',
      `the signature of ${manifestFile} does not match: the manifest was changed after it was signed`,
    );
  return { manifest, ...keys };
}

/** Runs work with a progress bar over `total` bytes; Ctrl-C aborts it through the signal. */
async function withProgress<T>(
  label: string,
  total: number,
  lines: string[],
  work: (progress: Progress, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  for (const l of lines) process.stdout.write(l + '\n');
  const progress = progressBar(label, total);
  const stop = new AbortController();
  const interrupt = () => stop.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    return await work(progress, stop.signal);
  } catch (e) {
    if (stop.signal.aborted)
      throw new CliError('Interrupted', `${label.toLowerCase()} was interrupted; nothing it wrote was kept`);
    throw e;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    progress.stop();
  }
}

/** euca-bundle-image's lines (as euca2ools prints them) and bar, around a bundleImage call. */
export function withBundleStatus<T>(
  imageSize: number,
  work: (hooks: Pick<BundleImageOptions, 'onProgress' | 'onPartDone' | 'signal'>) => Promise<T>,
): Promise<T> {
  return withProgress(
    'Bundling image',
    imageSize,
    ['Checking image', 'Encrypting image', 'Splitting image...'],
    (progress, signal) =>
      work({
        onProgress: (n) => progress.update(n),
        onPartDone: (p: BundlePart) => progress.log(`Part: ${p.filename}`),
        signal,
      }),
  );
}

/** euca-unbundle's lines and bar, around an unbundle call. */
export function withUnbundleStatus<T>(
  bundledSize: number,
  work: (hooks: Pick<UnbundleOptions, 'onProgress' | 'onPartDone' | 'signal'>) => Promise<T>,
): Promise<T> {
  return withProgress('Unbundling image', bundledSize, [], (progress, signal) =>
    work({ onProgress: (n) => progress.update(n), onPartDone: (name) => progress.log(`Part: ${name}`), signal }),
  );
}
