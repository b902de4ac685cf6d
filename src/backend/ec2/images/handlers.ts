/**
 * The EC2 image actions: RegisterImage (the bundle itself is checked and decrypted by the
 * registrar), DeregisterImage, DescribeImages with owners, executable-by, ids and filters, and
 * the image attributes (launch permission, description, kernel, ramdisk, product codes, block
 * device mapping).
 */
import { type RequestContext } from '../../context';
import { invalidParameter, ServiceError } from '../../errors';
import { applyFilters, filtersParam, listParam, requireParam } from '../../query-params';
import { isCloudAdmin } from '../../iam/principals';
import { tagFilterFields, tagSet } from '../tags/filters';
import { type Tag } from '../tags/store';
import { imageVisible } from './visibility';
import { type Image } from './store';

const ID = /^e[mkr]i-[0-9A-Fa-f]{8}$/;

export { isCloudAdmin };

/** An image the caller may see, or InvalidAMIID.* as EC2 answers. */
function visibleImage(ctx: RequestContext, id: string): Image {
  if (!ID.test(id)) throw new ServiceError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "emi-...")`);
  const image = ctx.cloud.images.get(id);
  if (!image || !imageVisible(ctx.cloud.images, ctx.principal, image)) {
    throw new ServiceError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
  }
  return image;
}

function ownedImage(ctx: RequestContext, id: string): Image {
  const image = visibleImage(ctx, id);
  if (image.accountId !== ctx.principal.account.id && !isCloudAdmin(ctx))
    throw new ServiceError('AuthFailure', `Not authorized to modify image ${id}`, 403);
  return image;
}

export async function registerImage(ctx: RequestContext) {
  return { imageId: await ctx.cloud.registrar.register(ctx) };
}

export function deregisterImage(ctx: RequestContext) {
  const image = ownedImage(ctx, requireParam(ctx.params, 'ImageId'));
  ctx.cloud.registrar.forget(image.id);
  ctx.cloud.images.delete(image.id);
  ctx.cloud.tags.forgetResource(image.id);
  return { return: true };
}

function imageItem(ctx: RequestContext, image: Image, ownerAlias: Map<string, string | undefined>, tags?: Tag[]) {
  if (!ownerAlias.has(image.accountId))
    ownerAlias.set(image.accountId, ctx.cloud.store.findAccount(image.accountId)?.name);
  return {
    imageId: image.id,
    imageLocation: image.location ?? `${image.accountId}/${image.name}`,
    imageState: image.state,
    imageOwnerId: image.accountId,
    isPublic: image.isPublic,
    productCodes: ctx.cloud.images.productCodes(image.id).map((productCode) => ({ productCode, type: 'devpay' })),
    architecture: image.architecture,
    imageType: image.type,
    kernelId: image.kernelId,
    ramdiskId: image.ramdiskId,
    platform: image.platform,
    stateReason: image.stateReason
      ? { code: image.state === 'failed' ? 'Client.InvalidManifest' : 'pending', message: image.stateReason }
      : undefined,
    imageOwnerAlias: ownerAlias.get(image.accountId),
    name: image.name,
    description: image.description,
    rootDeviceType: image.rootDeviceType,
    rootDeviceName: image.rootDeviceName,
    blockDeviceMapping: image.blockDeviceMappings.map((m) => ({
      deviceName: m.deviceName,
      virtualName: m.virtualName,
      ebs:
        m.snapshotId || m.volumeSize
          ? { snapshotId: m.snapshotId, volumeSize: m.volumeSize, deleteOnTermination: m.deleteOnTermination ?? true }
          : undefined,
      noDevice: m.noDevice ? '' : undefined,
    })),
    virtualizationType: image.virtualizationType,
    hypervisor: ctx.cloud.conf.HYPERVISOR || 'kvm',
    tagSet: tagSet(tags),
  };
}

export function describeImages(ctx: RequestContext) {
  const me = ctx.principal.account.id;
  const ids = listParam(ctx.params, 'ImageId');
  for (const id of ids) visibleImage(ctx, id);
  let images = isCloudAdmin(ctx) ? ctx.cloud.images.all() : ctx.cloud.images.visibleTo(me);
  if (ids.length) images = images.filter((i) => ids.includes(i.id));

  const owners = listParam(ctx.params, 'Owner').map((o) => (o === 'self' ? me : o));
  if (owners.length)
    images = images.filter(
      (i) => owners.includes(i.accountId) || owners.includes(ctx.cloud.store.findAccount(i.accountId)?.name ?? ''),
    );

  const executableBy = listParam(ctx.params, 'ExecutableBy');
  if (executableBy.length) {
    const perms = ctx.cloud.images.permittedAccounts(images.map((i) => i.id));
    images = images.filter((i) =>
      executableBy.some((who) => {
        if (who === 'all') return i.isPublic;
        const account = who === 'self' ? me : who;
        // Eucalyptus counts what an account can run: its own, public and explicitly shared images.
        return i.accountId === account || i.isPublic || perms.get(i.id)!.has(account);
      }),
    );
  }

  // The caller's own tags: tags belong to the account that set them.
  const tags = ctx.cloud.tags.forResources(
    me,
    images.map((i) => i.id),
  );
  const filters = filtersParam(ctx.params);
  images = applyFilters(images, filters, {
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
    'owner-alias': (i) => ctx.cloud.store.findAccount(i.accountId)?.name,
    platform: (i) => i.platform,
    'root-device-name': (i) => i.rootDeviceName,
    'root-device-type': (i) => i.rootDeviceType,
    state: (i) => i.state,
    'virtualization-type': (i) => i.virtualizationType,
    hypervisor: () => ctx.cloud.conf.HYPERVISOR || 'kvm',
    'product-code': (i) => ctx.cloud.images.productCodes(i.id),
    ...tagFilterFields(filters, (i: Image) => tags.get(i.id) ?? []),
  });
  const aliases = new Map<string, string | undefined>();
  return { imagesSet: images.map((i) => imageItem(ctx, i, aliases, tags.get(i.id))) };
}

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

export function modifyImageAttribute(ctx: RequestContext) {
  const image = ownedImage(ctx, requireParam(ctx.params, 'ImageId'));
  const p = ctx.params;
  const add = launchPermissionChanges(p, 'Add');
  const remove = launchPermissionChanges(p, 'Remove');
  const description = p['Description.Value'] ?? (p.Attribute === 'description' ? p.Value : undefined);
  const codes = listParam(p, 'ProductCode');
  if (
    !add.accounts.length &&
    !add.all &&
    !remove.accounts.length &&
    !remove.all &&
    description === undefined &&
    !codes.length
  ) {
    throw new ServiceError(
      'MissingParameter',
      'The request must name an attribute to modify: LaunchPermission, Description or ProductCode',
    );
  }
  for (const account of [...add.accounts, ...remove.accounts]) {
    if (!/^\d{12}$/.test(account)) throw invalidParameter('UserId', account, 'An account id has 12 digits.');
  }
  ctx.cloud.store.transaction(() => {
    if (add.accounts.length) ctx.cloud.images.addLaunchPermissions(image.id, add.accounts);
    if (remove.accounts.length) ctx.cloud.images.removeLaunchPermissions(image.id, remove.accounts);
    if (add.all) ctx.cloud.images.update(image.id, { isPublic: true });
    if (remove.all) ctx.cloud.images.update(image.id, { isPublic: false });
    if (description !== undefined) ctx.cloud.images.update(image.id, { description });
    if (codes.length) ctx.cloud.images.addProductCodes(image.id, codes);
  });
  return { return: true };
}

export function describeImageAttribute(ctx: RequestContext) {
  const image = visibleImage(ctx, requireParam(ctx.params, 'ImageId'));
  const attribute = requireParam(ctx.params, 'Attribute');
  const base = { imageId: image.id };
  switch (attribute) {
    case 'launchPermission':
      if (image.accountId !== ctx.principal.account.id && !isCloudAdmin(ctx))
        throw new ServiceError('AuthFailure', `Not authorized to see the launch permissions of ${image.id}`, 403);
      return {
        ...base,
        launchPermission: [
          ...(image.isPublic ? [{ group: 'all' }] : []),
          ...ctx.cloud.images.launchPermissions(image.id).map((userId) => ({ userId })),
        ],
      };
    case 'productCodes':
      return {
        ...base,
        productCodes: ctx.cloud.images.productCodes(image.id).map((productCode) => ({ productCode, type: 'devpay' })),
      };
    case 'kernel':
      return { ...base, kernel: image.kernelId ? { value: image.kernelId } : undefined };
    case 'ramdisk':
      return { ...base, ramdisk: image.ramdiskId ? { value: image.ramdiskId } : undefined };
    case 'description':
      return { ...base, description: image.description !== undefined ? { value: image.description } : undefined };
    case 'blockDeviceMapping':
      return { ...base, blockDeviceMapping: imageItem(ctx, image, new Map()).blockDeviceMapping };
    default:
      throw invalidParameter(
        'Attribute',
        attribute,
        'It is one of launchPermission, productCodes, kernel, ramdisk, description, blockDeviceMapping.',
      );
  }
}

export function resetImageAttribute(ctx: RequestContext) {
  const image = ownedImage(ctx, requireParam(ctx.params, 'ImageId'));
  const attribute = requireParam(ctx.params, 'Attribute');
  if (attribute !== 'launchPermission')
    throw invalidParameter('Attribute', attribute, 'Only launchPermission can be reset.');
  ctx.cloud.store.transaction(() => {
    ctx.cloud.images.removeLaunchPermissions(image.id, ctx.cloud.images.launchPermissions(image.id));
    ctx.cloud.images.update(image.id, { isPublic: false });
  });
  return { return: true };
}
