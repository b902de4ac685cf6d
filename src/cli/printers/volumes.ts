/**
 * How EBS resources print, in euca2ools' columns: VOLUME (with its ATTACHMENT and TAG lines),
 * ATTACHMENT alone for attach/detach, SNAPSHOT, and an import's conversion task as
 * IMPORTVOLUME/DISKIMAGE lines of name-value pairs.
 */
import { record } from '../output';
import { listOf, type XmlNode } from '../xml';
import { tagLine } from './tags';

export const attachmentLine = (a: XmlNode) =>
  record('ATTACHMENT', a.volumeId, a.instanceId, a.device, a.status, a.attachTime);

export function volumeLines(v: XmlNode): string[] {
  return [
    record(
      'VOLUME',
      v.volumeId,
      v.size,
      v.snapshotId,
      v.availabilityZone,
      v.status,
      v.createTime,
      v.volumeType || 'standard',
      v.iops,
    ),
    ...listOf(v, 'attachmentSet').map(attachmentLine),
    ...listOf(v, 'tagSet').map((t) => tagLine(t, v.volumeId)),
  ];
}

export function snapshotLines(s: XmlNode): string[] {
  return [
    record(
      'SNAPSHOT',
      s.snapshotId,
      s.volumeId,
      s.status,
      s.startTime,
      s.progress,
      s.ownerId,
      s.volumeSize,
      s.description,
    ),
    ...listOf(s, 'tagSet').map((t) => tagLine(t, s.snapshotId)),
  ];
}

/** Name-value pairs, for the ones that are set. */
const pairs = (entries: [string, unknown][]) =>
  entries.filter(([, v]) => v !== undefined && v !== '' && v !== null).flat() as string[];

export function conversionTaskLines(t: XmlNode): string[] {
  const iv = t.importVolume ?? {};
  const image = iv.image ?? {};
  const volume = iv.volume ?? {};
  const task = pairs([
    ['TaskType', 'IMPORTVOLUME'],
    ['TaskId', t.conversionTaskId],
    ['ExpirationTime', t.expirationTime],
    ['Status', t.state],
    ['StatusMessage', t.statusMessage],
  ]);
  return [
    record(task[0], ...task.slice(1)),
    record(
      'DISKIMAGE',
      ...pairs([
        ['DiskImageFormat', image.format],
        ['DiskImageSize', image.size],
        ['VolumeId', volume.id],
        ['VolumeSize', volume.size],
        ['AvailabilityZone', iv.availabilityZone],
        ['ApproximateBytesConverted', iv.bytesConverted],
      ]),
    ),
  ];
}
