/**
 * Parsers for the argument forms several commands share, turning them into Query parameters:
 * block device mappings (`DEVICE=none | ephemeralN | [SNAP-ID]:[GiB]:[true|false]:[TYPE[:IOPS]]`),
 * read as euca2ools reads -b/--block-device-mapping, and refused in its words (argument errors).
 */
import { UsageError } from '../shared/errors';
import { type Params } from './query';

const bad = (message: string) => new UsageError(`argument -b/--block-device-mapping: ${message}`);

export function blockDeviceMapping(text: string): Params {
  const parts = text.split('=');
  if (parts.length !== 2) throw bad(`block device mapping "${text}" must have form DEVICE=MAPPED`);
  const [DeviceName, mapped] = parts;
  if (mapped.toLowerCase() === 'none') return { DeviceName, NoDevice: 'true' };
  if (mapped.startsWith('ephemeral')) return { DeviceName, VirtualName: mapped };
  if (!mapped)
    throw bad(`invalid block device mapping "${text}".  Use "${DeviceName}=none" to suppress an existing mapping.`);
  if (!/^(snap-|vol-|:)/.test(mapped)) throw bad(`invalid block device mapping "${text}"`);
  const bits = mapped.split(':');
  if (bits.length > 5)
    throw bad(
      `EBS block device mapping "${text}" must have form DEVICE=[SNAP-ID]:[GiB]:[true|false]:[standard|TYPE[:IOPS]]`,
    );
  const [snapshot, size, deleteOnTermination, type, iops] = bits;
  if (size && !/^\d+$/.test(size)) throw bad(`second element of EBS block device mapping "${text}" must be an integer`);
  if (deleteOnTermination && !/^(true|false)$/i.test(deleteOnTermination))
    throw bad(`third element of EBS block device mapping "${text}" must be "true" or "false"`);
  if (iops && type === 'standard')
    throw bad(`fifth element of EBS block device mapping "${text}" is not allowed with volume type "standard"`);
  const Ebs = {
    SnapshotId: snapshot || undefined,
    VolumeSize: size || undefined,
    DeleteOnTermination: deleteOnTermination?.toLowerCase() || undefined,
    VolumeType: type || undefined,
    Iops: iops || undefined,
  };
  if (Object.values(Ebs).every((v) => v === undefined))
    throw bad(
      `EBS block device mapping "${text}" must specify at least one element.  ` +
        `Use "${DeviceName}=none" to suppress an existing mapping.`,
    );
  return { DeviceName, Ebs };
}
