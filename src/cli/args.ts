/**
 * Parsers for the argument forms several commands share, turning them into Query parameters:
 * block device mappings (`DEVICE=none | ephemeralN | [SNAP]:[SIZE]:[true|false]:[TYPE[:IOPS]]`).
 */
import { CliError } from '../shared/errors';
import { type Params } from './query';

export function blockDeviceMapping(text: string): Params {
  const eq = text.indexOf('=');
  if (eq <= 0)
    throw new CliError('InvalidParameterValue', `block device mapping must have the form DEVICE=MAPPED: ${text}`);
  const DeviceName = text.slice(0, eq);
  const mapped = text.slice(eq + 1);
  if (mapped === 'none') return { DeviceName, NoDevice: '' };
  if (/^ephemeral\d+$/.test(mapped)) return { DeviceName, VirtualName: mapped };
  const [snapshot, size, deleteOnTermination, type, iops] = mapped.split(':');
  if (snapshot && !/^snap-[0-9a-fA-F]{8,}$/.test(snapshot))
    throw new CliError('InvalidParameterValue', `"${snapshot}" is not a snapshot ID in block device mapping ${text}`);
  if (size && !/^\d+$/.test(size))
    throw new CliError(
      'InvalidParameterValue',
      `volume size must be a whole number of GiB in block device mapping ${text}`,
    );
  if (deleteOnTermination && !/^(true|false)$/.test(deleteOnTermination))
    throw new CliError(
      'InvalidParameterValue',
      `delete-on-termination must be true or false in block device mapping ${text}`,
    );
  if (!snapshot && !size)
    throw new CliError('InvalidParameterValue', `block device mapping ${text} needs a snapshot or a size`);
  return {
    DeviceName,
    Ebs: {
      SnapshotId: snapshot || undefined,
      VolumeSize: size || undefined,
      DeleteOnTermination: deleteOnTermination || undefined,
      VolumeType: type || undefined,
      Iops: iops || undefined,
    },
  };
}
