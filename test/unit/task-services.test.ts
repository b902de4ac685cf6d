/**
 * The bundle task and conversion task services called with a principal, over real SQLite stores
 * and a real Walrus in a temporary data dir, no HTTP: a task is its account's alone, an upload
 * policy is honoured only as its owner signed it, and a refused request leaves no task behind.
 */
import { UNRECORDED_JOBS } from '../../src/backend/jobs';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import * as path from 'node:path';
import { test } from 'node:test';
import { BundleTaskService, type UploadPolicy } from '../../src/backend/ec2/bundle-tasks/service';
import { type BundleTask, SqlBundleTaskStore } from '../../src/backend/ec2/bundle-tasks/store';
import { type Instance, SqlInstanceStore } from '../../src/backend/ec2/instances/store';
import { ConversionTaskService } from '../../src/backend/ec2/volumes/conversion-tasks';
import type { VolumeService } from '../../src/backend/ec2/volumes/service';
import { createAccountWithAdmin } from '../../src/backend/iam/accounts';
import { ObjectFiles, SqlWalrusStore, Walrus } from '../../src/backend/s3';
import { MasterKey } from '../../src/backend/s3/encryption';
import type { StorageController } from '../../src/backend/storage/controller';
import { type ConversionTask, SqlVolumeStore } from '../../src/backend/storage/store';
import { SqlStore } from '../../src/backend/store/sql-store';
import { testStoreLocation } from '../helpers/database';
import type { Principal } from '../../src/backend/store/types';
import { tempDir } from '../helpers/cli';

/** A fresh data dir: a store, Walrus, and two tenants with an access key each. */
async function world() {
  const dir = tempDir('euca-tasks-');
  const store = await SqlStore.open(await testStoreLocation(path.join(dir, 'cloud.db')));
  const tenant = async (name: string) => {
    const account = await createAccountWithAdmin(store, name, async () => undefined);
    const user = (await store.findUser(account.id, 'admin'))!;
    const key = await store.createAccessKey(user.id);
    const principal: Principal = { account, user, accessKeyId: key.id };
    return { principal, key };
  };
  const walrus = new Walrus({
    store: new SqlWalrusStore(store.db),
    files: new ObjectFiles(path.join(dir, 'walrus')),
    accounts: store,
    cloudAccountName: 'eucalyptus',
    masterKey: new MasterKey(path.join(dir, 'master.key')),
  });
  return { dir, store, walrus, alice: await tenant('alice'), bob: await tenant('bob') };
}

/** An upload policy as euca-bundle-instance makes it, signed with a secret. */
function uploadPolicy(
  accessKeyId: string,
  secret: string,
  doc: { expiration: string; conditions: unknown[] },
): UploadPolicy {
  const policy = Buffer.from(JSON.stringify(doc)).toString('base64');
  return { accessKeyId, policy, signature: createHmac('sha1', secret).update(policy).digest('base64') };
}

const later = () => new Date(Date.now() + 3600_000).toISOString();

const windowsInstance = (accountId: string, id: string, more: Partial<Instance> = {}): Instance => ({
  id,
  reservationId: 'r-00000001',
  accountId,
  imageId: 'emi-00000001',
  platform: 'windows',
  architecture: 'x86_64',
  instanceType: 'm1.small',
  launchIndex: 0,
  state: 'running',
  zone: 'zone1',
  node: 'node1:8775',
  groupId: 'sg-00000001',
  groupName: 'default',
  addressing: 'public',
  shutdownBehavior: 'terminate',
  disableApiTermination: false,
  launchTime: '2026-11-30T00:00:00Z',
  ...more,
});

test('bundle tasks: only the owner’s running Windows instance, only as the upload policy’s signer allows', async () => {
  const { dir, store, walrus, alice, bob } = await world();
  await walrus.createBucket(alice.principal, 'alice-bundles', { acl: { canned: 'private' } });
  const instances = new SqlInstanceStore(store.db);
  await instances.insert([
    windowsInstance(alice.principal.account.id, 'i-0000000a'),
    windowsInstance(alice.principal.account.id, 'i-0000000b', { platform: undefined }),
    windowsInstance(alice.principal.account.id, 'i-0000000c', { state: 'stopped' }),
  ]);
  const tasks = new SqlBundleTaskStore(store.db);
  const service = new BundleTaskService({
    tasks,
    jobs: UNRECORDED_JOBS,
    instances,
    accessKeys: store,
    walrus,
    gate: () => async () => false,
    nodes: { rootDisk: async () => Promise.reject(new Error('no node here')) },
    workDir: path.join(dir, 'bundles'),
    cloudCertFile: path.join(dir, 'none.pem'),
    cloudKeyFile: path.join(dir, 'none.pem'),
  });
  const conditions = [{ bucket: 'alice-bundles' }, ['starts-with', '$key', 'windows']];
  const signedBy = (k: { id: string; secret: string }, doc = { expiration: later(), conditions }) =>
    uploadPolicy(k.id, k.secret, doc);
  const input = (instanceId: string, uploadPolicy = signedBy(alice.key), bucket = 'alice-bundles') => ({
    instanceId,
    bucket,
    prefix: 'windows-web',
    uploadPolicy,
  });
  const refused = async (p: Principal, i: ReturnType<typeof input>, code: string) =>
    assert.rejects(service.bundle(p, i), (e: { code?: string }) => e.code === code, `expected ${code}`);

  await refused(bob.principal, input('i-0000000a'), 'InvalidInstanceID.NotFound');
  await refused(alice.principal, input('i-0000000b'), 'UnsupportedOperation');
  await refused(alice.principal, input('i-0000000c'), 'IncorrectInstanceState');
  await refused(alice.principal, input('i-0000000a', { ...signedBy(alice.key), signature: 'forged' }), 'AuthFailure');
  await refused(
    alice.principal,
    input('i-0000000a', signedBy(alice.key, { expiration: '2020-01-01T00:00:00Z', conditions })),
    'AuthFailure',
  );
  // Signed for another bucket, or by someone who may not write the bucket it names.
  await refused(alice.principal, input('i-0000000a', signedBy(alice.key), 'other-bucket'), 'AuthFailure');
  await refused(
    alice.principal,
    input('i-0000000a', signedBy(bob.key, { expiration: later(), conditions })),
    'AuthFailure',
  );
  assert.deepEqual(await tasks.list(alice.principal.account.id), [], 'a refused request leaves no task');

  const task = await service.bundle(alice.principal, input('i-0000000a'));
  assert.equal(task.state, 'pending');
  assert.deepEqual(
    (await service.describe(alice.principal, [])).map((t) => t.id),
    [task.id],
  );
  await assert.rejects(service.describe(bob.principal, [task.id]), { code: 'InvalidBundleID.NotFound' });
  await assert.rejects(service.cancel(bob.principal, task.id), { code: 'InvalidBundleID.NotFound' });
  assert.deepEqual(await service.describe(bob.principal, []), []);
  // The node cannot give the disk: the task ends failed, saying why, and cannot be cancelled then.
  let ended: BundleTask | undefined;
  for (let i = 0; i < 100 && ended?.state !== 'failed'; i++) {
    ended = await tasks.get(task.id);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(ended?.state, 'failed');
  await assert.rejects(service.cancel(alice.principal, task.id), { code: 'BundlingInProgress' });
  await store.close();
});

test('conversion tasks: describe and cancel reach only the principal’s own; an import needs a readable RAW image', async () => {
  const { store, walrus, alice, bob } = await world();
  const volumes = new SqlVolumeStore(store.db);
  const destroyed: string[] = [];
  const service = new ConversionTaskService({
    volumes,
    volumeService: { destroy: async (v: { id: string }) => void destroyed.push(v.id) } as unknown as VolumeService,
    storage: {} as StorageController,
    walrus,
    gate: () => async () => false,
    zones: async () => ['zone1'],
  });
  const task: ConversionTask = {
    id: 'import-vol-0000000a',
    accountId: alice.principal.account.id,
    state: 'active',
    statusMessage: '',
    zone: 'zone1',
    bucket: 'alice-images',
    objectKey: 'disk.raw',
    format: 'RAW',
    bytes: 1024,
    sizeGiB: 1,
    description: '',
    expires: later(),
  };
  await volumes.insertTask(task);

  assert.deepEqual(
    (await service.describe(alice.principal, [])).map((t) => t.task.id),
    [task.id],
  );
  assert.deepEqual(await service.describe(bob.principal, [task.id]), []);
  await assert.rejects(service.cancel(bob.principal, task.id), { code: 'InvalidConversionTaskId' });
  assert.equal((await volumes.task(task.id))!.state, 'active', 'another account’s cancel changed nothing');
  await service.cancel(alice.principal, task.id);
  assert.equal((await volumes.task(task.id))!.state, 'cancelled');
  await assert.rejects(service.cancel(alice.principal, task.id), { code: 'IncorrectState' });

  const importing = (format: string, zone = 'zone1') =>
    service.importVolume(bob.principal, {
      zone,
      format,
      manifestUrl: 'http://walrus/services/Walrus/alice-images/disk.raw',
    });
  await assert.rejects(importing('RAW', 'zone9'), { code: 'InvalidParameterValue' });
  await assert.rejects(importing('VMDK'), { code: 'InvalidParameterValue' });
  // Bob cannot read Alice's bucket: as if the image were not there, and no task is made.
  await walrus.createBucket(alice.principal, 'alice-images', { acl: { canned: 'private' } });
  await assert.rejects(importing('RAW'), (e: { status?: number }) => e.status !== undefined && e.status >= 400);
  assert.deepEqual(await volumes.tasks(bob.principal.account.id), []);
  assert.deepEqual(destroyed, []);
  await store.close();
});
