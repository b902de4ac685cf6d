/**
 * How reservations and instances print, in euca2ools' columns: the RESERVATION line (id, owner,
 * groups), then per instance the INSTANCE line (id, image, public and private DNS names or
 * addresses, state, key, launch index, product codes, type, launch time, zone, kernel, ramdisk,
 * platform, monitoring, public and private IP, VPC, subnet, root device type, lifecycle, ...),
 * its BLOCKDEVICE lines and its TAG lines.
 */
import { record } from '../output';
import { listOf, type XmlNode } from '../xml';
import { tagLine } from './tags';

export function instanceLines(i: XmlNode): string[] {
  const placement = i.placement ?? {};
  const lines = [
    record(
      'INSTANCE',
      i.instanceId,
      i.imageId,
      i.dnsName,
      i.privateDnsName,
      i.instanceState?.name,
      i.keyName,
      i.amiLaunchIndex,
      listOf(i, 'productCodes')
        .map((c) => c.productCode)
        .join(','),
      i.instanceType,
      i.launchTime,
      placement.availabilityZone,
      i.kernelId,
      i.ramdiskId,
      i.platform,
      i.monitoring?.state ? `monitoring-${i.monitoring.state}` : undefined,
      i.ipAddress,
      i.privateIpAddress,
      i.vpcId,
      i.subnetId,
      i.rootDeviceType,
      i.instanceLifecycle,
      i.spotInstanceRequestId,
      undefined,
      placement.groupName,
      i.virtualizationType,
      i.hypervisor,
      i.clientToken,
      listOf(i, 'groupSet')
        .map((g) => g.groupId)
        .join(','),
      placement.tenancy,
      i.ebsOptimized,
      i.iamInstanceProfile?.arn,
      i.architecture,
    ),
  ];
  for (const b of listOf(i, 'blockDeviceMapping'))
    lines.push(
      record(
        'BLOCKDEVICE',
        b.deviceName,
        b.ebs?.volumeId,
        b.ebs?.attachTime,
        b.ebs?.deleteOnTermination,
        b.ebs?.volumeType,
        b.ebs?.iops,
      ),
    );
  for (const t of listOf(i, 'tagSet')) lines.push(tagLine(t, i.instanceId));
  return lines;
}

export function reservationLines(r: XmlNode): string[] {
  const groups = listOf(r, 'groupSet')
    .map((g) => g.groupName ?? g.groupId ?? '')
    .join(', ');
  const instances = [...listOf(r, 'instancesSet')].sort(
    (a, b) =>
      String(a.launchTime).localeCompare(String(b.launchTime)) || Number(a.amiLaunchIndex) - Number(b.amiLaunchIndex),
  );
  return [record('RESERVATION', r.reservationId, r.ownerId, groups), ...instances.flatMap(instanceLines)];
}
