/**
 * Registering bundled images. RegisterImage reads the manifest from Walrus (the caller must be
 * allowed to read it), checks it is a bundle manifest, verifies its signature against the signing
 * certificates of the bundling account, and decrypts the bundle key with the cloud's private key;
 * the image is then `pending` while a background job reads every part back from Walrus, checks
 * each part's digest and the image digest, and decrypts the image into the cloud's image cache.
 * It ends `available`, or `failed` with the reason. Jobs left pending by a restart are resumed.
 */
import type { Jobs } from '../../jobs';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Readable } from 'node:stream';
import {
  decryptBundleKeys,
  type Manifest,
  parseManifest,
  unbundle,
  verifyManifestSignature,
} from '../../../shared/bundle';
import { isCloudAdmin } from '../../iam/principals';
import { ServiceError } from '../../errors';
import * as ids from '../../ids';
import { type CloudStore, type Principal } from '../../store/types';
import { type Image, type ImageStore, type ImageType } from './store';
import type { Reader } from './walrus-source';
import { UniqueViolation } from '../../store/sql';

/** Instance-store images are limited to 10 GiB (seed 000). */
export const INSTANCE_STORE_LIMIT = 10 * 1024 ** 3;

/**
 * Where bundles are read from: Walrus. At registration the manifest and every part are read as
 * the caller (who must be allowed to read each, as with a GET); the unbundling job reads them as
 * the cloud (no reader).
 */
export interface BundleSource {
  readManifest(reader: Reader | undefined, bucket: string, key: string): Promise<string>;
  checkPart(reader: Reader, bucket: string, key: string): Promise<void>;
  openPart(bucket: string, key: string): Promise<Readable>;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A part's key: its file name beside the manifest's. */
function partKey(manifestKey: string, name: string): string {
  const dir = path.posix.dirname(manifestKey);
  return dir === '.' ? name : `${dir}/${name}`;
}

export interface RegistrarOptions {
  store: CloudStore;
  images: ImageStore;
  source: BundleSource;
  cloudPrivateKeyPem: string;
  /** Bundles the cloud made itself (euca-bundle-instance) are signed with its own certificate. */
  cloudCertPem: string;
  cacheDir: string;
  /** Claims each unbundling for this front end while it is queued or runs. */
  jobs: Jobs;
  log: (line: string) => void;
}

/** What RegisterImage says of a bundled image; the manifest says the rest. */
export interface RegistrationInput {
  location?: string;
  name?: string;
  description?: string;
  architecture?: string;
  kernelId?: string;
  ramdiskId?: string;
  platform?: string;
  rootDeviceName?: string;
  virtualizationType?: string;
}

const PREFIX: Record<ImageType, string> = { machine: 'emi', kernel: 'eki', ramdisk: 'eri' };

/** Eucalyptus marks kernel and ramdisk bundles with kernel_id or ramdisk_id "true". */
function imageTypeOf(manifest: Manifest): ImageType {
  const mc = manifest.machineConfiguration;
  if (mc.kernelId === 'true' || manifest.image.type === 'kernel') return 'kernel';
  if (mc.ramdiskId === 'true' || manifest.image.type === 'ramdisk') return 'ramdisk';
  return 'machine';
}

function splitLocation(location: string): { bucket: string; key: string } {
  const slash = location.indexOf('/');
  if (slash <= 0 || slash === location.length - 1 || !location.endsWith('.manifest.xml')) {
    throw new ServiceError('InvalidManifest', `ImageLocation must be BUCKET/PREFIX.manifest.xml: ${location}`);
  }
  return { bucket: location.slice(0, slash), key: location.slice(slash + 1) };
}

export class ImageRegistrar {
  private queue: Promise<void> = Promise.resolve();
  private readonly cancelled = new Set<string>();
  /** Images being unbundled again into the cache (cached()), each once at a time. */
  private readonly filling = new Map<string, Promise<boolean>>();

  constructor(private readonly o: RegistrarOptions) {
    fs.mkdirSync(o.cacheDir, { recursive: true, mode: 0o700 });
  }

  /** The cached, decrypted image of an available image. */
  imagePath(id: string): string {
    return path.join(this.o.cacheDir, `${id}.img`);
  }

  /** Registers the bundle at `input.location`, read as `reader` (the principal, with its policies). */
  async register(principal: Principal, input: RegistrationInput, reader: Reader): Promise<string> {
    const p = input;
    const location = p.location ?? '';
    const { bucket, key } = splitLocation(location);
    const text = await this.o.source.readManifest(reader, bucket, key);
    const manifest = this.parse(text, location);
    // The parts are unbundled later, as the cloud: what the caller may not read is refused now.
    for (const part of manifest.image.parts) await this.o.source.checkPart(reader, bucket, partKey(key, part.filename));
    const type = imageTypeOf(manifest);
    if (type !== 'machine' && !isCloudAdmin({ principal })) {
      throw new ServiceError('UnauthorizedOperation', `Only the cloud administrator may register ${type} images`, 403);
    }
    if (type === 'machine' && manifest.image.size > INSTANCE_STORE_LIMIT) {
      throw new ServiceError(
        'InvalidParameterValue',
        `The image is ${manifest.image.size} bytes; instance-store images are limited to 10 GiB`,
      );
    }
    await this.checkSignature(text, manifest, location);
    this.keys(manifest, location);

    const mc = manifest.machineConfiguration;
    // Kernel and ramdisk asked for must exist; those a manifest names are kept only if they do
    // here (a bundle made for EC2 names EC2's aki-/ari-).
    if (type === 'machine') {
      await this.requireImage(p.kernelId, 'kernel');
      await this.requireImage(p.ramdiskId, 'ramdisk');
    }
    const kernelId = p.kernelId ?? (await this.existing(mc.kernelId, 'kernel'));
    const ramdiskId = p.ramdiskId ?? (await this.existing(mc.ramdiskId, 'ramdisk'));
    const name = p.name ?? path.basename(key, '.manifest.xml');
    const image: Image = {
      id: ids.resourceId(PREFIX[type]),
      accountId: principal.account.id,
      type,
      location,
      name,
      description: p.description,
      architecture: p.architecture ?? mc.architecture ?? 'i386',
      kernelId: type === 'machine' ? kernelId : undefined,
      ramdiskId: type === 'machine' ? ramdiskId : undefined,
      platform: p.platform,
      rootDeviceType: 'instance-store',
      rootDeviceName: p.rootDeviceName ?? '/dev/sda1',
      virtualizationType: p.virtualizationType ?? 'paravirtual',
      state: 'pending',
      isPublic: type !== 'machine', // kernels and ramdisks serve every account, as in Eucalyptus
      blockDeviceMappings: [],
      created: new Date().toISOString(),
      size: manifest.image.size,
      manifestSha256: sha256(text),
    };
    try {
      await this.o.images.insert(image);
    } catch (e) {
      if (e instanceof UniqueViolation)
        throw new ServiceError(
          'InvalidAMIName.Duplicate',
          `AMI name ${name} is already in use by ${(await this.o.images.visibleTo(image.accountId)).find((i) => i.name === name && i.accountId === image.accountId)?.id ?? 'another image'}`,
        );
      throw e;
    }
    this.schedule(image.id, bucket, key, image.manifestSha256);
    return image.id;
  }

  /** Resumes the unbundlings a restart (or a front end's death) interrupted: those `mine` picks. */
  async resumePending(mine: (imageId: string) => boolean = () => true): Promise<void> {
    for (const image of await this.o.images.inState('pending')) {
      if (!image.location || !mine(image.id)) continue;
      const { bucket, key } = splitLocation(image.location);
      this.schedule(image.id, bucket, key, image.manifestSha256);
    }
  }

  forget(id: string): void {
    this.cancelled.add(id);
    fs.rmSync(this.imagePath(id), { force: true });
  }

  /** Resolves once every job scheduled so far has ended (for orderly shutdown and tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private parse(text: string, location: string): Manifest {
    try {
      return parseManifest(text);
    } catch (e) {
      throw new ServiceError('InvalidManifest', `${location} is not a bundle manifest: ${(e as Error).message}`);
    }
  }

  private async checkSignature(text: string, manifest: Manifest, location: string): Promise<void> {
    const certs = [...(await this.o.store.accountCertificates(manifest.image.user)), this.o.cloudCertPem];
    if (!certs.some((pem) => verifyManifestSignature(text, pem))) {
      throw new ServiceError(
        'InvalidManifest',
        `The signature of ${location} does not verify against any signing certificate of ` +
          `account ${manifest.image.user}`,
      );
    }
  }

  private keys(manifest: Manifest, location: string): { key: Buffer; iv: Buffer } {
    try {
      return decryptBundleKeys(manifest, this.o.cloudPrivateKeyPem, 'ec2');
    } catch {
      throw new ServiceError(
        'InvalidManifest',
        `${location} was not bundled for this cloud: its key does not decrypt with the cloud's certificate ` +
          `(was another --ec2cert given?)`,
      );
    }
  }

  private async existing(id: string | undefined, type: ImageType): Promise<string | undefined> {
    return id && (await this.o.images.get(id))?.type === type ? id : undefined;
  }

  private async requireImage(id: string | undefined, type: ImageType): Promise<void> {
    if (!id) return;
    const image = await this.o.images.get(id);
    if (!image || image.type !== type)
      throw new ServiceError('InvalidAMIID.NotFound', `The ${type} image id '[${id}]' does not exist`);
  }

  private schedule(id: string, bucket: string, key: string, manifestSha256?: string): void {
    this.queue = this.queue.then(() => this.import(id, bucket, key, manifestSha256));
    this.o.jobs.track(id, this.queue);
  }

  /**
   * An available image's file in this front end's cache: unbundled from its bundle in Walrus
   * again when missing (another front end registered it; the cache was cleared). Undefined when
   * the image has no bundle (EBS) or it cannot be read any more.
   */
  async cached(image: Image): Promise<string | undefined> {
    const out = this.imagePath(image.id);
    if (fs.existsSync(out)) return out;
    if (image.state !== 'available' || !image.location) return undefined;
    let filling = this.filling.get(image.id);
    if (!filling) {
      const { bucket, key } = splitLocation(image.location);
      filling = this.unbundleTo(out, bucket, key, image.manifestSha256).then(
        () => (this.o.log(`image ${image.id}: unbundled again into this front end's cache`), true),
        (e: Error) => (this.o.log(`image ${image.id}: could not be unbundled again: ${e.message}`), false),
      );
      this.filling.set(image.id, filling);
      void filling.finally(() => this.filling.delete(image.id));
    }
    return (await filling) ? out : undefined;
  }

  /** Reads a bundle from Walrus, checks it is the one registered and writes its image to `out`. */
  private async unbundleTo(out: string, bucket: string, key: string, manifestSha256?: string) {
    const text = await this.o.source.readManifest(undefined, bucket, key);
    // The parts read below are those of the manifest the caller was checked against, or none.
    if (manifestSha256 && sha256(text) !== manifestSha256)
      throw new Error(`the manifest ${bucket}/${key} changed after the image was registered`);
    const manifest = parseManifest(text);
    const { key: aesKey, iv } = decryptBundleKeys(manifest, this.o.cloudPrivateKeyPem, 'ec2');
    return unbundle({
      manifest,
      key: aesKey,
      iv,
      readPart: (name: string) => this.o.source.openPart(bucket, partKey(key, name)),
      output: out,
    });
  }

  private async import(id: string, bucket: string, key: string, manifestSha256?: string): Promise<void> {
    if (this.cancelled.has(id)) return;
    const out = this.imagePath(id);
    try {
      const { size } = await this.unbundleTo(out, bucket, key, manifestSha256);
      if (this.cancelled.has(id)) fs.rmSync(out, { force: true });
      else await this.o.images.setState(id, 'available', undefined, size);
      this.o.log(`image ${id} available (${bucket}/${key})`);
    } catch (e) {
      fs.rmSync(out, { force: true });
      if (!this.cancelled.has(id)) await this.o.images.setState(id, 'failed', (e as Error).message);
      this.o.log(`image ${id} failed: ${(e as Error).message}`);
    }
  }
}
