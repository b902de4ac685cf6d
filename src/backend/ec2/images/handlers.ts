/**
 * The EC2 image actions on the wire (RegisterImage, DeregisterImage, DescribeImages, the image
 * attributes, CreateImage); the rules are the image service's (service.ts).
 */
import type {
  BlockDeviceMapping as WireMapping,
  Ec2Operations,
  LaunchPermission,
  ModifyImageAttributeRequest,
} from '../../../shared/wire/ec2';
import { invalidParameter } from '../../errors';
import { filtersOf, required } from '../../query-params';
import type { Actions } from '../../query-service';
import { tagSet } from '../tags/filters';
import { type Tag } from '../tags/store';
import type { ImageChanges, ImageService } from './service';
import { type BlockDeviceMapping, type Image } from './store';
import type { TagService } from '../tags/service';

const mappingOf = (m: WireMapping): BlockDeviceMapping => ({
  deviceName: m.DeviceName ?? '',
  virtualName: m.VirtualName,
  noDevice: m.NoDevice !== undefined,
  snapshotId: m.Ebs?.SnapshotId || undefined,
  volumeSize: m.Ebs?.VolumeSize,
  deleteOnTermination: m.Ebs?.DeleteOnTermination,
});

/** Account ids a launch-permission change names; "all" (Group) makes the image public. */
function launchPermissionChanges(
  input: ModifyImageAttributeRequest,
  op: 'Add' | 'Remove',
): { accounts: string[]; all: boolean } {
  const named: LaunchPermission[] = input.LaunchPermission?.[op] ?? [];
  const accounts = named.flatMap((p) => (p.UserId ? [p.UserId] : []));
  let all = false;
  for (const p of named) {
    if (p.Group === undefined) continue;
    if (p.Group !== 'all') throw invalidParameter('Group', p.Group, 'The only group is "all".');
    all = true;
  }
  // The older form: Attribute=launchPermission&OperationType=add&UserId.1=...&UserGroup.1=all
  if (input.OperationType?.toLowerCase() === op.toLowerCase()) {
    accounts.push(...(input.UserIds ?? []));
    if ((input.UserGroups ?? []).includes('all')) all = true;
  }
  return { accounts, all };
}

const mappingXml = (m: BlockDeviceMapping) => ({
  deviceName: m.deviceName,
  virtualName: m.virtualName,
  ebs:
    m.snapshotId || m.volumeSize
      ? { snapshotId: m.snapshotId, volumeSize: m.volumeSize, deleteOnTermination: m.deleteOnTermination ?? true }
      : undefined,
  noDevice: m.noDevice ? '' : undefined,
});

const productCodesXml = (codes: string[]) => codes.map((productCode) => ({ productCode, type: 'devpay' }));

type ImageActions = Actions<
  Ec2Operations,
  | 'RegisterImage'
  | 'DeregisterImage'
  | 'DescribeImages'
  | 'DescribeImageAttribute'
  | 'ModifyImageAttribute'
  | 'ResetImageAttribute'
  | 'CreateImage'
>;

/** The actions, given the service they call. */
export function imageActions(images: ImageService, tags: TagService): ImageActions {
  const imageItem = (
    image: Image,
    ownerAlias: (accountId: string) => string | undefined,
    productCodes: string[],
    tags?: Tag[],
  ) => ({
    imageId: image.id,
    imageLocation: image.location ?? `${image.accountId}/${image.name}`,
    imageState: image.state,
    imageOwnerId: image.accountId,
    isPublic: image.isPublic,
    productCodes: productCodesXml(productCodes),
    architecture: image.architecture,
    imageType: image.type,
    kernelId: image.kernelId,
    ramdiskId: image.ramdiskId,
    platform: image.platform,
    stateReason: image.stateReason
      ? { code: image.state === 'failed' ? 'Client.InvalidManifest' : 'pending', message: image.stateReason }
      : undefined,
    imageOwnerAlias: ownerAlias(image.accountId),
    creationDate: image.created,
    name: image.name,
    description: image.description,
    rootDeviceType: image.rootDeviceType,
    rootDeviceName: image.rootDeviceName,
    blockDeviceMapping: image.blockDeviceMappings.map(mappingXml),
    virtualizationType: image.virtualizationType,
    hypervisor: images.hypervisor(),
    tagSet: tagSet(tags),
  });
  return {
    RegisterImage: async ({ principal, input, origin }) => {
      const wanted = tags.specified(input.TagSpecifications, ['image']);
      const imageId = await images.register(
        principal,
        {
          location: input.ImageLocation || undefined,
          name: input.Name,
          description: input.Description,
          architecture: input.Architecture,
          kernelId: input.KernelId,
          ramdiskId: input.RamdiskId,
          platform: input.Platform,
          rootDeviceName: input.RootDeviceName || undefined,
          virtualizationType: input.VirtualizationType,
          blockDeviceMappings: (input.BlockDeviceMappings ?? []).map(mappingOf),
        },
        origin,
      );
      await tags.tagCreated(principal, [imageId], wanted.get('image'));
      return { imageId };
    },
    DeregisterImage: async ({ principal, input }) => {
      await images.deregister(principal, required(input.ImageId, 'ImageId'));
      return { return: true };
    },
    DescribeImages: async ({ principal, input }) => {
      const found = await images.describe(principal, {
        ids: input.ImageIds ?? [],
        owners: input.Owners ?? [],
        executableBy: input.ExecutableUsers ?? [],
        filters: filtersOf(input.Filters),
      });
      return {
        imagesSet: found.images.map((i) =>
          imageItem(i, found.ownerAlias, found.productCodes.get(i.id) ?? [], found.tags.get(i.id)),
        ),
      };
    },
    ModifyImageAttribute: async ({ principal, input }) => {
      const id = required(input.ImageId, 'ImageId');
      const changes: ImageChanges = {
        add: launchPermissionChanges(input, 'Add'),
        remove: launchPermissionChanges(input, 'Remove'),
        description: input.Description?.Value ?? (input.Attribute === 'description' ? input.Value : undefined),
        productCodes: input.ProductCodes ?? [],
      };
      await images.modifyAttribute(principal, id, changes);
      return { return: true };
    },
    DescribeImageAttribute: async ({ principal, input }) => {
      const imageId = required(input.ImageId, 'ImageId');
      const a = await images.attribute(principal, imageId, required(input.Attribute, 'Attribute'));
      const value = (v: string | undefined) => (v !== undefined ? { value: v } : undefined);
      if ('launchPermission' in a) return { imageId, launchPermission: a.launchPermission };
      if ('productCodes' in a) return { imageId, productCodes: productCodesXml(a.productCodes) };
      if ('kernel' in a) return { imageId, kernel: value(a.kernel) };
      if ('ramdisk' in a) return { imageId, ramdisk: value(a.ramdisk) };
      if ('description' in a) return { imageId, description: value(a.description) };
      return { imageId, blockDeviceMapping: a.blockDeviceMapping.map(mappingXml) };
    },
    ResetImageAttribute: async ({ principal, input }) => {
      await images.resetAttribute(
        principal,
        required(input.ImageId, 'ImageId'),
        required(input.Attribute, 'Attribute'),
      );
      return { return: true };
    },
    CreateImage: async ({ principal, input }) => {
      // The image's snapshots are made later: only the image itself is tagged here.
      const wanted = tags.specified(input.TagSpecifications, ['image']);
      const imageId = await images.createImage(principal, {
        instanceId: required(input.InstanceId, 'InstanceId'),
        name: required(input.Name, 'Name'),
        description: input.Description,
        blockDeviceMappings: (input.BlockDeviceMappings ?? []).map(mappingOf),
      });
      await tags.tagCreated(principal, [imageId], wanted.get('image'));
      return { imageId };
    },
  };
}
