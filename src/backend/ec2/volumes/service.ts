/**
 * EBS volumes, as EC2 has them, apart from the wire: every method takes typed arguments and the
 * principal asking (or none, for the cloud's own work: RunInstances' volumes, node loss,
 * recovery), and holds its rules and its authorization on the resolved volume.
 *
 * A volume is created (empty, or from a snapshot the caller may use: snapshots.ts) in a zone,
 * attached to one running instance of the same zone at a time through its node controller
 * (attaching → attached, the volume in-use; detaching → available), and deleted only when
 * available.
 */
import type { VolumeSource } from '../../../shared/nc-protocol';
import type { Jobs } from '../../jobs';
import { ServiceError } from '../../errors';
import * as ids from '../../ids';
import { isCloudAdmin } from '../../iam/principals';
import { applyFilters, type Filter } from '../../query-params';
import type { StorageController } from '../../storage/controller';
import type { Snapshot, SqlVolumeStore, Volume } from '../../storage/store';
import type { Principal } from '../../store/types';
import type { NodeOperations } from '../instances/services';
import type { Instance, InstanceStore } from '../instances/store';
import { tagFilterFields } from '../tags/filters';
import type { TagStore } from '../tags/store';
import type { SnapshotService } from './snapshots';

/** The seeds' limit for EBS volumes and images: 1 TiB. */
export const MAX_VOLUME_GIB = 1024;

const VOLUME_ID = ids.idPattern('vol');
const DEVICE = /^\/dev\/(sd[b-z]|xvd[b-z]|vd[b-z]|hd[b-z])[1-9]?$/;

const volumeNotFound = (id: string) => new ServiceError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
export const incorrectState = (message: string) => new ServiceError('IncorrectState', message);

/** What a node puts into an instance's folder under its device name: a volume's file, or its export. */
export type NodeVolume = { device: string; root?: boolean } & VolumeSource;

/** Names one attachment of a volume (its export's identity starts with it): the instance, and when. */
const attachmentName = (instanceId: string, time: string) => `${instanceId}-${Date.parse(time) || 0}`;

/** A volume an instance is to be launched with. */
export interface VolumeMapping {
  device: string;
  snapshotId?: string;
  sizeGiB?: number;
  deleteOnTermination: boolean;
}

export interface VolumeServiceDeps {
  volumes: SqlVolumeStore;
  storage: StorageController;
  instances: InstanceStore;
  /** Which snapshots a principal may make volumes of. */
  snapshots: Pick<SnapshotService, 'usableSnapshot'>;
  nodes: Pick<NodeOperations, 'attachVolume' | 'detachVolume'>;
  /** Tags, for the tag filters of the describes. */
  tags: Pick<TagStore, 'forResources'>;
  zones(): Promise<string[]>;
  /** Claims the background jobs (volume creations, attaches and detaches) for this front end. */
  jobs: Jobs;
  log(line: string): void;
}

export interface VolumeQuery {
  ids: string[];
  /** Every account's volumes (the cloud administrator's `verbose`). */
  verbose: boolean;
  filters: Filter[];
}

export class VolumeService {
  constructor(private readonly d: VolumeServiceDeps) {}

  // Volumes

  /** One of the principal's volumes. */
  async own(p: Principal, id: string): Promise<Volume> {
    if (!VOLUME_ID.test(id)) throw new ServiceError('InvalidVolumeID.Malformed', `Invalid id: "${id}"`);
    const v = await this.d.volumes.volume(id);
    if (!v || v.status === 'deleted' || v.accountId !== p.account.id) throw volumeNotFound(id);
    return v;
  }

  /** CreateVolume: empty of `sizeGiB`, or from a completed snapshot the principal may use. */
  async create(p: Principal, input: { zone: string; sizeGiB?: number; snapshotId?: string }): Promise<Volume> {
    await this.checkZone(input.zone);
    const snapshot = input.snapshotId ? await this.d.snapshots.usableSnapshot(p, input.snapshotId) : undefined;
    if (snapshot && snapshot.status !== 'completed')
      throw incorrectState(`Snapshot '${snapshot.id}' is not completed (it is ${snapshot.status}).`);
    return (await this.newVolume(p.account.id, input.zone, this.size(input.sizeGiB, snapshot), { snapshot })).volume;
  }

  /**
   * Creates a volume record (creating) and, in the background, its file, then fills it (from a
   * snapshot, an imported image): it turns available, or error. Used by CreateVolume,
   * RunInstances (EBS root and -b volumes) and ImportVolume, which checked the caller already.
   */
  async newVolume(
    accountId: string,
    zone: string,
    sizeGiB: number,
    opts: { snapshot?: Snapshot; fill?: (v: Volume) => Promise<void> } = {},
  ): Promise<{ volume: Volume; ready: Promise<void> }> {
    const { snapshot, fill } = opts;
    const v: Volume = {
      id: ids.resourceId('vol'),
      accountId,
      zone,
      sizeGiB,
      snapshotId: snapshot?.id,
      status: 'creating',
      created: new Date().toISOString(),
    };
    const { volumes, storage, log } = this.d;
    await volumes.insertVolume(v);
    const ready = (async () => {
      await storage.create(zone, v.id, sizeGiB);
      if (snapshot) await storage.restore(zone, v.id, snapshot.id);
      await fill?.(v);
    })().then(
      async () => {
        if ((await volumes.volume(v.id))?.status !== 'creating')
          throw new Error(`${v.id} was deleted while it was being created`);
        await volumes.setVolumeStatus(v.id, 'available');
      },
      async (e: Error) => {
        log(`${v.id}: creation failed: ${e.message}`);
        if ((await volumes.volume(v.id))?.status === 'creating') await volumes.setVolumeStatus(v.id, 'error');
        throw e;
      },
    );
    ready.catch(() => undefined);
    this.d.jobs.track(v.id, ready);
    return { volume: v, ready };
  }

  /** DescribeVolumes: the principal's volumes (every account's with `verbose`, for the cloud admin). */
  async describe(p: Principal, q: VolumeQuery): Promise<Volume[]> {
    const verbose = q.verbose && isCloudAdmin({ principal: p });
    let found = await this.d.volumes.volumes(verbose ? undefined : p.account.id);
    if (q.ids.length) {
      for (const id of q.ids) if (!found.some((v) => v.id === id)) throw volumeNotFound(id);
      found = found.filter((v) => q.ids.includes(v.id));
    }
    const tags = await this.d.tags.forResources(
      p.account.id,
      found.map((v) => v.id),
    );
    return applyFilters(found, q.filters, {
      'volume-id': (v) => v.id,
      status: (v) => v.status,
      'availability-zone': (v) => v.zone,
      size: (v) => String(v.sizeGiB),
      'snapshot-id': (v) => v.snapshotId,
      'create-time': (v) => v.created,
      'volume-type': () => 'standard',
      encrypted: () => 'false',
      'attachment.instance-id': (v) => v.attachment?.instanceId,
      'attachment.device': (v) => v.attachment?.device,
      'attachment.status': (v) => v.attachment?.status,
      'attachment.attach-time': (v) => v.attachment?.time,
      'attachment.delete-on-termination': (v) => (v.attachment ? String(v.attachment.deleteOnTermination) : undefined),
      ...tagFilterFields(q.filters, (v: Volume) => tags.get(v.id) ?? []),
    });
  }

  /** DeleteVolume: only an available (or failed) volume that no instance holds. */
  async delete(p: Principal, id: string): Promise<void> {
    const v = await this.own(p, id);
    if (v.attachment || v.status === 'in-use')
      throw new ServiceError(
        'VolumeInUse',
        `Volume ${v.id} is currently attached to ${v.attachment?.instanceId ?? 'an instance'}`,
      );
    if (v.status !== 'available' && v.status !== 'error')
      throw incorrectState(`Volume '${v.id}' is ${v.status}, not available.`);
    // Only the request that moves it on deletes it (an attach may have taken it meanwhile).
    if (!(await this.d.volumes.moveVolumeStatus(v.id, ['available', 'error'], 'deleting')))
      throw incorrectState(`Volume '${v.id}' changed while the request ran.`);
    await this.destroy(v);
  }

  /** Removes a volume's file and marks it deleted (describes no longer list it). */
  async destroy(v: Volume): Promise<void> {
    await this.d.volumes.setVolumeStatus(v.id, 'deleting');
    await this.d.storage.remove(v.zone, v.id);
    await this.d.volumes.setVolumeStatus(v.id, 'deleted');
  }

  /** AttachVolume: one of the principal's available volumes to one of its running instances. */
  async attach(
    p: Principal,
    input: { volumeId: string; instanceId: string; device: string },
  ): Promise<Volume['attachment'] & {}> {
    const v = await this.own(p, input.volumeId);
    const i = await this.ownRunningInstance(p, input.instanceId);
    const { device } = input;
    if (!DEVICE.test(device))
      throw new ServiceError(
        'InvalidParameterValue',
        `Value (${device}) for parameter device is invalid. ${device} is not a valid EBS device name ` +
          `(such as /dev/sdf).`,
      );
    if (v.attachment) throw new ServiceError('VolumeInUse', `${v.id} is already attached to an instance`);
    if (v.status !== 'available') throw incorrectState(`Volume '${v.id}' is ${v.status}, not available.`);
    if (v.zone !== i.zone)
      throw new ServiceError(
        'InvalidVolume.ZoneMismatch',
        `The volume '${v.id}' is not in the same availability zone as instance '${i.id}'`,
      );
    if ((await this.d.volumes.attachedTo(i.id)).some((a) => a.attachment?.device === device))
      throw new ServiceError('InvalidParameterValue', `Attachment point ${device} is already in use`);
    return (await this.attachToInstance(v, i, device)).attachment;
  }

  /**
   * Links a volume into an instance through its node (in the background: `done` settles when the
   * node answered); on failure the volume is available again.
   */
  async attachToInstance(
    v: Volume,
    i: Instance,
    device: string,
    deleteOnTermination = false,
  ): Promise<{ attachment: NonNullable<Volume['attachment']>; done: Promise<void> }> {
    const { volumes } = this.d;
    const attachment = {
      instanceId: i.id,
      device,
      status: 'attaching' as const,
      time: new Date().toISOString(),
      deleteOnTermination,
    };
    await volumes.transaction(async () => {
      // Only from available: another attach or a delete may have taken it since it was checked.
      if (!(await volumes.moveVolumeStatus(v.id, ['available'], 'in-use')))
        throw new ServiceError('VolumeInUse', `${v.id} is no longer available`);
      await volumes.setAttachment(v.id, attachment);
    });
    const done = this.linkToNode(v, i, attachment);
    this.d.jobs.track(v.id, done);
    return { attachment, done };
  }

  /**
   * Has the instance's node link a volume whose attachment is recorded (attaching): attached once
   * it did (or already had it), else available again, its export ended.
   */
  private linkToNode(v: Volume, i: Instance, attachment: NonNullable<Volume['attachment']>, again = false) {
    const { volumes, storage, nodes, log } = this.d;
    const { device } = attachment;
    return storage
      .sourceFor(v.zone, v.id, attachmentName(i.id, attachment.time))
      .then((source) => nodes.attachVolume(i.node!, { instanceId: i.id, volumeId: v.id, device, ...source }))
      .catch((e: Error & { code?: string }) => {
        // Asked again (recovery) after the node had done it: it is attached.
        if (again && e.code === 'InvalidParameterValue' && /already in use/.test(e.message)) return;
        throw e;
      })
      .then(
        () => volumes.setAttachment(v.id, { ...attachment, status: 'attached' }),
        async (e: Error) => {
          log(`${v.id}: attaching to ${i.id} failed: ${e.message}`);
          await storage.endExport(v.id);
          await volumes.transaction(async () => {
            await volumes.setAttachment(v.id, undefined);
            await volumes.setVolumeStatus(v.id, 'available');
          });
        },
      );
  }

  /**
   * Recovery of an attachment a front end's end cut short: one being attached is asked of its
   * node again, one being detached is detached again; one whose instance is gone is let go.
   */
  async resumeAttachment(v: Volume): Promise<void> {
    const a = v.attachment!;
    const i = await this.d.instances.get(a.instanceId);
    if (a.status === 'detaching' || !i?.node || (i.state !== 'running' && i.state !== 'pending')) {
      await this.detachFromInstance(v);
      return;
    }
    if (a.status === 'attaching') await this.linkToNode(v, i, a, true);
  }

  /** DetachVolume: the attachment, if it matches the instance and device given. */
  async detach(
    p: Principal,
    input: { volumeId: string; instanceId?: string; device?: string; force?: boolean },
  ): Promise<NonNullable<Volume['attachment']>> {
    const v = await this.own(p, input.volumeId);
    const a = v.attachment;
    if (!a) throw incorrectState(`Volume '${v.id}' is not attached.`);
    if (input.instanceId && input.instanceId !== a.instanceId)
      throw new ServiceError(
        'InvalidAttachment.NotFound',
        `Volume '${v.id}' is not attached to instance '${input.instanceId}'`,
      );
    if (input.device && input.device !== a.device)
      throw new ServiceError('InvalidAttachment.NotFound', `Volume '${v.id}' is not attached at ${input.device}`);
    if (a.status === 'detaching' && !input.force) throw incorrectState(`Volume '${v.id}' is already detaching.`);
    // Marked detaching before the answer (a second DetachVolume sees it); the node lets go after.
    await this.d.volumes.setAttachment(v.id, { ...a, status: 'detaching' });
    this.d.jobs.track(
      v.id,
      this.detachFromInstance(v).catch((e: Error) => this.d.log(`${v.id}: detaching failed: ${e.message}`)),
    );
    return a;
  }

  /** Takes a detaching volume out of its instance; it is available again once the node has let it go. */
  private async detachFromInstance(v: Volume): Promise<void> {
    const { volumes, nodes, instances, storage, log } = this.d;
    const a = v.attachment!;
    const i = await instances.get(a.instanceId);
    const release = async () => {
      await storage.endExport(v.id);
      await volumes.transaction(async () => {
        await volumes.setAttachment(v.id, undefined);
        await volumes.setVolumeStatus(v.id, 'available');
      });
    };
    if (!i?.node || i.state === 'terminated') {
      await release();
      return Promise.resolve();
    }
    return nodes
      .detachVolume(i.node, { instanceId: i.id, volumeId: v.id, device: a.device })
      .then(release, async (e) => {
        log(`${v.id}: detaching from ${i.id} failed: ${(e as Error).message}`);
        await volumes.setAttachment(v.id, a);
      });
  }

  /**
   * Makes a launching instance's volumes (its account owns them) and attaches them in the records
   * once they are ready; resolves with what the node is to link.
   */
  async launchVolumes(
    i: Instance,
    mappings: VolumeMapping[],
    created?: (volumeIds: string[]) => Promise<void>,
  ): Promise<NodeVolume[]> {
    const { volumes } = this.d;
    const made: { m: VolumeMapping; volume: Volume; ready: Promise<void> }[] = [];
    for (const m of mappings) {
      const snapshot = m.snapshotId ? await volumes.snapshot(m.snapshotId) : undefined;
      made.push({ m, ...(await this.newVolume(i.accountId, i.zone, m.sizeGiB!, { snapshot })) });
    }
    await created?.(made.map((x) => x.volume.id));
    await Promise.all(made.map((x) => x.ready));
    const time = new Date().toISOString();
    await volumes.transaction(async () => {
      for (const { m, volume } of made) {
        await volumes.setAttachment(volume.id, {
          instanceId: i.id,
          device: m.device,
          status: 'attached',
          time,
          deleteOnTermination: m.deleteOnTermination,
        });
        await volumes.setVolumeStatus(volume.id, 'in-use');
      }
    });
    return this.nodeVolumesOf(i);
  }

  /**
   * Whether the volumes at these devices of an instance go when it terminates (ModifyInstanceAttribute's
   * block device mappings). Every device must hold an attached volume; then all change at once.
   */
  async setDeleteOnTermination(
    i: Instance,
    changes: { device: string; deleteOnTermination: boolean }[],
  ): Promise<void> {
    const { volumes } = this.d;
    await volumes.transaction(async () => {
      for (const c of changes)
        if (!(await volumes.setDeleteOnTermination(i.id, c.device, c.deleteOnTermination)))
          throw new ServiceError('InvalidInstanceAttributeValue', `No volume is attached to ${i.id} as ${c.device}`);
    });
  }

  /** The volumes attached to an instance, as its node links them (to boot a stopped one again). */
  async nodeVolumesOf(i: Instance): Promise<NodeVolume[]> {
    const found: NodeVolume[] = [];
    for (const v of await this.d.volumes.attachedTo(i.id))
      found.push({
        device: v.attachment!.device,
        root: v.attachment!.device === i.rootDeviceName && i.rootDeviceType === 'ebs',
        ...(await this.d.storage.sourceFor(v.zone, v.id, attachmentName(i.id, v.attachment!.time))),
      });
    return found;
  }

  /** The attached volumes' files and attachments, for the storage controller's exports at start. */
  async exportedAttachments(): Promise<Map<string, { file: string; attachment: string }>> {
    const found = new Map<string, { file: string; attachment: string }>();
    for (const [instanceId, attached] of await this.d.volumes.attachments())
      for (const v of attached)
        found.set(v.id, {
          file: this.d.storage.volumePath(v.zone, v.id),
          attachment: attachmentName(instanceId, v.attachment!.time),
        });
    return found;
  }

  /** Every instance's attached volumes, for describing instances. */
  async attachments(): Promise<Map<string, Volume[]>> {
    return this.d.volumes.attachments();
  }

  /** The volume attached as an instance's root device (an EBS-backed instance's), if any. */
  async rootVolumeOf(i: Instance): Promise<Volume | undefined> {
    return (await this.d.volumes.attachedTo(i.id)).find((v) => v.attachment?.device === i.rootDeviceName);
  }

  /**
   * Detaches an ended instance's volumes; those marked delete-on-termination are deleted unless
   * `keep` (the instance ended without anyone asking: its user's data stays).
   */
  async releaseVolumesOf(instanceId: string, opts: { keep?: boolean } = {}): Promise<void> {
    const { volumes } = this.d;
    for (const v of await volumes.attachedTo(instanceId)) {
      const dot = v.attachment!.deleteOnTermination && !opts.keep;
      await this.d.storage.endExport(v.id);
      await volumes.transaction(async () => {
        await volumes.setAttachment(v.id, undefined);
        await volumes.setVolumeStatus(v.id, 'available');
      });
      if (dot) await this.destroy(v);
    }
  }

  // Rules on the inputs

  private async checkZone(zone: string): Promise<void> {
    if (!(await this.d.zones()).includes(zone))
      throw new ServiceError('InvalidParameterValue', `Invalid availability zone: [${zone}]`);
  }

  private size(sizeGiB: number | undefined, snapshot?: Snapshot): number {
    if (sizeGiB === undefined) {
      if (snapshot) return snapshot.volumeSizeGiB;
      throw new ServiceError('MissingParameter', 'The request must contain the parameter size or snapshotId');
    }
    if (!Number.isInteger(sizeGiB) || sizeGiB < 1 || sizeGiB > MAX_VOLUME_GIB)
      throw new ServiceError(
        'InvalidParameterValue',
        `Volume size ${sizeGiB} is not an integer from 1 to ${MAX_VOLUME_GIB} (GiB)`,
      );
    if (snapshot && sizeGiB < snapshot.volumeSizeGiB) {
      throw new ServiceError(
        'InvalidParameterValue',
        `Volume of ${sizeGiB}GiB is too small; minimum is ${snapshot.volumeSizeGiB}GiB (the size of ${snapshot.id})`,
      );
    }
    return sizeGiB;
  }

  private async ownRunningInstance(p: Principal, id: string): Promise<Instance> {
    const i = (await this.d.instances.list({ accountId: p.account.id, ids: [id] }))[0];
    if (!i) throw new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    if (i.state !== 'running' || !i.node) throw incorrectState(`Instance '${i.id}' is ${i.state}, not running.`);
    return i;
  }
}
