/**
 * Volumes, snapshots and import conversion tasks as the cloud keeps them. A volume has at most one
 * attachment (instance, device, status); a snapshot remembers its volume, size and progress, and
 * which accounts (or `all`) may create volumes from it.
 */
import type { SqlDatabase } from '../store/sql';

export type VolumeStatus = 'creating' | 'available' | 'in-use' | 'deleting' | 'deleted' | 'error';
export type AttachStatus = 'attaching' | 'attached' | 'detaching';
export type SnapshotStatus = 'pending' | 'completed' | 'error';
export type TaskState = 'active' | 'completed' | 'cancelling' | 'cancelled';

export interface Attachment {
  instanceId: string;
  device: string;
  status: AttachStatus;
  time: string;
  deleteOnTermination: boolean;
}

export interface Volume {
  id: string;
  accountId: string;
  zone: string;
  sizeGiB: number;
  snapshotId?: string;
  status: VolumeStatus;
  created: string;
  attachment?: Attachment;
}

export interface Snapshot {
  id: string;
  accountId: string;
  volumeId: string;
  volumeSizeGiB: number;
  status: SnapshotStatus;
  progress: number;
  description: string;
  started: string;
}

export interface ConversionTask {
  id: string;
  accountId: string;
  state: TaskState;
  statusMessage: string;
  zone: string;
  bucket: string;
  objectKey: string;
  format: string;
  bytes: number;
  sizeGiB: number;
  volumeId?: string;
  description: string;
  expires: string;
}

/** A row of volumes. */
interface VolumeRow {
  id: string;
  account_id: string;
  zone: string;
  size_gib: number;
  snapshot_id: string | null;
  status: VolumeStatus;
  created: string;
  instance_id: string | null;
  device: string;
  attach_status: AttachStatus;
  attach_time: string;
  delete_on_termination: number;
}
/** A row of snapshots. */
interface SnapshotRow {
  id: string;
  account_id: string;
  volume_id: string;
  volume_size_gib: number;
  status: SnapshotStatus;
  progress: number;
  description: string;
  started: string;
}
/** A row of conversion_tasks. */
interface TaskRow {
  id: string;
  account_id: string;
  state: TaskState;
  status_message: string;
  zone: string;
  bucket: string;
  object_key: string;
  format: string;
  bytes: number;
  size_gib: number;
  volume_id: string | null;
  description: string;
  expires: string;
}

const toVolume = (r: VolumeRow): Volume => ({
  id: r.id,
  accountId: r.account_id,
  zone: r.zone,
  sizeGiB: r.size_gib,
  snapshotId: r.snapshot_id ?? undefined,
  status: r.status,
  created: r.created,
  attachment: r.instance_id
    ? {
        instanceId: r.instance_id,
        device: r.device,
        status: r.attach_status,
        time: r.attach_time,
        deleteOnTermination: !!r.delete_on_termination,
      }
    : undefined,
});

const toSnapshot = (r: SnapshotRow): Snapshot => ({
  id: r.id,
  accountId: r.account_id,
  volumeId: r.volume_id,
  volumeSizeGiB: r.volume_size_gib,
  status: r.status,
  progress: r.progress,
  description: r.description,
  started: r.started,
});

const toTask = (r: TaskRow): ConversionTask => ({
  id: r.id,
  accountId: r.account_id,
  state: r.state,
  statusMessage: r.status_message,
  zone: r.zone,
  bucket: r.bucket,
  objectKey: r.object_key,
  format: r.format,
  bytes: r.bytes,
  sizeGiB: r.size_gib,
  volumeId: r.volume_id ?? undefined,
  description: r.description,
  expires: r.expires,
});

export class SqlVolumeStore {
  constructor(private readonly db: SqlDatabase) {}

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  // Volumes
  async insertVolume(v: Volume): Promise<void> {
    await this.db
      .prepare(
        'INSERT INTO volumes (id, account_id, zone, size_gib, snapshot_id, status, created) VALUES (?, ?, ?, ' +
          '?, ?, ?, ?)',
      )
      .run(v.id, v.accountId, v.zone, v.sizeGiB, v.snapshotId ?? null, v.status, v.created);
  }
  async volume(id: string): Promise<Volume | undefined> {
    const r = (await this.db.prepare('SELECT * FROM volumes WHERE id = ?').get(id)) as VolumeRow | undefined;
    return r && toVolume(r);
  }
  /** An account's volumes (every account's when accountId is undefined), deleted ones left out. */
  async volumes(accountId?: string): Promise<Volume[]> {
    const rows =
      accountId === undefined
        ? await this.db.prepare("SELECT * FROM volumes WHERE status != 'deleted' ORDER BY created, id").all()
        : await this.db
            .prepare("SELECT * FROM volumes WHERE account_id = ? AND status != 'deleted' ORDER BY created, id")
            .all(accountId);
    return (rows as VolumeRow[]).map(toVolume);
  }
  /** Every attached volume, by instance (for describing instances: few volumes, one query). */
  async attachments(): Promise<Map<string, Volume[]>> {
    const out = new Map<string, Volume[]>();
    for (const v of (
      (await this.db
        .prepare('SELECT * FROM volumes WHERE instance_id IS NOT NULL ORDER BY device')
        .all()) as VolumeRow[]
    ).map(toVolume)) {
      out.set(v.attachment!.instanceId, [...(out.get(v.attachment!.instanceId) ?? []), v]);
    }
    return out;
  }
  async attachedTo(instanceId: string): Promise<Volume[]> {
    return (
      (await this.db
        .prepare('SELECT * FROM volumes WHERE instance_id = ? ORDER BY device')
        .all(instanceId)) as VolumeRow[]
    ).map(toVolume);
  }
  async setVolumeStatus(id: string, status: VolumeStatus): Promise<void> {
    await this.db.prepare('UPDATE volumes SET status = ? WHERE id = ?').run(status, id);
  }
  /** Moves a volume on only from one of `from` (checked in the same statement); false if it had moved. */
  async moveVolumeStatus(id: string, from: VolumeStatus[], to: VolumeStatus): Promise<boolean> {
    const r = await this.db
      .prepare(`UPDATE volumes SET status = ? WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`)
      .run(to, id, ...from);
    return r.changes > 0;
  }
  /**
   * Whether the volume attached to an instance at a device goes when the instance terminates;
   * only while it is still attached there (checked in the same statement): false if it is not.
   */
  async setDeleteOnTermination(instanceId: string, device: string, value: boolean): Promise<boolean> {
    const r = await this.db
      .prepare('UPDATE volumes SET delete_on_termination = ? WHERE instance_id = ? AND device = ?')
      .run(value ? 1 : 0, instanceId, device);
    return r.changes > 0;
  }
  async setAttachment(id: string, a: Attachment | undefined): Promise<void> {
    await this.db
      .prepare(
        'UPDATE volumes SET instance_id = ?, device = ?, attach_status = ?, attach_time = ?, ' +
          'delete_on_termination = ? WHERE id = ?',
      )
      .run(
        a?.instanceId ?? null,
        a?.device ?? null,
        a?.status ?? null,
        a?.time ?? null,
        a?.deleteOnTermination ? 1 : 0,
        id,
      );
  }
  async deleteVolume(id: string): Promise<void> {
    await this.db.prepare('DELETE FROM volumes WHERE id = ?').run(id);
  }

  // Snapshots
  async insertSnapshot(s: Snapshot): Promise<void> {
    await this.db
      .prepare(
        'INSERT INTO snapshots (id, account_id, volume_id, volume_size_gib, status, progress, description, ' +
          'started) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(s.id, s.accountId, s.volumeId, s.volumeSizeGiB, s.status, s.progress, s.description, s.started);
  }
  async snapshot(id: string): Promise<Snapshot | undefined> {
    const r = (await this.db.prepare('SELECT * FROM snapshots WHERE id = ?').get(id)) as SnapshotRow | undefined;
    return r && toSnapshot(r);
  }
  async allSnapshots(): Promise<Snapshot[]> {
    return ((await this.db.prepare('SELECT * FROM snapshots ORDER BY started, id').all()) as SnapshotRow[]).map(
      toSnapshot,
    );
  }
  async setSnapshotProgress(id: string, status: SnapshotStatus, progress: number): Promise<void> {
    await this.db.prepare('UPDATE snapshots SET status = ?, progress = ? WHERE id = ?').run(status, progress, id);
  }
  async deleteSnapshot(id: string): Promise<void> {
    await this.db.prepare('DELETE FROM snapshots WHERE id = ?').run(id);
  }
  async permissions(snapshotId: string): Promise<string[]> {
    return (
      (await this.db
        .prepare('SELECT grantee FROM snapshot_permissions WHERE snapshot_id = ? ORDER BY grantee')
        .all(snapshotId)) as { grantee: string }[]
    ).map((r) => r.grantee);
  }
  async setPermissions(snapshotId: string, add: string[], remove: string[]): Promise<void> {
    await this.transaction(async () => {
      for (const g of remove)
        await this.db
          .prepare('DELETE FROM snapshot_permissions WHERE snapshot_id = ? AND grantee = ?')
          .run(snapshotId, g);
      for (const g of add)
        await this.db
          .prepare('INSERT INTO snapshot_permissions (snapshot_id, grantee) VALUES (?, ?) ON CONFLICT DO NOTHING')
          .run(snapshotId, g);
    });
  }
  async resetPermissions(snapshotId: string): Promise<void> {
    await this.db.prepare('DELETE FROM snapshot_permissions WHERE snapshot_id = ?').run(snapshotId);
  }

  // Conversion tasks
  async insertTask(t: ConversionTask): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO conversion_tasks (id, account_id, state, status_message, zone, bucket, object_key, format, bytes, size_gib, volume_id, description, expires)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        t.id,
        t.accountId,
        t.state,
        t.statusMessage,
        t.zone,
        t.bucket,
        t.objectKey,
        t.format,
        t.bytes,
        t.sizeGiB,
        t.volumeId ?? null,
        t.description,
        t.expires,
      );
  }
  async task(id: string): Promise<ConversionTask | undefined> {
    const r = (await this.db.prepare('SELECT * FROM conversion_tasks WHERE id = ?').get(id)) as TaskRow | undefined;
    return r && toTask(r);
  }
  /** Every account's conversion tasks in a state (recovery looks for the active ones). */
  async tasksIn(state: TaskState): Promise<ConversionTask[]> {
    return (
      (await this.db.prepare('SELECT * FROM conversion_tasks WHERE state = ? ORDER BY id').all(state)) as TaskRow[]
    ).map(toTask);
  }
  async tasks(accountId: string): Promise<ConversionTask[]> {
    return (
      (await this.db
        .prepare('SELECT * FROM conversion_tasks WHERE account_id = ? ORDER BY id')
        .all(accountId)) as TaskRow[]
    ).map(toTask);
  }
  async setTaskState(id: string, state: TaskState, statusMessage = ''): Promise<void> {
    await this.db
      .prepare('UPDATE conversion_tasks SET state = ?, status_message = ? WHERE id = ?')
      .run(state, statusMessage, id);
  }
}
