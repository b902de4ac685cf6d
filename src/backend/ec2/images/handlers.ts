/**
 * The EC2 image actions on the wire (RegisterImage, DeregisterImage, DescribeImages, the image
 * attributes, CreateImage); the rules are the image service's (service.ts).
 */
import { type QueryCall } from '../../query-service';
import { invalidParameter } from '../../errors';
import { filtersParam, listParam, requireParam } from '../../query-params';
import { tagSet } from '../tags/filters';
import { type Tag } from '../tags/store';
import { type ImageChanges } from './service';
import { type BlockDeviceMapping, type Image } from './store';
import type { ImageService } from './service';

/** BlockDeviceMapping.N.* as typed mappings. */
function mappingsParam(params: Record<string, string>): BlockDeviceMapping[] {
  const out: BlockDeviceMapping[] = [];
  for (let n = 1; params[`BlockDeviceMapping.${n}.DeviceName`] !== undefined; n++) {
    const p = (k: string) => params[`BlockDeviceMapping.${n}.${k}`];
    const size = p('Ebs.VolumeSize');
    out.push({
      deviceName: p('DeviceName'),
      virtualName: p('VirtualName'),
      noDevice: p('NoDevice') !== undefined,
      snapshotId: p('Ebs.SnapshotId') || undefined,
      volumeSize: size ? Number(size) : undefined,
      deleteOnTermination:
        p('Ebs.DeleteOnTermination') === undefined ? undefined : p('Ebs.DeleteOnTermination') !== 'false',
    });
  }
  return out;
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

/** Account ids named by a launch-permission list; "all" (Group) makes the image public. */
function launchPermissionChanges(
  params: Record<string, string>,
  op: 'Add' | 'Remove',
): { accounts: string[]; all: boolean } {
  const accounts: string[] = [];
  let all = false;
  for (const [k, v] of Object.entries(params)) {
    const m = new RegExp(`^LaunchPermission\\.${op}\\.\\d+\\.(UserId|Group)$`).exec(k);
    if (!m) continue;
    if (m[1] === 'Group') {
      if (v !== 'all') throw invalidParameter('Group', v, 'The only group is "all".');
      all = true;
    } else accounts.push(v);
  }
  // The older form: Attribute=launchPermission&OperationType=add&UserId.1=...&UserGroup.1=all
  if (params.OperationType?.toLowerCase() === op.toLowerCase()) {
    accounts.push(...listParam(params, 'UserId'));
    if (listParam(params, 'UserGroup').includes('all')) all = true;
  }
  return { accounts, all };
}

/** The actions, given the service they call. */
export function imageActions(imageService: ImageService) {
  function imageItem(ctx: QueryCall, image: Image, tags?: Tag[]) {
    return {
      imageId: image.id,
      imageLocation: image.location ?? `${image.accountId}/${image.name}`,
      imageState: image.state,
      imageOwnerId: image.accountId,
      isPublic: image.isPublic,
      productCodes: productCodesXml(imageService.productCodes(image.id)),
      architecture: image.architecture,
      imageType: image.type,
      kernelId: image.kernelId,
      ramdiskId: image.ramdiskId,
      platform: image.platform,
      stateReason: image.stateReason
        ? { code: image.state === 'failed' ? 'Client.InvalidManifest' : 'pending', message: image.stateReason }
        : undefined,
      imageOwnerAlias: imageService.ownerAlias(image.accountId),
      name: image.name,
      description: image.description,
      rootDeviceType: image.rootDeviceType,
      rootDeviceName: image.rootDeviceName,
      blockDeviceMapping: image.blockDeviceMappings.map(mappingXml),
      virtualizationType: image.virtualizationType,
      hypervisor: imageService.hypervisor(),
      tagSet: tagSet(tags),
    };
  }

  return {
    RegisterImage: async (ctx: QueryCall) => {
      const p = ctx.params;
      const imageId = await imageService.register(
        ctx.principal,
        {
          location: p.ImageLocation || undefined,
          name: p.Name,
          description: p.Description,
          architecture: p.Architecture,
          kernelId: p.KernelId,
          ramdiskId: p.RamdiskId,
          platform: p.Platform,
          rootDeviceName: p.RootDeviceName || undefined,
          virtualizationType: p.VirtualizationType,
          blockDeviceMappings: mappingsParam(p),
        },
        ctx.origin,
      );
      return { imageId };
    },
    DeregisterImage: (ctx: QueryCall) => {
      imageService.deregister(ctx.principal, requireParam(ctx.params, 'ImageId'));
      return { return: true };
    },
    DescribeImages: (ctx: QueryCall) => {
      const { images, tags } = imageService.describe(ctx.principal, {
        ids: listParam(ctx.params, 'ImageId'),
        owners: listParam(ctx.params, 'Owner'),
        executableBy: listParam(ctx.params, 'ExecutableBy'),
        filters: filtersParam(ctx.params),
      });
      return { imagesSet: images.map((i) => imageItem(ctx, i, tags.get(i.id))) };
    },
    ModifyImageAttribute: (ctx: QueryCall) => {
      const p = ctx.params;
      const id = requireParam(p, 'ImageId');
      const changes: ImageChanges = {
        add: launchPermissionChanges(p, 'Add'),
        remove: launchPermissionChanges(p, 'Remove'),
        description: p['Description.Value'] ?? (p.Attribute === 'description' ? p.Value : undefined),
        productCodes: listParam(p, 'ProductCode'),
      };
      imageService.modifyAttribute(ctx.principal, id, changes);
      return { return: true };
    },
    DescribeImageAttribute: (ctx: QueryCall) => {
      const imageId = requireParam(ctx.params, 'ImageId');
      const a = imageService.attribute(ctx.principal, imageId, requireParam(ctx.params, 'Attribute'));
      const value = (v: string | undefined) => (v !== undefined ? { value: v } : undefined);
      if ('launchPermission' in a) return { imageId, launchPermission: a.launchPermission };
      if ('productCodes' in a) return { imageId, productCodes: productCodesXml(a.productCodes) };
      if ('kernel' in a) return { imageId, kernel: value(a.kernel) };
      if ('ramdisk' in a) return { imageId, ramdisk: value(a.ramdisk) };
      if ('description' in a) return { imageId, description: value(a.description) };
      return { imageId, blockDeviceMapping: a.blockDeviceMapping.map(mappingXml) };
    },
    ResetImageAttribute: (ctx: QueryCall) => {
      imageService.resetAttribute(
        ctx.principal,
        requireParam(ctx.params, 'ImageId'),
        requireParam(ctx.params, 'Attribute'),
      );
      return { return: true };
    },
    CreateImage: (ctx: QueryCall) => {
      const imageId = imageService.createImage(ctx.principal, {
        instanceId: requireParam(ctx.params, 'InstanceId'),
        name: requireParam(ctx.params, 'Name'),
        description: ctx.params.Description,
      });
      return { imageId };
    },
  };
}
