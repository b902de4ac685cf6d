/**
 * Making a bundle, in one streaming pass that never holds the image in memory:
 *   image file → tar (one member, the file's basename) → SHA1 of the tar stream → parallel gzip
 *   → AES-128-CBC (random key and IV, PKCS#7 padding) → 10 MiB parts, each with its SHA1
 * then the signed manifest. Parts go to a folder (written as they fill; all taken back if the
 * bundle fails) or to a caller's callback. What is written is what `tar | sha1sum | pigz |
 * openssl enc -aes-128-cbc | split -b 10M` writes, so any EC2 tool can open it.
 */
import { createCipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tarStream from 'tar-stream';
import { CliError } from '../errors';
import { writeFileAtomic } from '../files';
import { packageVersion } from '../package-root';
import { type BundleKeys, generateBundleKeys, wrapKey } from './keys';
import {
  CIPHER_ALGORITHM,
  DIGEST_ALGORITHM,
  type ImageType,
  type Manifest,
  MANIFEST_VERSION,
  serializeManifest,
} from './manifest';
import { checkImageFile, folderSink } from './folder';
import { type BundlePart, PART_SIZE, type PartSink, PartSplitter } from './parts';
import { ParallelGzip } from './pgzip';

/** What a machine image's instances get unless -B says otherwise (EC2's instance-store layout). */
export const DEFAULT_BLOCK_DEVICE_MAPPINGS: Readonly<Record<string, string>> = {
  ami: 'sda1',
  root: '/dev/sda1',
  ephemeral0: 'sda2',
  swap: 'sda3',
};

const READ_CHUNK = 1 << 20;

export interface BundleImageOptions {
  /** The image file. */
  image: string;
  /** Names the parts and manifest; defaults to the image's basename. */
  prefix?: string;
  /** A folder for the parts and the manifest ... */
  destination?: string;
  /** ... or a callback taking each part in turn (then no file is written). */
  onPart?: PartSink;
  architecture: string;
  imageType: ImageType;
  kernelId?: string;
  ramdiskId?: string;
  /** Added to (and overriding) the default mappings of a machine image. */
  blockDeviceMappings?: Record<string, string>;
  productCodes?: string[];
  accountId: string;
  userCertPem: string;
  userPrivateKeyPem: string;
  /** The certificate of the cloud the bundle is for (Eucalyptus' cloud-cert.pem, EC2's cert-ec2.pem). */
  cloudCertPem: string;
  /** Called with the bytes of the image read so far. */
  onProgress?: (bytes: number) => void;
  /** Called as each part is finished (after the sink took it). */
  onPartDone?: (part: BundlePart) => void;
  /** Stops the bundle (Ctrl-C): what was written is taken back. */
  signal?: AbortSignal;
  /** For tests: fixed key and IV, a smaller part size. */
  keys?: BundleKeys;
  partSize?: number;
}

export interface BundleResult {
  manifest: Manifest;
  manifestXml: string;
  /** Where the manifest was written, when a destination was given. */
  manifestPath?: string;
  parts: BundlePart[];
}

/** Hashes and counts what passes through. */
class DigestTap extends Transform {
  readonly hash = createHash('sha1');
  bytes = 0;
  constructor(private readonly onBytes?: (n: number) => void) {
    super({ highWaterMark: 1 << 20 });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    done(null, chunk);
  }
}

/** The tar stream of one file, fed from disk with backpressure; torn down with the pack. */
function tarOf(file: string, name: string, st: fs.Stats): AsyncIterable<Buffer> {
  const pack = tarStream.pack();
  // The entry is a streamx Writable; this is all of it that is used.
  const entry = pack.entry({
    name,
    size: st.size,
    mode: 0o644,
    mtime: st.mtime,
    uid: 0,
    gid: 0,
    type: 'file',
  }) as unknown as {
    write(chunk: Buffer): boolean;
    end(): void;
    once(event: 'drain', f: () => void): void;
    on(event: 'error', f: () => void): void;
  };
  const input = fs.createReadStream(file, { highWaterMark: READ_CHUNK });
  entry.on('error', () => undefined); // an entry's error is the pack's, reported there
  pack.on('close', () => input.destroy());
  input.on('error', (e: NodeJS.ErrnoException) =>
    pack.destroy(new CliError('InvalidParameterValue', `cannot read the image file ${file}: ${e.code ?? e.message}`)),
  );
  input.on('data', (chunk) => {
    if (!entry.write(chunk as Buffer)) {
      input.pause();
      entry.once('drain', () => input.resume());
    }
  });
  input.on('end', () => {
    entry.end();
    pack.finalize();
  });
  return pack as unknown as AsyncIterable<Buffer>;
}

/** The manifest's machine_configuration for a bundle of this type, with these options. */
export function bundleMachineConfiguration(opts: BundleImageOptions): Manifest['machineConfiguration'] {
  const machine = opts.imageType === 'machine';
  return {
    architecture: opts.architecture,
    blockDeviceMappings: machine ? { ...DEFAULT_BLOCK_DEVICE_MAPPINGS, ...opts.blockDeviceMappings } : {},
    productCodes: machine ? (opts.productCodes ?? []) : [],
    // Eucalyptus marks kernel and ramdisk bundles with kernel_id / ramdisk_id "true".
    kernelId: opts.imageType === 'kernel' ? 'true' : machine ? opts.kernelId : undefined,
    ramdiskId: opts.imageType === 'ramdisk' ? 'true' : machine ? opts.ramdiskId : undefined,
  };
}

/** Bundles an image: parts to a folder or a callback, and the signed manifest. */
export async function bundleImage(opts: BundleImageOptions): Promise<BundleResult> {
  if (!opts.destination === !opts.onPart)
    throw new Error('bundleImage needs a destination or an onPart callback, not both');
  checkImageFile(opts.image, opts.imageType);
  const st = fs.statSync(opts.image);
  const name = path.basename(opts.image);
  const prefix = opts.prefix ?? name;
  const keys = opts.keys ?? generateBundleKeys();
  const folder = opts.destination ? folderSink(opts.destination) : undefined;
  const sink: PartSink = folder?.sink ?? opts.onPart!;

  const tap = new DigestTap((n) => opts.onProgress?.(Math.min(n, st.size)));
  let index = 0;
  const splitter = new PartSplitter(
    prefix,
    async (partFile, data, sha1) => {
      await sink(partFile, data, sha1);
      opts.onPartDone?.({ index: index++, filename: partFile, sha1, size: data.length });
    },
    opts.partSize ?? PART_SIZE,
  );
  try {
    await pipeline(
      tarOf(opts.image, name, st),
      tap,
      new ParallelGzip(),
      createCipheriv('aes-128-cbc', keys.key, keys.iv),
      splitter,
      {
        signal: opts.signal,
      },
    );

    const manifest: Manifest = {
      version: MANIFEST_VERSION,
      bundler: { name: 'euca2ools', version: packageVersion(), release: '0' },
      machineConfiguration: bundleMachineConfiguration(opts),
      image: {
        name,
        user: opts.accountId,
        type: opts.imageType,
        digest: tap.hash.digest('hex'),
        digestAlgorithm: DIGEST_ALGORITHM,
        size: st.size,
        bundledSize: splitter.bytes,
        cipherAlgorithm: CIPHER_ALGORITHM,
        ec2EncryptedKey: wrapKey(keys.key, opts.cloudCertPem),
        userEncryptedKey: wrapKey(keys.key, opts.userCertPem),
        ec2EncryptedIv: wrapKey(keys.iv, opts.cloudCertPem),
        userEncryptedIv: wrapKey(keys.iv, opts.userCertPem),
        parts: splitter.parts.map((p) => ({ index: p.index, filename: p.filename, digest: p.sha1 })),
      },
    };
    const manifestXml = serializeManifest(manifest, opts.userPrivateKeyPem);
    let manifestPath: string | undefined;
    if (opts.destination) {
      manifestPath = path.join(opts.destination, `${prefix}.manifest.xml`);
      writeFileAtomic(manifestPath, manifestXml);
    }
    return { manifest, manifestXml, manifestPath, parts: splitter.parts };
  } catch (e) {
    await folder?.removeAll();
    // tar-stream's word for an image that grew or shrank while it was read
    if ((e as Error).message === 'Size mismatch')
      throw new CliError('InvalidParameterValue', `the image changed size while it was being bundled: ${opts.image}`);
    throw e;
  }
}
