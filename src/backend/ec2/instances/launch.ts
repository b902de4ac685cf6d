/**
 * RunInstances: everything is checked before anything is taken (image, kernel, ramdisk, key,
 * group, type, counts, user data, zone); capacity and addresses are then reserved, the instances
 * recorded `pending` in one transaction, and each handed to its node controller. A failure before
 * the rows are written gives back whatever was reserved: a refused request changes nothing.
 */
import { invalidParameter, ServiceError } from '../../errors';
import * as ids from '../../ids';
import type { Principal } from '../../store/types';
import { imageVisible } from '../images/visibility';
import { type Image } from '../images/store';
import type { NodeVolume } from '../volumes/service';
import { launchMappings, type RequestedMapping } from './ebs';
import { endInstance } from './lifecycle';
import type { InstanceServiceDeps } from './service';
import { type LaunchSpec, type NetworkAddresses, type VmType } from './services';
import { type Instance } from './store';
import { UniqueViolation } from '../../store/sql';

export const MAX_USER_DATA = 16 * 1024;
const DEFAULT_TYPE = 'm1.small';

/** What RunInstances asks for. */
export interface RunInput {
  imageId: string;
  minCount: number;
  maxCount: number;
  instanceType?: string;
  keyName?: string;
  /** Names or ids; an instance is in exactly one. */
  securityGroups: string[];
  /** base64 */
  userData?: string;
  addressingType?: string;
  zone?: string;
  kernelId?: string;
  ramdiskId?: string;
  blockDeviceMappings: RequestedMapping[];
  shutdownBehavior?: string;
  disableApiTermination?: boolean;
  clientToken?: string;
  /** Called with the volumes a launch makes, as soon as they exist (to tag them as they are made). */
  volumesMade?: (volumeIds: string[]) => Promise<void>;
}

/** An image the principal may launch with, of the type asked for, available: one check for every path. */
export async function usableImage(
  d: Pick<InstanceServiceDeps, 'images'>,
  p: Principal,
  id: string | undefined,
  type: Image['type'],
) {
  if (!id) return undefined;
  const image = await d.images.get(id);
  if (!image || !(await imageVisible(d.images, p, image)))
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
async function earlierLaunch(d: InstanceServiceDeps, p: Principal, input: RunInput, token: string) {
  if (token.length > 64 || !/^[\x20-\x7e]*$/.test(token))
    throw invalidParameter('ClientToken', token, 'A client token is at most 64 ASCII characters.');
  const earlier = await d.instances.withClientToken(p.account.id, token);
  if (!earlier.length) return undefined;
  const first = earlier[0];
  const count = earlier.length;
  const same =
    first.imageId === input.imageId &&
    first.instanceType === (input.instanceType ?? DEFAULT_TYPE) &&
    (first.keyName ?? '') === (input.keyName ?? '') &&
    (!input.zone || first.zone === input.zone) &&
    count >= input.minCount &&
    count <= input.maxCount;
  if (!same)
    throw new ServiceError(
      'IdempotentParameterMismatch',
      `The client token ${token} was used by an earlier RunInstances with other parameters ` +
        `(reservation ${first.reservationId}).`,
    );
  return { reservationId: first.reservationId, instances: earlier };
}

export async function runInstances(d: InstanceServiceDeps, p: Principal, input: RunInput): Promise<LaunchResult> {
  const services = d.compute;
  const account = p.account.id;
  const repeated = input.clientToken !== undefined ? await earlierLaunch(d, p, input, input.clientToken) : undefined;
  if (repeated) return repeated;
  const image = (await usableImage(d, p, input.imageId, 'machine'))!;
  const windows = image.platform === 'windows' || image.name.startsWith('windows');
  const kernelId = input.kernelId ?? image.kernelId ?? (await d.property('cloud.images.defaultkernel'));
  const ramdiskId = input.ramdiskId ?? image.ramdiskId ?? (await d.property('cloud.images.defaultramdisk'));
  const kernel = windows ? undefined : await usableImage(d, p, kernelId, 'kernel');
  const ramdisk = windows ? undefined : await usableImage(d, p, ramdiskId, 'ramdisk');

  const { minCount: min, maxCount: max } = input;
  if (min > max) throw invalidParameter('MinCount', String(min), `MinCount must not exceed MaxCount (${max}).`);

  const key = input.keyName ? await services.keyPair(account, input.keyName) : undefined;
  if (input.keyName && !key)
    throw new ServiceError('InvalidKeyPair.NotFound', `The key pair '${input.keyName}' does not exist`);

  const groups = input.securityGroups;
  if (groups.length > 1)
    throw invalidParameter('SecurityGroup', groups.join(', '), 'An instance is in exactly one security group.');
  const group = await services.securityGroup(account, groups[0] ?? 'default');
  if (!group) throw new ServiceError('InvalidGroup.NotFound', `The security group '${groups[0]}' does not exist`);

  const vmType: VmType | undefined = await services.vmType(input.instanceType ?? DEFAULT_TYPE);
  if (!vmType)
    throw invalidParameter(
      'InstanceType',
      input.instanceType!,
      'It is not a VM type of this cloud (euca-describe-instance-types lists them).',
    );

  if (input.userData !== undefined) {
    const size = Buffer.from(input.userData, 'base64').length;
    if (size > MAX_USER_DATA)
      throw invalidParameter('UserData', `${size} bytes`, `User data is limited to ${MAX_USER_DATA} bytes (16 KiB).`);
  }
  const addressing = input.addressingType === 'private' ? 'private' : 'public';
  if (input.addressingType && input.addressingType !== 'public' && input.addressingType !== 'private')
    throw invalidParameter('AddressingType', input.addressingType, 'It is public or private.');
  const zones = await services.zones();
  const zone = input.zone || zones[0];
  if (!zone || !zones.includes(zone))
    throw new ServiceError('InvalidParameterValue', `Invalid availability zone: [${zone ?? ''}]`);
  const mappings = await launchMappings(d.snapshots, p, image, input.blockDeviceMappings);
  const ebs = image.rootDeviceType === 'ebs';
  const shutdownBehavior = input.shutdownBehavior ?? 'terminate';
  if (shutdownBehavior !== 'stop' && shutdownBehavior !== 'terminate')
    throw invalidParameter('InstanceInitiatedShutdownBehavior', shutdownBehavior, 'It is stop or terminate.');

  // Reserve, giving everything back if any step fails.
  const placements = await services.place(zone, vmType, min, max);
  const addresses: NetworkAddresses[] = [];
  const reservationId = ids.resourceId('r');
  const launchTime = new Date().toISOString();
  const instanceIds = placements.map(() => ids.resourceId('i'));
  let instances: Instance[];
  try {
    for (const id of instanceIds) addresses.push(await services.allocateAddresses(account, group.name, addressing, id));
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
      userData: input.userData,
      addressing,
      shutdownBehavior,
      disableApiTermination: input.disableApiTermination ?? false,
      clientToken: input.clientToken,
      launchTime,
      rootDeviceType: ebs ? ('ebs' as const) : undefined,
      rootDeviceName: ebs ? image.rootDeviceName : undefined,
    }));
    await d.instances.insert(instances);
  } catch (e) {
    for (const a of addresses) await services.releaseAddresses(a);
    for (const pl of placements) await services.unplace(pl.placementId);
    // The same token launched meanwhile by a request sent at once (a client's retry): its answer.
    const concurrent =
      input.clientToken !== undefined && e instanceof UniqueViolation
        ? await earlierLaunch(d, p, input, input.clientToken)
        : undefined;
    if (concurrent) return concurrent;
    throw e;
  }
  for (const instance of instances) {
    const volumes = mappings.length
      ? d.volumes.launchVolumes(instance, mappings, input.volumesMade)
      : Promise.resolve([]);
    bootOnNode(d, instance, vmType, volumes, key?.publicKeyOpenSsh);
  }
  return { reservationId, instances };
}

/**
 * Hands an instance to its node once its volumes are ready; if they cannot be made or the node
 * cannot take it, it ends terminated with the reason (its volumes released as on terminate).
 */
export function bootOnNode(
  d: InstanceServiceDeps,
  i: Instance,
  vmType: VmType,
  volumes: Promise<NodeVolume[]>,
  publicKey?: string,
): void {
  const handOff = volumes
    .then(async (vols) => {
      if ((await d.instances.get(i.id))?.state !== 'pending') return;
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
        network: {
          mac: i.mac!,
          privateIp: i.privateIp!,
          publicIp: i.publicIp,
          vlan: i.vlan,
          ports: i.groupName ? await d.compute.forwardedPorts(i.accountId, i.groupName) : undefined,
        },
        volumes: vols.length ? vols : undefined,
      };
      return d.compute.nodes.runInstance(i.node!, spec);
    })
    .catch((e: Error) =>
      endInstance(d, i, {
        stateReason: `Server.InternalError: node ${i.node} could not start the instance: ${e.message}`,
      }),
    );
  d.jobs.track(i.id, handOff);
}
