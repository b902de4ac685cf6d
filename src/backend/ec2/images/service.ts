/**
 * Images: registration (a bundle in Walrus, checked and unbundled by the registrar, or an
 * EBS-backed image from snapshots), deregistration, describe with owners, executable-by, ids and
 * filters, the attributes (launch permission, description, kernel, ramdisk, product codes, block
 * device mapping), and CreateImage from an EBS-backed instance. Which images a principal may see
 * is one rule (visibility.ts), used here and by RunInstances.
 */
import { invalidParameter, missingParameter, ServiceError } from '../../errors';
import * as ids from '../../ids';
import { isCloudAdmin } from '../../iam/principals';
import { applyFilters, type Filter, matchingNothing } from '../../query-params';
import type { Origin } from '../../iam/enforce';
import type { Principal } from '../../store/types';
import type { InstanceStore } from '../instances/store';
import { tagFilterFields } from '../tags/filters';
import type { Tag, TagStore } from '../tags/store';
import type { VolumeService } from '../volumes/service';
import type { SnapshotService } from '../volumes/snapshots';
import type { ImageRegistrar, RegistrationInput } from './registrar';
import type { BlockDeviceMapping, Image, ImageStore } from './store';
import { imageVisible } from './visibility';
import type { Reader } from './walrus-source';
import { UniqueViolation } from '../../store/sql';

const ID = ids.idPattern('e[mkr]i');

/** The seeds' limit for EBS images: 1 TiB. */
const EBS_IMAGE_LIMIT_GIB = 1024;

export interface RegisterInput extends RegistrationInput {
  /** An EBS image's devices (`-b /dev/sda1=snap-...[:SIZE[:DELETE]]`); none for a bundle. */
  blockDeviceMappings: BlockDeviceMapping[];
}

export interface ImageQuery {
  ids: string[];
  /** Account ids or names, or `self`. */
  owners: string[];
  /** `all`, `self` or account ids: images those may run. */
  executableBy: string[];
  filters: Filter[];
}

/** A ModifyImageAttribute: launch permissions added and removed (`all`: public), a description, product codes. */
export interface ImageChanges {
  add: { accounts: string[]; all: boolean };
  remove: { accounts: string[]; all: boolean };
  description?: string;
  productCodes: string[];
}

export type ImageAttribute =
  | { launchPermission: { group?: 'all'; userId?: string }[] }
  | { productCodes: string[] }
  | { kernel: string | undefined }
  | { ramdisk: string | undefined }
  | { description: string | undefined }
  | { blockDeviceMapping: BlockDeviceMapping[] };

export interface ImageServiceDeps {
  images: ImageStore;
  tags: TagStore;
  instances: InstanceStore;
  volumes: VolumeService;
  /** CreateImage's root snapshot; which snapshots a registration may name. */
  snapshots: Pick<SnapshotService, 'snapshot' | 'usableSnapshot'>;
  registrar: ImageRegistrar;
  /** How the principal reads a bundle from Walrus (its policies and the bucket's, for a request from `from`). */
  reader(p: Principal, from?: Origin): Reader;
  accountName(accountId: string): Promise<string | undefined>;
  /** What DescribeImages reports as the hypervisor (HYPERVISOR in the cloud's eucalyptus.conf). */
  hypervisor(): string;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

export class ImageService {
  constructor(private readonly d: ImageServiceDeps) {}

  /** An image the principal may see, or InvalidAMIID.* as EC2 answers. */
  async visible(p: Principal, id: string): Promise<Image> {
    if (!ID.test(id)) throw new ServiceError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "emi-...")`);
    const image = await this.d.images.get(id);
    if (!image || !(await imageVisible(this.d.images, p, image)))
      throw new ServiceError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
    return image;
  }

  /**
   * An image the principal may change: its account's (the cloud administrator: any). One its
   * account deregistered already is InvalidAMIID.Unavailable, as EC2 answers a second deregister.
   */
  private async owned(p: Principal, id: string): Promise<Image> {
    if (ID.test(id) && !(await this.d.images.get(id)) && (await this.d.images.deregisteredOwner(id)) === p.account.id)
      throw new ServiceError('InvalidAMIID.Unavailable', `The image id '[${id}]' is no longer available`);
    const image = await this.visible(p, id);
    if (image.accountId !== p.account.id && !isCloudAdmin({ principal: p }))
      throw new ServiceError('AuthFailure', `Not authorized to modify image ${id}`, 403);
    return image;
  }

  /**
   * RegisterImage: a bundle at `location` (read as the principal asking from `from`, whose
   * policies' conditions see where the request came from), or an EBS image from snapshots.
   */
  async register(p: Principal, input: RegisterInput, from?: Origin): Promise<string> {
    if (input.location) return this.d.registrar.register(p, input, this.d.reader(p, from));
    return this.registerEbs(p, input);
  }

  /** An available image's bytes, as node controllers download them: this front end's cached file. */
  imageFile(image: Image): Promise<string | undefined> {
    return this.d.registrar.cached(image);
  }

  async deregister(p: Principal, id: string): Promise<void> {
    const image = await this.owned(p, id);
    this.d.registrar.forget(image.id);
    await this.d.images.deregister(image);
    await this.d.tags.forgetResource(image.id);
  }

  /** The images, their tags, and their owners' aliases (each account looked up once). */
  async describe(
    p: Principal,
    q: ImageQuery,
  ): Promise<{
    images: Image[];
    tags: Map<string, Tag[]>;
    ownerAlias: (accountId: string) => string | undefined;
    productCodes: Map<string, string[]>;
  }> {
    const me = p.account.id;
    for (const id of q.ids) await this.visible(p, id);
    let images = await (isCloudAdmin({ principal: p }) ? this.d.images.all() : this.d.images.visibleTo(me));
    if (q.ids.length) images = images.filter((i) => q.ids.includes(i.id));
    // Each owner's alias, looked up once.
    const aliases = new Map<string, string | undefined>();
    for (const id of new Set(images.map((i) => i.accountId))) aliases.set(id, await this.d.accountName(id));
    const ownerAlias = (id: string) => aliases.get(id);
    const owners = q.owners.map((o) => (o === 'self' ? me : o));
    if (owners.length)
      images = images.filter((i) => owners.includes(i.accountId) || owners.includes(ownerAlias(i.accountId) ?? ''));
    if (q.executableBy.length) {
      const perms = await this.d.images.permittedAccounts(images.map((i) => i.id));
      images = images.filter((i) =>
        q.executableBy.some((who) => {
          if (who === 'all') return i.isPublic;
          const account = who === 'self' ? me : who;
          // Eucalyptus counts what an account can run: its own, public and explicitly shared images.
          return i.accountId === account || i.isPublic || perms.get(i.id)!.has(account);
        }),
      );
    }
    // The principal's own tags: tags belong to the account that set them.
    const tags = await this.d.tags.forResources(
      me,
      images.map((i) => i.id),
    );
    const codes = await this.d.images.productCodesOf(images.map((i) => i.id));
    images = applyFilters(images, q.filters, {
      architecture: (i) => i.architecture,
      description: (i) => i.description,
      'image-id': (i) => i.id,
      'image-type': (i) => i.type,
      'is-public': (i) => String(i.isPublic),
      'kernel-id': (i) => i.kernelId,
      'ramdisk-id': (i) => i.ramdiskId,
      'manifest-location': (i) => i.location,
      name: (i) => i.name,
      'owner-id': (i) => i.accountId,
      'owner-alias': (i) => ownerAlias(i.accountId),
      platform: (i) => i.platform,
      'root-device-name': (i) => i.rootDeviceName,
      'root-device-type': (i) => i.rootDeviceType,
      state: (i) => i.state,
      'virtualization-type': (i) => i.virtualizationType,
      hypervisor: () => this.d.hypervisor(),
      'product-code': (i) => codes.get(i.id) ?? [],
      ...mappingFilterFields(),
      // No product code types, and images here carry no state reason.
      ...matchingNothing<Image>('product-code.type', 'state-reason-code', 'state-reason-message'),
      ...tagFilterFields(q.filters, (i: Image) => tags.get(i.id) ?? []),
    });
    return { images, tags, ownerAlias, productCodes: codes };
  }

  hypervisor(): string {
    return this.d.hypervisor();
  }

  async attribute(p: Principal, id: string, attribute: string): Promise<ImageAttribute> {
    const image = await this.visible(p, id);
    switch (attribute) {
      case 'launchPermission':
        if (image.accountId !== p.account.id && !isCloudAdmin({ principal: p }))
          throw new ServiceError('AuthFailure', `Not authorized to see the launch permissions of ${image.id}`, 403);
        return {
          launchPermission: [
            ...(image.isPublic ? [{ group: 'all' as const }] : []),
            ...(await this.d.images.launchPermissions(image.id)).map((userId) => ({ userId })),
          ],
        };
      case 'productCodes':
        return { productCodes: await this.d.images.productCodes(image.id) };
      case 'kernel':
        return { kernel: image.kernelId };
      case 'ramdisk':
        return { ramdisk: image.ramdiskId };
      case 'description':
        return { description: image.description };
      case 'blockDeviceMapping':
        return { blockDeviceMapping: image.blockDeviceMappings };
      default:
        throw invalidParameter(
          'Attribute',
          attribute,
          'It is one of launchPermission, productCodes, kernel, ramdisk, description, blockDeviceMapping.',
        );
    }
  }

  async modifyAttribute(p: Principal, id: string, c: ImageChanges): Promise<void> {
    const image = await this.owned(p, id);
    const { add, remove } = c;
    const nothing =
      !add.accounts.length && !add.all && !remove.accounts.length && !remove.all && c.description === undefined;
    if (nothing && !c.productCodes.length)
      throw new ServiceError(
        'MissingParameter',
        'The request must name an attribute to modify: LaunchPermission, Description or ProductCode',
      );
    for (const account of [...add.accounts, ...remove.accounts])
      if (!/^\d{12}$/.test(account)) throw invalidParameter('UserId', account, 'An account id has 12 digits.');
    const images = this.d.images;
    await this.d.transaction(async () => {
      if (add.accounts.length) await images.addLaunchPermissions(image.id, add.accounts);
      if (remove.accounts.length) await images.removeLaunchPermissions(image.id, remove.accounts);
      if (add.all) await images.update(image.id, { isPublic: true });
      if (remove.all) await images.update(image.id, { isPublic: false });
      if (c.description !== undefined) await images.update(image.id, { description: c.description });
      if (c.productCodes.length) await images.addProductCodes(image.id, c.productCodes);
    });
  }

  async resetAttribute(p: Principal, id: string, attribute: string): Promise<void> {
    const image = await this.owned(p, id);
    if (attribute !== 'launchPermission')
      throw invalidParameter('Attribute', attribute, 'Only launchPermission can be reset.');
    await this.d.transaction(async () => {
      await this.d.images.removeLaunchPermissions(image.id, await this.d.images.launchPermissions(image.id));
      await this.d.images.update(image.id, { isPublic: false });
    });
  }

  /** CreateImage: an EBS-backed instance's root volume, snapshotted, as a new image (pending until then). */
  /** An EBS image of an instance: a snapshot of its root volume, and any further mappings asked for. */
  async createImage(
    p: Principal,
    input: { instanceId: string; name: string; description?: string; blockDeviceMappings?: BlockDeviceMapping[] },
  ): Promise<string> {
    const { instanceId, name } = input;
    const i = (await this.d.instances.list({ accountId: p.account.id, ids: [instanceId] }))[0];
    if (!i) throw new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    if (i.rootDeviceType !== 'ebs')
      throw new ServiceError(
        'InvalidParameterValue',
        `Instance ${i.id} is not EBS-backed: bundle an instance-store instance with euca-bundle-instance instead.`,
      );
    if (i.state !== 'running' && i.state !== 'stopped')
      throw new ServiceError(
        'IncorrectInstanceState',
        `Instance ${i.id} is ${i.state}: CreateImage needs it running or stopped.`,
      );
    const root = await this.d.volumes.rootVolumeOf(i);
    if (!root) throw new ServiceError('IncorrectInstanceState', `Instance ${i.id} has no root volume attached.`);
    const extra = input.blockDeviceMappings ?? [];
    if (extra.some((m) => m.deviceName === i.rootDeviceName))
      throw invalidParameter('BlockDeviceMapping', i.rootDeviceName!, 'The root device is the instance’s root volume.');
    await this.checkSnapshotMappings(p, extra);
    const source = await this.d.images.get(i.imageId);
    const imageId = ids.resourceId('emi');
    // The image is pending until its snapshot completes (the volume service settles it).
    const snapshot = await this.d.snapshots.snapshot(root, `Created by CreateImage(${i.id}) for ${name}`);
    await this.insert({
      id: imageId,
      accountId: p.account.id,
      type: 'machine',
      name,
      description: input.description,
      architecture: i.architecture,
      kernelId: i.kernelId,
      ramdiskId: i.ramdiskId,
      platform: i.platform,
      rootDeviceType: 'ebs',
      rootDeviceName: i.rootDeviceName!,
      virtualizationType: source?.virtualizationType ?? 'paravirtual',
      state: 'pending',
      isPublic: false,
      blockDeviceMappings: [
        { deviceName: i.rootDeviceName!, snapshotId: snapshot.id, volumeSize: root.sizeGiB, deleteOnTermination: true },
        ...extra,
      ],
      created: new Date().toISOString(),
    });
    return imageId;
  }

  /**
   * The snapshots an image's mappings name must be the caller's to use and completed, and each
   * volume at least its snapshot's size (which a mapping without a size takes).
   */
  private async checkSnapshotMappings(p: Principal, mappings: BlockDeviceMapping[]): Promise<void> {
    for (const m of mappings) {
      if (!m.snapshotId) continue;
      const snapshot = await this.d.snapshots.usableSnapshot(p, m.snapshotId);
      if (snapshot.status !== 'completed')
        throw new ServiceError('IncorrectState', `Snapshot '${snapshot.id}' is not completed.`);
      const size = m.volumeSize ?? snapshot.volumeSizeGiB;
      if (!Number.isInteger(size) || size < snapshot.volumeSizeGiB || size > EBS_IMAGE_LIMIT_GIB) {
        throw invalidParameter(
          'BlockDeviceMapping',
          m.deviceName,
          `The volume size must be a whole number of GiB ` +
            `from ${snapshot.volumeSizeGiB} to ${EBS_IMAGE_LIMIT_GIB} (EBS images are limited to 1 TiB).`,
        );
      }
      m.volumeSize = size;
    }
  }

  /** An EBS-backed machine image from a root snapshot (seed 000, "Create an EBS Image"). */
  private async registerEbs(p: Principal, input: RegisterInput): Promise<string> {
    if (!input.name) throw missingParameter('Name');
    const rootDeviceName = input.rootDeviceName || '/dev/sda1';
    const mappings = input.blockDeviceMappings;
    const root = mappings.find((m) => m.deviceName === rootDeviceName);
    if (!root?.snapshotId)
      throw new ServiceError(
        'MissingParameter',
        `An EBS image needs a snapshot for its root device ${rootDeviceName} (-b ${rootDeviceName}=snap-...)`,
      );
    await this.checkSnapshotMappings(p, mappings);
    const windows = input.kernelId === 'windows' || input.platform === 'windows';
    const image: Image = {
      id: ids.resourceId('emi'),
      accountId: p.account.id,
      type: 'machine',
      name: input.name,
      description: input.description,
      architecture: input.architecture ?? 'x86_64',
      kernelId: windows ? undefined : input.kernelId,
      ramdiskId: windows ? undefined : input.ramdiskId,
      platform: windows ? 'windows' : undefined,
      rootDeviceType: 'ebs',
      rootDeviceName,
      virtualizationType: input.virtualizationType ?? (windows ? 'hvm' : 'paravirtual'),
      state: 'available',
      isPublic: false,
      blockDeviceMappings: mappings,
      created: new Date().toISOString(),
    };
    if (image.kernelId && (await this.d.images.get(image.kernelId))?.type !== 'kernel')
      throw invalidParameter('KernelId', image.kernelId, 'It is not a kernel image of this cloud.');
    if (image.ramdiskId && (await this.d.images.get(image.ramdiskId))?.type !== 'ramdisk')
      throw invalidParameter('RamdiskId', image.ramdiskId, 'It is not a ramdisk image of this cloud.');
    await this.insert(image);
    return image.id;
  }

  private async insert(image: Image): Promise<void> {
    try {
      await this.d.images.insert(image);
    } catch (e) {
      if (e instanceof UniqueViolation)
        throw new ServiceError('InvalidAMIName.Duplicate', `AMI name ${image.name} is already in use`);
      throw e;
    }
  }
}

/** The block-device-mapping.* filters: an image's mappings, as its blockDeviceMapping shows them. */
function mappingFilterFields() {
  const each = (pick: (m: BlockDeviceMapping) => string | number | boolean | undefined) => (i: Image) =>
    i.blockDeviceMappings
      .map(pick)
      .filter((v): v is string | number | boolean => v !== undefined)
      .map(String);
  return {
    'block-device-mapping.delete-on-termination': each((m) =>
      m.snapshotId ? (m.deleteOnTermination ?? true) : undefined,
    ),
    'block-device-mapping.device-name': each((m) => m.deviceName),
    'block-device-mapping.snapshot-id': each((m) => m.snapshotId),
    'block-device-mapping.volume-size': each((m) => m.volumeSize),
    'block-device-mapping.volume-type': each((m) => (m.snapshotId || m.volumeSize ? 'standard' : undefined)),
  };
}
