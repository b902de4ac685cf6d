/**
 * RunInstances: everything is checked before anything is taken (image, kernel, ramdisk, key,
 * group, type, counts, user data, zone); capacity and addresses are then reserved, the instances
 * recorded `pending` in one transaction, and each handed to its node controller. A failure before
 * the rows are written gives back whatever was reserved: a refused request changes nothing.
 */
import { type RequestContext } from '../../context';
import { invalidParameter, ServiceError } from '../../errors';
import * as ids from '../../ids';
import { listParam } from '../../query-params';
import { imageVisible } from '../images/visibility';
import { type Image } from '../images/store';
import { property } from '../../properties/registry';
import { endInstance } from './lifecycle';
import { launchMappings, type NodeVolume, prepareVolumes } from './ebs';
import { type ComputeServices, type LaunchSpec, type NetworkAddresses, type VmType } from './services';
import { type Instance } from './store';

export const MAX_USER_DATA = 16 * 1024;
const DEFAULT_TYPE = 'm1.small';

function positiveInt(params: Record<string, string>, name: string): number {
  const v = params[name];
  if (v === undefined) throw new ServiceError('MissingParameter', `The request must contain the parameter ${name}`);
  if (!/^\d+$/.test(v) || Number(v) < 1) throw invalidParameter(name, v, 'It must be a positive whole number.');
  return Number(v);
}

function usableImage(ctx: RequestContext, id: string | undefined, type: Image['type']): Image | undefined {
  if (!id) return undefined;
  const image = ctx.cloud.images.get(id);
  if (!image || !imageVisible(ctx.cloud.images, ctx.principal, image))
    throw new ServiceError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
  if (image.type !== type)
    throw invalidParameter(
      type === 'machine' ? 'ImageId' : type === 'kernel' ? 'KernelId' : 'RamdiskId',
      id,
      `${id} is a ${image.type} image, not a ${type} image.`,
    );
  if (image.state !== 'available')
    throw new ServiceError(
      'InvalidAMIID.Unavailable',
      `The image ${id} is ${image.state}${image.stateReason ? `: ${image.stateReason}` : ''}`,
    );
  return image;
}

export interface LaunchResult {
  reservationId: string;
  instances: Instance[];
}

/**
 * The launch an earlier RunInstances with the same client token made, if any (EC2's
 * idempotency): the same request answers the same reservation; the token with other parameters
 * is IdempotentParameterMismatch.
 */
function earlierLaunch(ctx: RequestContext, token: string): LaunchResult | undefined {
  const p = ctx.params;
  if (token.length > 64 || !/^[\x20-\x7e]*$/.test(token))
    throw invalidParameter('ClientToken', token, 'A client token is at most 64 ASCII characters.');
  const earlier = ctx.cloud.instances.withClientToken(ctx.principal.account.id, token);
  if (!earlier.length) return undefined;
  const first = earlier[0];
  const count = earlier.length;
  const same =
    first.imageId === p.ImageId &&
    first.instanceType === (p.InstanceType ?? DEFAULT_TYPE) &&
    (first.keyName ?? '') === (p.KeyName ?? '') &&
    (!p['Placement.AvailabilityZone'] || first.zone === p['Placement.AvailabilityZone']) &&
    count >= Number(p.MinCount ?? 1) &&
    count <= Number(p.MaxCount ?? 1);
  if (!same)
    throw new ServiceError(
      'IdempotentParameterMismatch',
      `The client token ${token} was used by an earlier RunInstances with other parameters ` +
        `(reservation ${first.reservationId}).`,
    );
  return { reservationId: first.reservationId, instances: earlier };
}

export function runInstances(ctx: RequestContext, services: ComputeServices): LaunchResult {
  const p = ctx.params;
  const account = ctx.principal.account.id;
  const repeated = p.ClientToken !== undefined ? earlierLaunch(ctx, p.ClientToken) : undefined;
  if (repeated) return repeated;
  const image = usableImage(
    ctx,
    p.ImageId ??
      (() => {
        throw new ServiceError('MissingParameter', 'The request must contain the parameter ImageId');
      })(),
    'machine',
  )!;
  const windows = image.platform === 'windows' || image.name.startsWith('windows');
  const defaults = (name: string) => property(ctx.cloud, name).get(ctx.cloud) || undefined;
  const kernel = windows
    ? undefined
    : usableImage(ctx, p.KernelId ?? image.kernelId ?? defaults('cloud.images.defaultkernel'), 'kernel');
  const ramdisk = windows
    ? undefined
    : usableImage(ctx, p.RamdiskId ?? image.ramdiskId ?? defaults('cloud.images.defaultramdisk'), 'ramdisk');

  const min = positiveInt(p, 'MinCount');
  const max = positiveInt(p, 'MaxCount');
  if (min > max) throw invalidParameter('MinCount', String(min), `MinCount must not exceed MaxCount (${max}).`);

  const key = p.KeyName ? services.keyPair(account, p.KeyName) : undefined;
  if (p.KeyName && !key)
    throw new ServiceError('InvalidKeyPair.NotFound', `The key pair '${p.KeyName}' does not exist`);

  const groups = [...listParam(p, 'SecurityGroup'), ...listParam(p, 'SecurityGroupId')];
  if (groups.length > 1)
    throw invalidParameter('SecurityGroup', groups.join(', '), 'An instance is in exactly one security group.');
  const group = services.securityGroup(account, groups[0] ?? 'default');
  if (!group) throw new ServiceError('InvalidGroup.NotFound', `The security group '${groups[0]}' does not exist`);

  const vmType: VmType | undefined = services.vmType(p.InstanceType ?? DEFAULT_TYPE);
  if (!vmType)
    throw invalidParameter(
      'InstanceType',
      p.InstanceType!,
      'It is not a VM type of this cloud (euca-describe-instance-types lists them).',
    );

  if (p.UserData !== undefined) {
    const size = Buffer.from(p.UserData, 'base64').length;
    if (size > MAX_USER_DATA)
      throw invalidParameter('UserData', `${size} bytes`, `User data is limited to ${MAX_USER_DATA} bytes (16 KiB).`);
  }
  const addressing = p.AddressingType === 'private' ? 'private' : 'public';
  if (p.AddressingType && p.AddressingType !== 'public' && p.AddressingType !== 'private')
    throw invalidParameter('AddressingType', p.AddressingType, 'It is public or private.');
  const zones = services.zones();
  const zone = p['Placement.AvailabilityZone'] || zones[0];
  if (!zone || !zones.includes(zone))
    throw new ServiceError('InvalidParameterValue', `Invalid availability zone: [${zone ?? ''}]`);
  const mappings = launchMappings(ctx, image);
  const ebs = image.rootDeviceType === 'ebs';
  const shutdownBehavior = p.InstanceInitiatedShutdownBehavior ?? 'terminate';
  if (shutdownBehavior !== 'stop' && shutdownBehavior !== 'terminate')
    throw invalidParameter('InstanceInitiatedShutdownBehavior', shutdownBehavior, 'It is stop or terminate.');

  // Reserve, giving everything back if any step fails.
  const placements = services.place(zone, vmType, min, max);
  const addresses: NetworkAddresses[] = [];
  const reservationId = ids.resourceId('r');
  const launchTime = new Date().toISOString();
  const instanceIds = placements.map(() => ids.resourceId('i'));
  let instances: Instance[];
  try {
    for (const id of instanceIds) addresses.push(services.allocateAddresses(account, group.name, addressing, id));
    instances = placements.map(({ node, placementId }, i) => ({
      id: instanceIds[i],
      reservationId,
      accountId: account,
      imageId: image.id,
      kernelId: kernel?.id,
      ramdiskId: ramdisk?.id,
      platform: windows ? 'windows' : undefined,
      architecture: image.architecture,
      instanceType: vmType.name,
      keyName: key?.name,
      launchIndex: i,
      state: 'pending' as const,
      zone,
      node,
      placementId,
      privateIp: addresses[i].privateIp,
      publicIp: addresses[i].publicIp,
      mac: addresses[i].mac,
      vlan: addresses[i].vlan,
      groupId: group.id,
      groupName: group.name,
      userData: p.UserData,
      addressing,
      shutdownBehavior,
      disableApiTermination: p.DisableApiTermination === 'true',
      clientToken: p.ClientToken,
      launchTime,
      rootDeviceType: ebs ? ('ebs' as const) : undefined,
      rootDeviceName: ebs ? image.rootDeviceName : undefined,
    }));
    ctx.cloud.instances.insert(instances);
  } catch (e) {
    addresses.forEach((a) => services.releaseAddresses(a));
    placements.forEach((pl) => services.unplace(pl.placementId));
    throw e;
  }
  for (const instance of instances) {
    const volumes = mappings.length ? prepareVolumes(ctx, instance, mappings) : Promise.resolve([]);
    bootOnNode(ctx, services, instance, vmType, volumes, key?.publicKeyOpenSsh);
  }
  return { reservationId, instances };
}

/**
 * Hands an instance to its node once its volumes are ready; if they cannot be made or the node
 * cannot take it, it ends terminated with the reason (its volumes released as on terminate).
 */
export function bootOnNode(
  ctx: RequestContext,
  services: ComputeServices,
  i: Instance,
  vmType: VmType,
  volumes: Promise<NodeVolume[]>,
  publicKey?: string,
): void {
  volumes
    .then((vols) => {
      if (ctx.cloud.instances.get(i.id)?.state !== 'pending') return;
      const spec: LaunchSpec = {
        instanceId: i.id,
        reservationId: i.reservationId,
        accountId: i.accountId,
        imageId: i.imageId,
        kernelId: i.kernelId,
        ramdiskId: i.ramdiskId,
        platform: i.platform,
        vmType,
        userData: i.userData,
        keyName: i.keyName,
        publicKey,
        launchIndex: i.launchIndex,
        network: { mac: i.mac!, privateIp: i.privateIp!, publicIp: i.publicIp, vlan: i.vlan },
        volumes: vols.length ? vols : undefined,
      };
      return services.nodes.runInstance(i.node!, spec);
    })
    .catch((e: Error) =>
      endInstance(ctx.cloud, i, {
        stateReason: `Server.InternalError: node ${i.node} could not start the instance: ${e.message}`,
      }),
    );
}
