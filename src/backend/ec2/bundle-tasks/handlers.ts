/**
 * Bundling a running Windows instance (euca-bundle-instance): BundleInstance checks the upload
 * policy the bucket owner signed, then a task takes the instance's root disk from its node
 * controller (bundling), makes an EC2 bundle of it signed and encrypted by the cloud, and stores
 * the parts and manifest in the bucket as that owner (storing) — complete, and registrable with
 * euca-register; failed with the reason otherwise. DescribeBundleTasks, CancelBundleTask.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { bundleImage } from '../../../shared/bundle';
import { type CloudContext, type RequestContext } from '../../context';
import { invalidParameter, ServiceError } from '../../errors';
import * as ids from '../../ids';
import { listParam, requireParam } from '../../query-params';
import { s3Gate } from '../../iam/enforce';
import { RequestPayload } from '../../s3/payload';
import type { S3Gate, Walrus } from '../../s3/walrus';
import { type Principal } from '../../store/types';
import { type BundleTask } from './store';

const cancelled = new Set<string>();

function taskItem(t: BundleTask) {
  return {
    instanceId: t.instanceId,
    bundleId: t.id,
    state: t.state,
    startTime: t.startTime,
    updateTime: t.updateTime,
    progress: t.progress,
    storage: { S3: { bucket: t.bucket, prefix: t.prefix } },
    error: t.error ? { code: 'BundlingFailed', message: t.error } : undefined,
  };
}

/** The principal whose access key signed the upload policy: the bundle is stored as that owner. */
function policyOwner(ctx: RequestContext): Principal {
  const p = ctx.params;
  const akid = requireParam(p, 'Storage.S3.AWSAccessKeyId');
  const policy = requireParam(p, 'Storage.S3.UploadPolicy');
  const signature = requireParam(p, 'Storage.S3.UploadPolicySignature');
  const found = ctx.cloud.store.findAccessKey(akid);
  const usable = found && found.key.status === 'Active' && found.enabled;
  const expected = usable && createHmac('sha1', found.key.secret).update(policy).digest('base64');
  if (
    !found ||
    !expected ||
    expected.length !== signature.length ||
    !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  ) {
    throw new ServiceError(
      'AuthFailure',
      'The upload policy signature does not match the access key given with it',
      403,
    );
  }
  let doc: { expiration?: string; conditions?: unknown[] };
  try {
    doc = JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
  } catch {
    throw invalidParameter('Storage.S3.UploadPolicy', '(policy)', 'It is not base64 JSON.');
  }
  if (!doc.expiration || !(Date.parse(doc.expiration) >= Date.now()))
    throw new ServiceError('AuthFailure', 'The upload policy has expired or names no expiration', 403);
  checkPolicyConditions(doc.conditions, requireParam(p, 'Storage.S3.Bucket'), requireParam(p, 'Storage.S3.Prefix'));
  return found.principal;
}

/**
 * The upload policy's owner signed for one bucket and a key prefix (as S3 POST policies say
 * them: `{"bucket": B}`, `["starts-with", "$key", P]` or `{"key": K}`): the bundle goes there
 * and nowhere else.
 */
function checkPolicyConditions(conditions: unknown[] | undefined, bucket: string, prefix: string): void {
  const refuse = (why: string) =>
    new ServiceError('AuthFailure', `The upload policy does not allow this bundle: ${why}`, 403);
  if (!Array.isArray(conditions)) throw refuse('it has no conditions');
  let bucketOk = false;
  let keyOk = false;
  for (const c of conditions) {
    if (Array.isArray(c) && c.length === 3 && String(c[1]).toLowerCase() === '$key') {
      if (c[0] === 'starts-with' && prefix.startsWith(String(c[2]))) keyOk = true;
      else if (c[0] === 'eq' && String(c[2]) === prefix) keyOk = true;
      else throw refuse(`the key condition ${JSON.stringify(c)} does not match ${prefix}`);
    } else if (Array.isArray(c) && c.length === 3 && String(c[1]).toLowerCase() === '$bucket') {
      if (c[0] === 'eq' && String(c[2]) === bucket) bucketOk = true;
      else throw refuse(`the bucket condition ${JSON.stringify(c)} does not match ${bucket}`);
    } else if (c && typeof c === 'object' && !Array.isArray(c)) {
      const entry = c as Record<string, unknown>;
      if ('bucket' in entry) {
        if (entry.bucket !== bucket) throw refuse(`it is for bucket ${String(entry.bucket)}, not ${bucket}`);
        bucketOk = true;
      }
      if ('key' in entry) {
        if (entry.key !== prefix) throw refuse(`it is for key ${String(entry.key)}, not ${prefix}`);
        keyOk = true;
      }
    }
  }
  if (!bucketOk) throw refuse('it names no bucket');
  if (!keyOk) throw refuse('it names no key prefix');
}

export function bundleInstance(ctx: RequestContext) {
  const instanceId = requireParam(ctx.params, 'InstanceId');
  const instance = ctx.cloud.instances.get(instanceId);
  if (!instance || instance.accountId !== ctx.principal.account.id)
    throw new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
  if (instance.platform !== 'windows')
    throw new ServiceError('UnsupportedOperation', `Only Windows instances can be bundled; ${instanceId} is not one`);
  if (instance.state !== 'running')
    throw new ServiceError('IncorrectInstanceState', `The instance '${instanceId}' is ${instance.state}, not running`);
  const bucket = requireParam(ctx.params, 'Storage.S3.Bucket');
  const prefix = requireParam(ctx.params, 'Storage.S3.Prefix');
  if (!prefix.startsWith('windows'))
    throw invalidParameter('Storage.S3.Prefix', prefix, 'The prefix of a Windows bundle starts with "windows".');
  const owner = policyOwner(ctx);
  // Written as the policy's owner would PUT it: IAM, the bucket's policy and ACLs, checked now for
  // the refusal to be immediate, and again for each object written.
  const gate = s3Gate(ctx.cloud, ctx.origin);
  writerFor(ctx.cloud, owner, bucket, `${prefix}.manifest.xml`, gate);
  const now = new Date().toISOString();
  const task: BundleTask = {
    id: ids.resourceId('bun'),
    accountId: instance.accountId,
    instanceId,
    bucket,
    prefix,
    state: 'pending',
    progress: '0%',
    startTime: now,
    updateTime: now,
  };
  ctx.cloud.bundleTasks.insert(task);
  void runTask(ctx.cloud, task, owner, gate, instance.node!, instance.architecture);
  return { bundleInstanceTask: taskItem(task) };
}

/** The Walrus to write a key through as the owner, or the refusal as EC2 answers it. */
function writerFor(cloud: CloudContext, owner: Principal, bucket: string, key: string, gate: S3Gate): Walrus {
  try {
    return cloud.walrus.writerFor(owner, bucket, key, gate);
  } catch (e) {
    if (e instanceof ServiceError && e.code === 'AccessDenied')
      throw new ServiceError('AuthFailure', `The upload policy's owner may not write ${bucket}/${key}`, 403);
    throw e;
  }
}

async function runTask(
  cloud: CloudContext,
  task: BundleTask,
  owner: Principal,
  gate: S3Gate,
  node: string,
  architecture: string,
): Promise<void> {
  const dir = path.join(cloud.paths.dataDir, 'var', 'lib', 'eucalyptus', 'bundles', task.id);
  const check = () => {
    if (cancelled.has(task.id)) throw new Error('the task was cancelled');
  };
  try {
    cloud.bundleTasks.update(task.id, 'bundling', '10%');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const image = path.join(dir, task.prefix);
    await pipeline(
      await cloud.compute.nodes.rootDisk(node, task.instanceId),
      fs.createWriteStream(image, { mode: 0o600 }),
    );
    check();
    cloud.bundleTasks.update(task.id, 'storing', '50%');
    const cert = fs.readFileSync(path.join(cloud.paths.keysDir, 'cloud-cert.pem'), 'utf8');
    const key = fs.readFileSync(path.join(cloud.paths.keysDir, 'cloud-pk.pem'), 'utf8');
    const put = (name: string, data: Buffer) =>
      writerFor(cloud, owner, task.bucket, name, gate).putObject(
        owner,
        task.bucket,
        name,
        new RequestPayload(
          (async function* () {
            yield data;
          })(),
          { 'content-length': String(data.length) },
          undefined,
          data.length,
        ),
        { headers: {} },
        { canned: 'aws-exec-read' },
      );
    const result = await bundleImage({
      image,
      prefix: task.prefix,
      architecture,
      imageType: 'machine',
      accountId: task.accountId,
      userCertPem: cert,
      userPrivateKeyPem: key,
      cloudCertPem: cert,
      onPart: async (name, data) => {
        check();
        await put(name, Buffer.from(data));
      },
    });
    await put(`${task.prefix}.manifest.xml`, Buffer.from(result.manifestXml));
    cloud.bundleTasks.update(task.id, 'complete', '100%');
  } catch (e) {
    cloud.bundleTasks.update(task.id, 'failed', cloud.bundleTasks.get(task.id)?.progress ?? '0%', (e as Error).message);
  } finally {
    cancelled.delete(task.id);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function describeBundleTasks(ctx: RequestContext) {
  const wanted = listParam(ctx.params, 'BundleId');
  const tasks = ctx.cloud.bundleTasks
    .list(ctx.principal.account.id)
    .filter((t) => !wanted.length || wanted.includes(t.id));
  const missing = wanted.filter((id) => !tasks.some((t) => t.id === id));
  if (missing.length)
    throw new ServiceError('InvalidBundleID.NotFound', `The bundle task '${missing.join(', ')}' does not exist`);
  return { bundleInstanceTasksSet: tasks.map(taskItem) };
}

export function cancelBundleTask(ctx: RequestContext) {
  const id = requireParam(ctx.params, 'BundleId');
  const task = ctx.cloud.bundleTasks.get(id);
  if (!task || task.accountId !== ctx.principal.account.id)
    throw new ServiceError('InvalidBundleID.NotFound', `The bundle task '${id}' does not exist`);
  if (task.state === 'complete' || task.state === 'failed')
    throw new ServiceError('BundlingInProgress', `The bundle task '${id}' has already ended (${task.state})`);
  cancelled.add(id);
  ctx.cloud.bundleTasks.update(id, 'cancelling', task.progress);
  return { bundleInstanceTask: taskItem({ ...task, state: 'cancelling' }) };
}
