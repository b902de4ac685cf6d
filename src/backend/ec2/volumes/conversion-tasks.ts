/**
 * Conversion tasks: getting data into a volume without a running instance. An import takes a raw disk image
 * already uploaded to Walrus (Image.ImportManifestUrl names its object, as a path or a URL
 * ending in /bucket/key) and starts a conversion task that creates a volume and copies the
 * image's bytes into it, exactly. Tasks show their progress; a task still active can be
 * cancelled, which deletes the half-made volume.
 */
import { ServiceError } from '../../errors';
import type { Origin } from '../../iam/enforce';
import * as ids from '../../ids';
import type { S3Gate, Walrus } from '../../s3/walrus';
import { GiB, type StorageController } from '../../storage/controller';
import type { ConversionTask, SqlVolumeStore } from '../../storage/store';
import type { Principal } from '../../store/types';
import { MAX_VOLUME_GIB, type VolumeService } from './service';

const TASK_DAYS = 30;

/** The bucket and key a manifest URL (or path) names. */
export function objectOf(url: string): { bucket: string; key: string } {
  let p = url;
  try {
    p = new URL(url).pathname;
  } catch {
    /* a path, not a URL */
  }
  p = p.replace(/^\/services\/(Walrus|objectstorage)/, '').replace(/^\//, '');
  const slash = p.indexOf('/');
  if (slash <= 0 || slash === p.length - 1)
    throw new ServiceError(
      'InvalidParameterValue',
      `Image.ImportManifestUrl must name an object: bucket/key (not ${url})`,
    );
  return { bucket: decodeURIComponent(p.slice(0, slash)), key: decodeURIComponent(p.slice(slash + 1)) };
}

export interface ImportInput {
  zone: string;
  /** RAW (the only format taken) */
  format: string;
  /** Image.ImportManifestUrl: the image object, as a path or a URL ending in /bucket/key. */
  manifestUrl: string;
  /** What the client says the image holds; checked against the object. */
  bytes?: number;
  /** The volume's size (GiB); at least the image's. */
  sizeGiB?: number;
  description?: string;
}

export interface ConversionTaskServiceDeps {
  volumes: SqlVolumeStore;
  volumeService: VolumeService;
  storage: StorageController;
  walrus: Walrus;
  gate(from?: Origin): S3Gate;
  zones(): Promise<string[]>;
}

export class ConversionTaskService {
  /** How far each running import has got, in bytes. */
  private readonly converted = new Map<string, number>();

  constructor(private readonly d: ConversionTaskServiceDeps) {}

  /** ImportVolume: a task filling a new volume from an image object the principal may read. */
  async importVolume(p: Principal, input: ImportInput, from?: Origin): Promise<ConversionTask> {
    const { zone } = input;
    if (!(await this.d.zones()).includes(zone))
      throw new ServiceError('InvalidParameterValue', `Invalid availability zone: [${zone}]`);
    const format = input.format.toUpperCase();
    if (format !== 'RAW')
      throw new ServiceError(
        'InvalidParameterValue',
        `Image.Format ${format} is not supported: import a RAW disk image`,
      );
    const { bucket, key } = objectOf(input.manifestUrl);
    const head = await this.readableImage(p, bucket, key, from);
    const bytes = input.bytes ?? head.size;
    if (bytes !== head.size)
      throw new ServiceError(
        'InvalidParameterValue',
        `Image.Bytes is ${bytes}, but ${bucket}/${key} holds ${head.size} bytes`,
      );
    const sizeGiB = input.sizeGiB ?? Math.max(1, Math.ceil(bytes / GiB));
    if (!Number.isInteger(sizeGiB) || sizeGiB < 1 || sizeGiB > MAX_VOLUME_GIB)
      throw new ServiceError(
        'InvalidParameterValue',
        `Volume.Size ${input.sizeGiB} is not an integer from 1 to ${MAX_VOLUME_GIB}`,
      );
    if (sizeGiB * GiB < bytes)
      throw new ServiceError('InvalidParameterValue', `A ${sizeGiB} GiB volume cannot hold the ${bytes}-byte image`);

    const taskId = ids.resourceId('import-vol');
    const { volumes, storage, walrus } = this.d;
    const finish = async (state: 'completed' | 'cancelled', message = '') => {
      if ((await volumes.task(taskId))?.state === 'active') await volumes.setTaskState(taskId, state, message);
      this.converted.delete(taskId);
    };
    const { volume } = await this.d.volumeService.newVolume(p.account.id, zone, sizeGiB, {
      fill: async (v) => {
        try {
          await storage.fill(zone, v.id, await walrus.openObject(bucket, key), (n) => this.converted.set(taskId, n));
        } catch (e) {
          await finish('cancelled', `import failed: ${(e as Error).message}`);
          throw e;
        }
        await finish('completed');
      },
    });
    const task: ConversionTask = {
      id: taskId,
      accountId: p.account.id,
      state: 'active',
      statusMessage: '',
      zone,
      bucket,
      objectKey: key,
      format,
      bytes,
      sizeGiB,
      volumeId: volume.id,
      description: input.description ?? '',
      expires: new Date(Date.now() + TASK_DAYS * 86400_000).toISOString(),
    };
    await volumes.insertTask(task);
    this.converted.set(task.id, 0);
    return task;
  }

  /** The principal's tasks (those named, or all), with the bytes each has converted so far. */
  async describe(p: Principal, ids: string[]): Promise<{ task: ConversionTask; bytesConverted: number }[]> {
    let tasks = await this.d.volumes.tasks(p.account.id);
    if (ids.length) tasks = tasks.filter((t) => ids.includes(t.id));
    return tasks.map((task) => ({
      task,
      bytesConverted: task.state === 'completed' ? task.bytes : (this.converted.get(task.id) ?? 0),
    }));
  }

  /** Cancels an active task of the principal's; its half-made volume is deleted. */
  async cancel(p: Principal, id: string): Promise<void> {
    const { volumes } = this.d;
    const t = await volumes.task(id);
    if (!t || t.accountId !== p.account.id)
      throw new ServiceError('InvalidConversionTaskId', `The conversion task ${id} does not exist`);
    if (t.state !== 'active')
      throw new ServiceError(
        'IncorrectState',
        `Conversion task ${id} is ${t.state}: only an active task can be cancelled`,
      );
    await volumes.setTaskState(id, 'cancelled', 'cancelled by the user');
    this.converted.delete(id);
    const v = t.volumeId ? await volumes.volume(t.volumeId) : undefined;
    if (v && v.status !== 'deleted') await this.d.volumeService.destroy(v);
  }

  /** The image object, read as the principal's GET would; what they cannot read is as absent. */
  private async readableImage(p: Principal, bucket: string, key: string, from?: Origin): Promise<{ size: number }> {
    try {
      return await this.d.walrus.readAs(p, { bucket, key }, this.d.gate(from));
    } catch (e) {
      if (e instanceof ServiceError)
        throw new ServiceError('InvalidParameterValue', `The image ${bucket}/${key} does not exist or cannot be read`);
      throw e;
    }
  }
}
