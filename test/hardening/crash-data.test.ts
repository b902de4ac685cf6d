/**
 * Issue 12, findings 6 and 11: a crash of the control plane never deletes user data, and no
 * background job is left half-way by one.
 *   6. The cloud killed (SIGKILL) while an EBS-backed and an instance-store instance run: after a
 *      restart both still run (the node keeps what it staged and the cloud's own node, back on a
 *      new port, keeps its instances) and the EBS root volume is still there. Killed again, and
 *      back with a node that lost its disks: the EBS instance is stopped with its root volume
 *      kept, the instance-store one terminated with its attached volume detached and kept.
 *  11. A snapshot, a volume being created and an import cut short by a kill: after the restart
 *      the snapshot is copied again and completes, the volume ends in error and can be deleted,
 *      a snapshot whose volume is gone ends in error and can be deleted, chunks and all.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { nodePaths } from '../../src/shared/node-paths';
import { cloudPaths } from '../../src/shared/paths';
import { SqlStore } from '../../src/backend/store/sql-store';
import { cloudDatabase } from '../../src/backend/store/database';
import { run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';
import { waitFor } from '../helpers/node';

type Env = Record<string, string>;
const ZONE = 'cluster01';
const field = (line: string, n: number) => line.split('\t')[n];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function killCloud(cloud: TestCloud): Promise<void> {
  const pid = Number(fs.readFileSync(cloudPaths(cloud.dataDir).pidFile, 'utf8'));
  process.kill(pid, 'SIGKILL');
  await waitFor('the cloud gone', () => {
    try {
      process.kill(pid, 0);
      return undefined;
    } catch {
      return true;
    }
  });
  // Its node notices and stops (it polls its parent every second).
  const np = nodePaths(path.join(cloud.dataDir, 'node'));
  await waitFor('its node stopped', () => (fs.existsSync(np.pidFile) ? undefined : true), 15_000);
}

/** Runs SQL on a stopped cloud's store: what a crash at the wrong moment leaves. */
async function withStore<T>(dataDir: string, fn: (store: SqlStore) => Promise<T>): Promise<T> {
  const store = await SqlStore.open(cloudDatabase(cloudPaths(dataDir)));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const instanceState = async (env: Env, id: string) =>
  field(
    (await runOk('euca-describe-instances', [id], env)).split('\n').find((l) => l.startsWith('INSTANCE'))!,
    5,
  );
const volumeStatus = async (env: Env, id: string) =>
  field((await runOk('euca-describe-volumes', [id], env)).split('\n')[0], 5);
const snapshotStatus = async (env: Env, id: string) =>
  field((await runOk('euca-describe-snapshots', [id], env)).split('\n')[0], 3);
const waitInstance = (env: Env, id: string, state: string) =>
  waitFor(`${id} ${state}`, async () => ((await instanceState(env, id)) === state ? true : undefined), 60_000);
const waitVolume = (env: Env, id: string, status: string) =>
  waitFor(`${id} ${status}`, async () => ((await volumeStatus(env, id)) === status ? true : undefined), 60_000);
const waitSnapshot = (env: Env, id: string, status: string) =>
  waitFor(`${id} ${status}`, async () => ((await snapshotStatus(env, id)) === status ? true : undefined), 120_000);

/** An EBS-backed image: a raw disk imported as a volume, snapshotted, registered. */
async function ebsImage(env: Env, work: string): Promise<string> {
  const disk = path.join(work, 'root.img');
  fs.writeFileSync(disk, randomBytes(1024 * 1024));
  const imported = (await runOk('euca-import-volume', [disk, '-f', 'raw', '-z', ZONE, '-b', 'crash-images'], env))
    .trim()
    .split('\n');
  const source = imported[1].match(/VolumeId\t(vol-\w+)/)![1];
  await waitVolume(env, source, 'available');
  const snap = field((await runOk('euca-create-snapshot', [source], env)).trim(), 1);
  await waitSnapshot(env, snap, 'completed');
  return field((await runOk('euca-register', ['--name', 'crash-ebs', '--snapshot', snap], env)).trim(), 1);
}

test('a crash of the cloud deletes no volume and stops no instance whose node kept it', async () => {
  const dataDir = tempDir('euca-crash-');
  const work = tempDir('euca-crash-work-');
  let cloud = await startCloud(dataDir);
  try {
    let env = cloud.env;
    const ebs = await ebsImage(env, work);
    const store = await registerTestImage(env);
    const ebsId = (await runOk('euca-run-instances', [ebs], env)).match(/^INSTANCE\t(i-\w+)/m)![1];
    const storeId = (await runOk('euca-run-instances', [store], env)).match(/^INSTANCE\t(i-\w+)/m)![1];
    await waitInstance(env, ebsId, 'running');
    await waitInstance(env, storeId, 'running');
    const root = (await runOk('euca-describe-volumes', ['--filter', `attachment.instance-id=${ebsId}`], env)).match(
      /^VOLUME\t(vol-\w+)/m,
    )![1];
    const data = field((await runOk('euca-create-volume', ['-z', ZONE, '-s', '1'], env)).trim(), 1);
    await waitVolume(env, data, 'available');
    await runOk('euca-attach-volume', [data, '-i', storeId, '-d', '/dev/sdf'], env);
    await waitVolume(env, data, 'in-use');

    await killCloud(cloud);
    cloud = await startCloud(dataDir, cloud.port);
    env = cloud.env;
    // The node booted both again; a few polls of the instance monitor later, both still run.
    await sleep(3000);
    assert.equal(await instanceState(env, ebsId), 'running');
    assert.equal(await instanceState(env, storeId), 'running');
    assert.equal(await volumeStatus(env, root), 'in-use');
    assert.equal(await volumeStatus(env, data), 'in-use');

    // Killed again, and its node back without its disks: nothing of the user's is deleted.
    await killCloud(cloud);
    const instances = nodePaths(path.join(dataDir, 'node')).defaultInstancePath;
    for (const name of fs.readdirSync(instances))
      if (name !== 'cache') fs.rmSync(path.join(instances, name), { recursive: true, force: true });
    cloud = await startCloud(dataDir, cloud.port);
    env = cloud.env;
    await waitInstance(env, ebsId, 'stopped');
    await waitInstance(env, storeId, 'terminated');
    assert.equal(await volumeStatus(env, root), 'in-use', 'the stopped instance keeps its root volume');
    await waitVolume(env, data, 'available');
    const volumesDir = cloudPaths(dataDir).volumesDir;
    for (const v of [root, data]) assert.ok(fs.existsSync(path.join(volumesDir, ZONE, v)), `${v}'s file is kept`);
    // And the stopped instance starts again from its volume.
    await runOk('euca-start-instances', [ebsId], env);
    await waitInstance(env, ebsId, 'running');
    await runOk('euca-terminate-instances', [ebsId], env);
  } finally {
    await cloud.stop();
  }
});

test('background jobs cut short by a crash resume or end in error, and can be cleaned up', async () => {
  const dataDir = tempDir('euca-crash-jobs-');
  let cloud = await startCloud(dataDir);
  try {
    let env = cloud.env;
    const vol = field((await runOk('euca-create-volume', ['-z', ZONE, '-s', '1'], env)).trim(), 1);
    const gone = field((await runOk('euca-create-volume', ['-z', ZONE, '-s', '1'], env)).trim(), 1);
    await waitVolume(env, vol, 'available');
    await waitVolume(env, gone, 'available');
    // Something to keep: a chunk of data in the volume whose snapshot will be left behind.
    const fd = fs.openSync(path.join(cloudPaths(dataDir).volumesDir, ZONE, gone), 'r+');
    fs.writeSync(fd, randomBytes(64 * 1024), 0, 64 * 1024, 0);
    fs.closeSync(fd);
    const chunksOf = (id: string) =>
      withStore(
        dataDir,
        async (s) =>
          (await s.db
            .prepare<{ n: number }>(
              `SELECT count(*) AS n FROM walrus_objects o JOIN walrus_buckets b ON b.id = o.bucket_id ` +
                `WHERE b.name = 'eucalyptus-snapshots' AND substr(o.key, 1, ?) = ?`,
            )
            .get(`${id}/`.length, Buffer.from(`${id}/`)))!.n,
      );
    const snap = field((await runOk('euca-create-snapshot', [vol], env)).trim(), 1);
    const orphan = field((await runOk('euca-create-snapshot', [gone], env)).trim(), 1);
    await waitSnapshot(env, orphan, 'completed');
    assert.equal(await chunksOf(orphan), 1);
    await killCloud(cloud);

    // What a kill at the wrong moment leaves: a snapshot at 1%, one whose volume went away, and
    // a volume still being created.
    const creating = await withStore(dataDir, async (s) => {
      await s.db.prepare(`UPDATE snapshots SET status = 'pending', progress = 1 WHERE id IN (?, ?)`).run(snap, orphan);
      await s.db.prepare(`UPDATE volumes SET status = 'deleted' WHERE id = ?`).run(gone);
      const id = 'vol-0C0C0C0C';
      await s.db
        .prepare(
          `INSERT INTO volumes (id, account_id, zone, size_gib, status, created) SELECT ?, account_id, zone, ` +
            `1, 'creating', created FROM volumes WHERE id = ?`,
        )
        .run(id, vol);
      return id;
    });

    cloud = await startCloud(dataDir, cloud.port);
    env = cloud.env;
    await waitSnapshot(env, snap, 'completed');
    assert.equal(await snapshotStatus(env, orphan), 'error');
    assert.equal(await volumeStatus(env, creating), 'error');
    // Each can be cleaned up.
    await runOk('euca-delete-snapshot', [orphan], env);
    await runOk('euca-delete-volume', [creating], env);
    await runOk('euca-delete-snapshot', [snap], env);
    assert.equal((await run('euca-describe-snapshots', [orphan], env)).code, 1);
    assert.equal(await chunksOf(orphan), 0, 'the deleted snapshot leaves no chunks');
  } finally {
    await cloud.stop();
  }
});
