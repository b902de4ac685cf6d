/**
 * How an instance reads in EC2's XML: the instancesSet item (with Eucalyptus' habit of showing
 * 0.0.0.0 until an address is known, as the seeds print it) and reservations grouped from rows.
 */
import type { InstanceBlockDeviceMappingXml, TagXml } from '../../../shared/wire/ec2';
import { type Instance, STATE_CODES } from './store';
import type { Volume } from '../../storage/store';

export function stateOf(i: Pick<Instance, 'state'>) {
  return { code: STATE_CODES[i.state], name: i.state };
}

/** An instance's EBS volumes as EC2's blockDeviceMapping items. */
export type DeviceMappings = InstanceBlockDeviceMappingXml[];

/** An instance's attached volumes as its blockDeviceMapping items. */
export function deviceMappings(volumes: Volume[]): DeviceMappings {
  return volumes.map((v) => ({
    deviceName: v.attachment!.device,
    ebs: {
      volumeId: v.id,
      status: v.attachment!.status,
      attachTime: v.attachment!.time,
      deleteOnTermination: v.attachment!.deleteOnTermination,
    },
  }));
}

export function instanceItem(i: Instance, hypervisor: string, tags: TagXml[] = [], devices: DeviceMappings = []) {
  const publicIp = i.state === 'terminated' ? undefined : i.publicIp;
  return {
    instanceId: i.id,
    imageId: i.imageId,
    instanceState: stateOf(i),
    privateDnsName: i.privateIp ?? '0.0.0.0',
    dnsName: publicIp ?? (i.addressing === 'private' ? i.privateIp : undefined) ?? '0.0.0.0',
    reason: i.transitionReason ?? i.stateReason ?? '',
    keyName: i.keyName,
    amiLaunchIndex: i.launchIndex,
    productCodes: [],
    instanceType: i.instanceType,
    launchTime: i.launchTime,
    placement: { availabilityZone: i.zone, tenancy: 'default' },
    kernelId: i.kernelId,
    ramdiskId: i.ramdiskId,
    platform: i.platform,
    monitoring: { state: 'disabled' },
    privateIpAddress: i.privateIp,
    ipAddress: publicIp,
    groupSet: [{ groupId: i.groupId, groupName: i.groupName }],
    stateReason: i.stateReason ? { code: i.stateReason.split(':')[0], message: i.stateReason } : undefined,
    architecture: i.architecture,
    rootDeviceType: i.rootDeviceType ?? 'instance-store',
    rootDeviceName: i.rootDeviceName ?? '/dev/sda1',
    blockDeviceMapping: devices,
    virtualizationType: 'paravirtual',
    clientToken: i.clientToken,
    tagSet: tags,
    hypervisor,
  };
}

export function reservations(
  instances: Instance[],
  hypervisor: string,
  tagsOf: (id: string) => TagXml[] = () => [],
  devicesOf: (id: string) => DeviceMappings = () => [],
) {
  const byReservation = new Map<string, Instance[]>();
  for (const i of instances) byReservation.set(i.reservationId, [...(byReservation.get(i.reservationId) ?? []), i]);
  return [...byReservation.values()].map((group) => ({
    reservationId: group[0].reservationId,
    ownerId: group[0].accountId,
    groupSet: [{ groupId: group[0].groupId, groupName: group[0].groupName }],
    instancesSet: group.map((i) => instanceItem(i, hypervisor, tagsOf(i.id), devicesOf(i.id))),
  }));
}
