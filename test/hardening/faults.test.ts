/**
 * Crashes: the cloud is killed (SIGKILL) at random points of a workload of uploads, image
 * registrations and run/terminate, FAULT_ROUNDS times (default 20). After each restart: every
 * upload that was acknowledged reads back with its MD5, and an object whose upload was cut short
 * is either absent or whole; SQLite's integrity check passes; no temp file is left in Walrus; and
 * the instance, address and capacity records agree with each other.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { cloudDatabase, isPostgresUrl } from '../../src/backend/store/database';
import { cloudPaths } from '../../src/shared/paths';
import { listOf } from '../../src/cli/xml';
import { QueryClient } from '../../src/cli/query';
import { resolveEndpoint } from '../../src/cli/config/resolve';
import { runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';
import { s3Client } from '../helpers/s3';

const ROUNDS = Number(process.env.FAULT_ROUNDS ?? 20);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(`the cloud killed ${ROUNDS} times mid-workload loses nothing it acknowledged`, async () => {
  const dataDir = tempDir('euca-faults-');
  let cloud: TestCloud = await startCloud(dataDir);
  const port = cloud.port;
  const image = await registerTestImage(cloud.env);
  const s3 = await s3Client(cloud);
  await s3.createBucket('faults');
  const sent = new Map<string, string>(); // key → md5 of what was sent
  const acked = new Set<string>();
  let n = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const client = new QueryClient(
        await resolveEndpoint('ec2', {}, { env: cloud.env, ini: new Map(), commandName: 'faults' }),
      );
      const s3r = await s3Client(cloud);
      let stop = false;
      const workers = [
        // uploads, small and multi-MiB
        (async () => {
          while (!stop) {
            const key = `obj-${n++}`;
            const data = randomBytes(n % 3 === 0 ? 3 * 1024 * 1024 + 7 : 4096);
            sent.set(key, md5(data));
            try {
              await s3r.putObject('faults', key, data);
              acked.add(key);
            } catch {
              /* cut short by the kill */
            }
          }
        })(),
        // run and terminate
        (async () => {
          while (!stop) {
            try {
              const r = await client.call('RunInstances', { ImageId: image, MinCount: 1, MaxCount: 1 });
              const id = listOf(r, 'instancesSet')[0].instanceId;
              await client.call('TerminateInstances', { InstanceId: [id] });
            } catch {
              /* cut short */
            }
          }
        })(),
        // registrations (of the same uploaded bundle: each a new image)
        (async () => {
          while (!stop) {
            try {
              const loc = (await runOk('euca-describe-images', [image], cloud.env)).split('\t')[2];
              await client.call('RegisterImage', { ImageLocation: loc, Name: `re-${n++}` });
            } catch {
              /* cut short */
            }
          }
        })(),
      ];
      await sleep(300 + Math.floor(Math.random() * 1200));
      const pid = Number(fs.readFileSync(cloudPaths(dataDir).pidFile, 'utf8'));
      process.kill(pid, 'SIGKILL');
      stop = true;
      await Promise.all(workers);
      await sleep(200);
      cloud = await startCloud(dataDir, port);

      // Acknowledged uploads read back whole; cut ones are absent or whole.
      const after = await s3Client(cloud);
      const listed = new Set<string>();
      for (let page = await after.listObjects('faults'); ;) {
        for (const o of page.objects) listed.add(o.key);
        if (!page.isTruncated) break;
        page = await after.listObjects('faults', { next: page.next });
      }
      for (const key of acked) assert.ok(listed.has(key), `round ${round}: acknowledged ${key} is missing`);
      for (const key of listed) {
        const got = await after.getObjectBuffer('faults', key);
        assert.equal(md5(got.body), sent.get(key), `round ${round}: ${key} is not whole`);
      }
      // A SQLite file killed with its writer is whole (a PostgreSQL server's files are its own to keep).
      const location = cloudDatabase(cloudPaths(dataDir));
      if (!isPostgresUrl(location)) {
        const db = new Database(location, { readonly: true });
        try {
          assert.equal(
            (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check,
            'ok',
          );
        } finally {
          db.close();
        }
      }
      const tmp = path.join(cloudPaths(dataDir).walrusDir, 'tmp');
      assert.deepEqual(fs.existsSync(tmp) ? fs.readdirSync(tmp) : [], [], `round ${round}: temp files left`);

      // Instances, addresses and capacity agree: what is placed is what is pending or running. A
      // launch the kill cut short is confirmed by its node's next answer, or lost, meanwhile: they
      // are read again (up to 10 s) until they agree.
      const reading = async () => {
        const live = (await runOk('euca-describe-instances', ['verbose'], cloud.env))
          .split('\n')
          .filter((l) => /^INSTANCE\t.*\t(pending|running)\t/.test(l));
        const verbose = await runOk('euca-describe-availability-zones', ['verbose'], cloud.env);
        const small = /\|- m1\.small\s+(\d+) \/ (\d+)/.exec(verbose)!;
        const held = (await runOk('euca-describe-addresses', [], cloud.env))
          .split('\n')
          .filter((l) => /^ADDRESS\t\S+\ti-/.test(l));
        const publicIps = live.map((l) => l.split('\t')[3]).filter((ip) => ip && ip !== '0.0.0.0');
        return { live, used: Number(small[2]) - Number(small[1]), held, publicIps };
      };
      let now = await reading();
      for (let i = 0; i < 50 && (now.used !== now.live.length || now.held.length !== now.publicIps.length); i++) {
        await sleep(200);
        now = await reading();
      }
      const { live, used, held, publicIps } = now;
      assert.equal(
        used,
        live.length,
        `round ${round}: capacity in use matches the live instances:\n${live.join('\n')}`,
      );
      assert.equal(
        held.length,
        publicIps.length,
        `round ${round}: addresses held match the live instances:\n${live.join('\n')}\n${held.join('\n')}`,
      );
    }
  } finally {
    await cloud.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(
    `faults: ${ROUNDS} kills; ${acked.size} uploads acknowledged, all read back; ${sent.size - acked.size} cut short`,
  );
});
