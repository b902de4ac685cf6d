/**
 * Bundling a running Windows instance (euca-bundle-instance), apart from the wire: bundling checks
 * the upload policy the bucket owner signed, then a task takes the instance's root disk from its node
 * controller (bundling), makes an EC2 bundle of it signed and encrypted by the cloud, and stores
 * the parts and manifest in the bucket as that owner (storing) — complete, and registrable with
 * euca-register; failed with the reason otherwise. Tasks can be listed and cancelled.
 */
import type { Jobs } from '../../jobs';
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { bundleImage } from '../../../shared/bundle';
import { invalidParameter, ServiceError } from '../../errors';
import * as ids from '../../ids';
import type { Origin } from '../../iam/enforce';
import { RequestPayload } from '../../s3/payload';
import type { S3Gate, Walrus } from '../../s3/walrus';
import type { CloudStore, Principal } from '../../store/types';
import type { NodeOperations } from '../instances/services';
import type { InstanceStore } from '../instances/store';
import type { BundleTask, SqlBundleTaskStore } from './store';

/** The S3 upload policy the bucket's owner signed for the bundle (Storage.S3.*). */
export interface UploadPolicy {
  accessKeyId: string;
  /** base64 of the policy document */
  policy: string;
  signature: string;
}

export interface BundleInput {
  instanceId: string;
  bucket: string;
  prefix: string;
  uploadPolicy: UploadPolicy;
}

export interface BundleTaskServiceDeps {
  tasks: SqlBundleTaskStore;
  /** Claims each task's bundling for this front end while it runs. */
  jobs: Jobs;
  instances: InstanceStore;
  accessKeys: Pick<CloudStore, 'findAccessKey'>;
  walrus: Walrus;
  /** The policy gate of S3 writes for a request from an origin. */
  gate(from?: Origin): S3Gate;
  nodes: Pick<NodeOperations, 'rootDisk'>;
  /** Where tasks keep the disk they bundle, a folder each. */
  workDir: string;
  /** The cloud's certificate and key: the bundle is the cloud's, signed and encrypted with them. */
  cloudCertFile: string;
  cloudKeyFile: string;
}

/** The principal whose access key signed the upload policy: the bundle is stored as that owner. */
async function policyOwner(
  accessKeys: BundleTaskServiceDeps['accessKeys'],
  input: { bucket: string; prefix: string; uploadPolicy: UploadPolicy },
): Promise<Principal> {
  const { accessKeyId: akid, policy, signature } = input.uploadPolicy;
  const found = await accessKeys.findAccessKey(akid);
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
  checkPolicyConditions(doc.conditions, input.bucket, input.prefix);
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

export class BundleTaskService {
  private readonly cancelled = new Set<string>();

  constructor(private readonly d: BundleTaskServiceDeps) {}

  /** BundleInstance: one of the principal's running Windows instances, into the bucket the policy names. */
  async bundle(p: Principal, input: BundleInput, from?: Origin): Promise<BundleTask> {
    const { instanceId, bucket, prefix } = input;
    const instance = await this.d.instances.get(instanceId);
    if (!instance || instance.accountId !== p.account.id)
      throw new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    if (instance.platform !== 'windows')
      throw new ServiceError('UnsupportedOperation', `Only Windows instances can be bundled; ${instanceId} is not one`);
    if (instance.state !== 'running')
      throw new ServiceError(
        'IncorrectInstanceState',
        `The instance '${instanceId}' is ${instance.state}, not running`,
      );
    if (!prefix.startsWith('windows'))
      throw invalidParameter('Storage.S3.Prefix', prefix, 'The prefix of a Windows bundle starts with "windows".');
    const owner = await policyOwner(this.d.accessKeys, input);
    // Written as the policy's owner would PUT it: IAM, the bucket's policy and ACLs, checked now for
    // the refusal to be immediate, and again for each object written.
    const gate = this.d.gate(from);
    await this.writerFor(owner, bucket, `${prefix}.manifest.xml`, gate);
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
    await this.d.tasks.insert(task);
    this.d.jobs.track(task.id, this.run(task, owner, gate, instance.node!, instance.architecture));
    return task;
  }

  /** The principal's tasks, those named (all must exist) or all. */
  async describe(p: Principal, ids: string[]): Promise<BundleTask[]> {
    const tasks = (await this.d.tasks.list(p.account.id)).filter((t) => !ids.length || ids.includes(t.id));
    const missing = ids.filter((id) => !tasks.some((t) => t.id === id));
    if (missing.length)
      throw new ServiceError('InvalidBundleID.NotFound', `The bundle task '${missing.join(', ')}' does not exist`);
    return tasks;
  }

  async cancel(p: Principal, id: string): Promise<BundleTask> {
    const task = await this.d.tasks.get(id);
    if (!task || task.accountId !== p.account.id)
      throw new ServiceError('InvalidBundleID.NotFound', `The bundle task '${id}' does not exist`);
    if (task.state === 'complete' || task.state === 'failed')
      throw new ServiceError('BundlingInProgress', `The bundle task '${id}' has already ended (${task.state})`);
    this.cancelled.add(id);
    await this.d.tasks.update(id, 'cancelling', task.progress);
    return { ...task, state: 'cancelling' };
  }

  /** The Walrus to write a key through as the owner, or the refusal as EC2 answers it. */
  private async writerFor(owner: Principal, bucket: string, key: string, gate: S3Gate): Promise<Walrus> {
    try {
      return await this.d.walrus.writerFor(owner, bucket, key, gate);
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'AccessDenied')
        throw new ServiceError('AuthFailure', `The upload policy's owner may not write ${bucket}/${key}`, 403);
      throw e;
    }
  }

  private async run(
    task: BundleTask,
    owner: Principal,
    gate: S3Gate,
    node: string,
    architecture: string,
  ): Promise<void> {
    const { tasks } = this.d;
    const dir = path.join(this.d.workDir, task.id);
    const check = () => {
      if (this.cancelled.has(task.id)) throw new Error('the task was cancelled');
    };
    try {
      await tasks.update(task.id, 'bundling', '10%');
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const image = path.join(dir, task.prefix);
      await pipeline(await this.d.nodes.rootDisk(node, task.instanceId), fs.createWriteStream(image, { mode: 0o600 }));
      check();
      await tasks.update(task.id, 'storing', '50%');
      const cert = fs.readFileSync(this.d.cloudCertFile, 'utf8');
      const key = fs.readFileSync(this.d.cloudKeyFile, 'utf8');
      const put = async (name: string, data: Buffer) =>
        (await this.writerFor(owner, task.bucket, name, gate)).putObject(
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
      await tasks.update(task.id, 'complete', '100%');
    } catch (e) {
      await tasks.update(task.id, 'failed', (await tasks.get(task.id))?.progress ?? '0%', (e as Error).message);
    } finally {
      this.cancelled.delete(task.id);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
