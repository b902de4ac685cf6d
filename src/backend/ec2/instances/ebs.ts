/**
 * Instances and their EBS volumes. An EBS-backed image's root mapping (and any other EBS mapping
 * of the image or of RunInstances' block device mappings) becomes a volume of the instance's own,
 * made from the snapshot in the instance's zone and attached under the mapping's device before
 * the node boots it; the root one is its root disk. Stopping such an instance keeps its volumes
 * and gives back its place on the node and its addresses; starting it places it again (on any
 * node of its zone) and boots it from the same volumes.
 */
import { invalidParameter, ServiceError } from '../../errors';
import type { Principal } from '../../store/types';
import { type Image } from '../images/store';
import { MAX_VOLUME_GIB, type VolumeMapping } from '../volumes/service';
import type { SnapshotService } from '../volumes/snapshots';

/** A block device mapping of RunInstances: a volume, or (null) a device left out or ephemeral. */
export type RequestedMapping = { device: string } & ({ volume: Omit<VolumeMapping, 'device'> } | { volume: null });

/** The volumes a launch of this image makes: the image's EBS mappings, then the request's (which win). */
export async function launchMappings(
  snapshots: Pick<SnapshotService, 'launchSnapshot'>,
  p: Principal,
  image: Image,
  requested: RequestedMapping[],
): Promise<VolumeMapping[]> {
  const byDevice = new Map<string, VolumeMapping | null>();
  for (const m of image.blockDeviceMappings) {
    if (m.snapshotId || m.volumeSize)
      byDevice.set(m.deviceName, {
        device: m.deviceName,
        snapshotId: m.snapshotId,
        sizeGiB: m.volumeSize,
        deleteOnTermination: m.deleteOnTermination ?? true,
      });
  }
  for (const r of requested) byDevice.set(r.device, r.volume && { device: r.device, ...r.volume });
  const mappings = [...byDevice.values()].filter((m): m is VolumeMapping => m !== null);
  if (image.rootDeviceType === 'ebs' && !mappings.some((m) => m.device === image.rootDeviceName)) {
    throw invalidParameter(
      'BlockDeviceMapping',
      image.rootDeviceName,
      `The EBS image ${image.id} has no volume for its root device.`,
    );
  }
  const fromImage = new Set(image.blockDeviceMappings.map((m) => m.snapshotId).filter(Boolean));
  for (const m of mappings) {
    const snapshot = m.snapshotId
      ? await snapshots.launchSnapshot(p, m.snapshotId, fromImage.has(m.snapshotId))
      : undefined;
    if (snapshot && snapshot.status !== 'completed')
      throw new ServiceError('IncorrectState', `Snapshot '${snapshot.id}' is not completed.`);
    m.sizeGiB ??= snapshot?.volumeSizeGiB;
    if (
      !m.sizeGiB ||
      !Number.isInteger(m.sizeGiB) ||
      m.sizeGiB > MAX_VOLUME_GIB ||
      (snapshot && m.sizeGiB < snapshot.volumeSizeGiB)
    ) {
      throw invalidParameter(
        'BlockDeviceMapping',
        m.device,
        `The volume size must be a whole number of GiB from the snapshot's size to ${MAX_VOLUME_GIB}.`,
      );
    }
  }
  return mappings;
}
