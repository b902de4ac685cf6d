/**
 * Getting data into a volume without a running instance: ImportVolume takes a raw disk image
 * already uploaded to Walrus (Image.ImportManifestUrl names its object, as a path or a URL
 * ending in /bucket/key) and starts a conversion task that creates a volume and copies the
 * image's bytes into it, exactly. DescribeConversionTasks shows its progress; a task still
 * active can be cancelled, which deletes the half-made volume.
 */
import { type RequestContext } from '../../context';
import { ServiceError } from '../../errors';
import { s3Gate } from '../../iam/enforce';
import * as ids from '../../ids';
import { listParam, requireParam } from '../../query-params';
import { GiB } from '../../storage/controller';
import { type ConversionTask } from '../../storage/store';
import { MAX_VOLUME_GIB } from './service';

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

const taskXml = (t: ConversionTask, bytesConverted: number) => ({
  conversionTaskId: t.id,
  expirationTime: t.expires,
  importVolume: {
    bytesConverted,
    availabilityZone: t.zone,
    description: t.description,
    image: { format: t.format, size: t.bytes, importManifestUrl: `/${t.bucket}/${t.objectKey}` },
    volume: { size: t.sizeGiB, id: t.volumeId ?? '' },
  },
  state: t.state,
  statusMessage: t.statusMessage,
});

/** How far each running import has got, in bytes. */
const converted = new Map<string, number>();

/** The image object, read as the caller's GET would; what they cannot read is as absent. */
function readableImage(ctx: RequestContext, bucket: string, key: string): { size: number } {
  try {
    return ctx.cloud.walrus.readAs(ctx.principal, { bucket, key }, s3Gate(ctx.cloud, ctx.origin));
  } catch (e) {
    if (e instanceof ServiceError)
      throw new ServiceError('InvalidParameterValue', `The image ${bucket}/${key} does not exist or cannot be read`);
    throw e;
  }
}

export function importVolume(ctx: RequestContext) {
  const zone = requireParam(ctx.params, 'AvailabilityZone');
  if (!ctx.cloud.compute.zones().includes(zone))
    throw new ServiceError('InvalidParameterValue', `Invalid availability zone: [${zone}]`);
  const format = requireParam(ctx.params, 'Image.Format').toUpperCase();
  if (format !== 'RAW')
    throw new ServiceError('InvalidParameterValue', `Image.Format ${format} is not supported: import a RAW disk image`);
  const { bucket, key } = objectOf(requireParam(ctx.params, 'Image.ImportManifestUrl'));
  const head = readableImage(ctx, bucket, key);
  const bytes = Number(ctx.params['Image.Bytes'] ?? head.size);
  if (bytes !== head.size)
    throw new ServiceError(
      'InvalidParameterValue',
      `Image.Bytes is ${bytes}, but ${bucket}/${key} holds ${head.size} bytes`,
    );
  const sizeGiB = ctx.params['Volume.Size'] ? Number(ctx.params['Volume.Size']) : Math.max(1, Math.ceil(bytes / GiB));
  if (!Number.isInteger(sizeGiB) || sizeGiB < 1 || sizeGiB > MAX_VOLUME_GIB)
    throw new ServiceError(
      'InvalidParameterValue',
      `Volume.Size ${ctx.params['Volume.Size']} is not an integer from 1 to ${MAX_VOLUME_GIB}`,
    );
  if (sizeGiB * GiB < bytes)
    throw new ServiceError('InvalidParameterValue', `A ${sizeGiB} GiB volume cannot hold the ${bytes}-byte image`);

  const taskId = ids.resourceId('import-vol');
  const { volumes, storage, walrus } = ctx.cloud;
  const finish = (state: 'completed' | 'cancelled', message = '') => {
    if (volumes.task(taskId)?.state === 'active') volumes.setTaskState(taskId, state, message);
    converted.delete(taskId);
  };
  const { volume } = ctx.cloud.ec2.volumes.newVolume(ctx.principal.account.id, zone, sizeGiB, {
    fill: async (v) => {
      try {
        await storage.fill(zone, v.id, walrus.openObject(bucket, key), (n) => converted.set(taskId, n));
      } catch (e) {
        finish('cancelled', `import failed: ${(e as Error).message}`);
        throw e;
      }
      finish('completed');
    },
  });
  const task: ConversionTask = {
    id: taskId,
    accountId: ctx.principal.account.id,
    state: 'active',
    statusMessage: '',
    zone,
    bucket,
    objectKey: key,
    format,
    bytes,
    sizeGiB,
    volumeId: volume.id,
    description: ctx.params.Description ?? '',
    expires: new Date(Date.now() + TASK_DAYS * 86400_000).toISOString(),
  };
  volumes.insertTask(task);
  converted.set(task.id, 0);
  return { conversionTask: taskXml(task, 0) };
}

export function describeConversionTasks(ctx: RequestContext) {
  const wanted = listParam(ctx.params, 'ConversionTaskId');
  let tasks = ctx.cloud.volumes.tasks(ctx.principal.account.id);
  if (wanted.length) tasks = tasks.filter((t) => wanted.includes(t.id));
  return {
    conversionTasks: tasks.map((t) => taskXml(t, t.state === 'completed' ? t.bytes : (converted.get(t.id) ?? 0))),
  };
}

export async function cancelConversionTask(ctx: RequestContext) {
  const id = requireParam(ctx.params, 'ConversionTaskId');
  const t = ctx.cloud.volumes.task(id);
  if (!t || t.accountId !== ctx.principal.account.id)
    throw new ServiceError('InvalidConversionTaskId', `The conversion task ${id} does not exist`);
  if (t.state !== 'active')
    throw new ServiceError(
      'IncorrectState',
      `Conversion task ${id} is ${t.state}: only an active task can be cancelled`,
    );
  ctx.cloud.volumes.setTaskState(id, 'cancelled', 'cancelled by the user');
  converted.delete(id);
  const v = t.volumeId ? ctx.cloud.volumes.volume(t.volumeId) : undefined;
  if (v && v.status !== 'deleted') await ctx.cloud.ec2.volumes.destroy(v);
  return { return: true };
}
