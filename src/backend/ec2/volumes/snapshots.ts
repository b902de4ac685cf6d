/**
 * EBS snapshots, as EC2 has them, apart from the wire: every method takes typed arguments and the
 * principal asking (or none, for the cloud's own work: CreateImage, recovery), and holds its rules
 * and its authorization on the resolved snapshot.
 *
 * A snapshot of an available or in-use volume copies it into Walrus in the background (pending →
 * completed, with progress; an EBS image waiting for it follows) and can be shared with other
 * accounts or made public (createVolumePermission): who may make volumes of it (volumes/service.ts).
 */
import type { Jobs } from '../../jobs';
import { ServiceError } from '../../errors';
import * as ids from '../../ids';
import { isCloudAdmin } from '../../iam/principals';
import { applyFilters, type Filter } from '../../query-params';
import type { StorageController } from '../../storage/controller';
import type { Snapshot, SqlVolumeStore, Volume } from '../../storage/store';
import type { Principal } from '../../store/types';
import type { ImageStore } from '../images/store';
import { tagFilterFields } from '../tags/filters';
import type { TagStore } from '../tags/store';
import { incorrectState } from './service';

const SNAPSHOT_ID = ids.idPattern('snap');

const snapshotNotFound = (id: string) =>
  new ServiceError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);

export interface SnapshotServiceDeps {
  /** Snapshots are kept beside the volumes they copy. */
  volumes: SqlVolumeStore;
  storage: StorageController;
  images: ImageStore;
  /** Tags, for the tag filters of the describe. */
  tags: Pick<TagStore, 'forResources'>;
  /** An account's name (its alias), for the owner-alias filter. */
  accountName(accountId: string): Promise<string | undefined>;
  /** One of the principal's volumes (VolumeService.own): what CreateSnapshot copies. */
  ownVolume(p: Principal, id: string): Promise<Volume>;
  /** Claims the background jobs (snapshot copies) for this front end. */
  jobs: Jobs;
  log(line: string): void;
}

export interface SnapshotQuery {
  ids: string[];
  owners: string[];
  restorableBy: string[];
  filters: Filter[];
}

export class SnapshotService {
  constructor(private readonly d: SnapshotServiceDeps) {}

  /** Whether an account may make volumes of a snapshot: its own, shared with it, or public. */
  private async mayUse(p: Principal, s: Snapshot): Promise<boolean> {
    if (s.accountId === p.account.id || isCloudAdmin({ principal: p })) return true;
    const granted = await this.d.volumes.permissions(s.id);
    return granted.includes('all') || granted.includes(p.account.id);
  }

  /**
   * A launch's snapshot: one the image names comes with the permission to launch it (the image's
   * own); any other must be one the principal may use.
   */
  async launchSnapshot(p: Principal, id: string, ofImage: boolean): Promise<Snapshot> {
    const s = await (ofImage ? this.d.volumes.snapshot(id) : this.usableSnapshot(p, id));
    if (!s) throw snapshotNotFound(id);
    return s;
  }

  /** A snapshot the principal may make volumes of. */
  async usableSnapshot(p: Principal, id: string): Promise<Snapshot> {
    if (!SNAPSHOT_ID.test(id)) throw new ServiceError('InvalidSnapshotID.Malformed', `Invalid id: "${id}"`);
    const s = await this.d.volumes.snapshot(id);
    if (!s || !(await this.mayUse(p, s))) throw snapshotNotFound(id);
    return s;
  }

  private async ownSnapshot(p: Principal, id: string): Promise<Snapshot> {
    const s = await this.usableSnapshot(p, id);
    if (s.accountId !== p.account.id) throw snapshotNotFound(id);
    return s;
  }

  /** CreateSnapshot of one of the principal's available or in-use volumes. */
  async createSnapshot(p: Principal, input: { volumeId: string; description: string }): Promise<Snapshot> {
    const v = await this.d.ownVolume(p, input.volumeId);
    if (v.status !== 'available' && v.status !== 'in-use')
      throw incorrectState(`Volume '${v.id}' is ${v.status}: a snapshot needs an available or in-use volume.`);
    if (input.description.length > 255)
      throw new ServiceError('InvalidParameterValue', 'The description is longer than 255 characters');
    return this.snapshot(v, input.description);
  }

  /** Starts a snapshot of a volume; copying into Walrus goes on in the background. */
  async snapshot(v: Volume, description: string): Promise<Snapshot> {
    const s: Snapshot = {
      id: ids.resourceId('snap'),
      accountId: v.accountId,
      volumeId: v.id,
      volumeSizeGiB: v.sizeGiB,
      status: 'pending',
      progress: 0,
      description,
      started: new Date().toISOString(),
    };
    await this.d.volumes.insertSnapshot(s);
    this.copySnapshot(s, v);
    return s;
  }

  /**
   * Copies a pending snapshot's volume into Walrus (again, from its start, when a restart cut an
   * earlier copy short): it ends completed, or error; images made from it (CreateImage) follow.
   */
  copySnapshot(s: Snapshot, v: Volume): void {
    const { volumes, storage, log } = this.d;
    // Progress is recorded in the order it was made, and the end after all of it: a late progress
    // write must never take a completed snapshot back to pending (on a database server, writes
    // sent at once may run in any order).
    let recorded = Promise.resolve();
    const copy = storage
      .snapshot(v.zone, v.id, s.id, (p) => {
        recorded = recorded.then(() =>
          volumes
            .setSnapshotProgress(s.id, 'pending', Math.min(p, 99))
            .catch((e: Error) => log(`${s.id}: progress not recorded: ${e.message}`)),
        );
      })
      .finally(() => recorded)
      .then(
        async () => {
          await volumes.setSnapshotProgress(s.id, 'completed', 100);
          await this.settleImagesOf(s.id, true);
        },
        async (e: Error) => {
          log(`${s.id}: snapshot failed: ${e.message}`);
          await volumes.setSnapshotProgress(s.id, 'error', 0);
          await this.settleImagesOf(s.id, false);
        },
      );
    this.d.jobs.track(s.id, copy);
  }

  /** An EBS image waiting for its root snapshot is available once that is complete, failed if it failed. */
  private async settleImagesOf(snapshotId: string, completed: boolean): Promise<void> {
    const { images } = this.d;
    for (const image of await images.inState('pending')) {
      const root =
        image.rootDeviceType === 'ebs' && image.blockDeviceMappings.find((m) => m.deviceName === image.rootDeviceName);
      if (!root || root.snapshotId !== snapshotId) continue;
      if (completed) await images.setState(image.id, 'available');
      else await images.setState(image.id, 'failed', `the snapshot ${snapshotId} failed`);
    }
  }

  /** DescribeSnapshots: those the principal may use, narrowed by ids, owners, RestorableBy and filters. */
  async describeSnapshots(p: Principal, q: SnapshotQuery): Promise<Snapshot[]> {
    const self = (o: string) => (o === 'self' ? p.account.id : o);
    const owners = q.owners.map(self);
    const restorableBy = q.restorableBy.map(self);
    let found: Snapshot[] = [];
    for (const s of await this.d.volumes.allSnapshots()) if (await this.mayUse(p, s)) found.push(s);
    if (q.ids.length) {
      for (const id of q.ids) if (!found.some((s) => s.id === id)) throw snapshotNotFound(id);
      found = found.filter((s) => q.ids.includes(s.id));
    }
    if (owners.length) found = found.filter((s) => owners.includes(s.accountId));
    if (restorableBy.length) {
      const restorable: Snapshot[] = [];
      for (const s of found) {
        const granted = await this.d.volumes.permissions(s.id);
        if (restorableBy.some((r) => r === s.accountId || granted.includes(r) || granted.includes('all')))
          restorable.push(s);
      }
      found = restorable;
    }
    const tags = await this.d.tags.forResources(
      p.account.id,
      found.map((s) => s.id),
    );
    const aliases = new Map<string, string | undefined>();
    if (q.filters.some((f) => f.name === 'owner-alias'))
      for (const id of new Set(found.map((s) => s.accountId))) aliases.set(id, await this.d.accountName(id));
    return applyFilters(found, q.filters, {
      'snapshot-id': (s) => s.id,
      'volume-id': (s) => s.volumeId,
      status: (s) => s.status,
      'owner-id': (s) => s.accountId,
      'owner-alias': (s) => aliases.get(s.accountId),
      description: (s) => s.description,
      'volume-size': (s) => String(s.volumeSizeGiB),
      'start-time': (s) => s.started,
      progress: (s) => `${s.progress}%`,
      encrypted: () => 'false',
      ...tagFilterFields(q.filters, (s: Snapshot) => tags.get(s.id) ?? []),
    });
  }

  /** DeleteSnapshot: one of the principal's, once it is no longer being made. */
  async deleteSnapshot(p: Principal, id: string): Promise<void> {
    const s = await this.ownSnapshot(p, id);
    if (s.status === 'pending') throw incorrectState(`Snapshot '${s.id}' is still being created.`);
    await this.d.storage.deleteSnapshot(s.id);
    await this.d.volumes.deleteSnapshot(s.id);
  }

  /** Who may make volumes of one of the principal's snapshots: account ids, or `all`. */
  async snapshotPermissions(p: Principal, id: string): Promise<{ snapshotId: string; grantees: string[] }> {
    const s = await this.ownSnapshot(p, id);
    return { snapshotId: s.id, grantees: await this.d.volumes.permissions(s.id) };
  }

  async modifySnapshotPermissions(p: Principal, id: string, add: string[], remove: string[]): Promise<void> {
    const s = await this.ownSnapshot(p, id);
    for (const g of [...add, ...remove]) {
      if (g !== 'all' && !/^\d{12}$/.test(g))
        throw new ServiceError(
          'InvalidParameterValue',
          `Invalid user or group: ${g} (an account id, or the group all)`,
        );
    }
    if (!add.length && !remove.length)
      throw new ServiceError('MissingParameter', 'The request must name accounts or the group all to add or remove');
    await this.d.volumes.setPermissions(s.id, add, remove);
  }

  async resetSnapshotPermissions(p: Principal, id: string): Promise<void> {
    await this.d.volumes.resetPermissions((await this.ownSnapshot(p, id)).id);
  }
}
