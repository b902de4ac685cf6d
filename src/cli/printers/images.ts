/**
 * How images print: the IMAGE line (the seeds' columns: id, manifest location, owner, state,
 * visibility, architecture, type, kernel, ramdisk, platform, root device type, virtualization
 * type, hypervisor), then a BLOCKDEVICEMAPPING line per mapping (EPHEMERAL or EBS, as euca2ools).
 */
import { record } from '../output';
import { listOf, type XmlNode } from '../xml';
import { tagLine } from './tags';

export function imageLines(image: XmlNode): string[] {
  const lines = [
    record(
      'IMAGE',
      image.imageId,
      image.imageLocation,
      image.imageOwnerAlias || image.imageOwnerId,
      image.imageState,
      image.isPublic === 'true' ? 'public' : 'private',
      image.architecture,
      image.imageType,
      image.kernelId,
      image.ramdiskId,
      image.platform,
      image.rootDeviceType,
      image.virtualizationType,
      image.hypervisor,
    ),
  ];
  for (const m of listOf(image, 'blockDeviceMapping')) {
    // Every other mapping (a suppressed device, `none`, too) prints as euca2ools prints it: an EBS line.
    if (m.virtualName) lines.push(record('BLOCKDEVICEMAPPING', 'EPHEMERAL', m.deviceName, m.virtualName));
    else
      lines.push(
        record(
          'BLOCKDEVICEMAPPING',
          'EBS',
          m.deviceName,
          m.ebs?.snapshotId,
          m.ebs?.volumeSize,
          m.ebs?.deleteOnTermination,
          m.ebs?.volumeType,
          m.ebs?.iops,
        ),
      );
  }
  // Then its TAG lines, as euca2ools prints them under the image.
  for (const t of listOf(image, 'tagSet')) lines.push(tagLine(t, image.imageId));
  return lines;
}
