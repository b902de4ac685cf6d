/**
 * Walrus's object bytes on either backend (s3/object-bytes.ts): the data dir's files, and an S3
 * service. The S3 service is a second embedded cloud's Walrus, the S3 implementation every run of
 * the suite has, or Ceph's RADOS Gateway when EUCA_TEST_S3_ENDPOINT, _ACCESS_KEY and _SECRET_KEY
 * name one (scripts/test-ceph.sh runs this file so, on a cluster of scripts/ceph-dev.sh). The same
 * contract holds on both; a cloud whose bytes are in S3 keeps none in its data dir and serves
 * objects, ranges, copies, multipart and SSE through it; and two front ends on one database and
 * one store read each other's objects, one finishing a snapshot the other was killed copying.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { type ObjectBytes } from '../../src/backend/s3/object-bytes';
import { S3ObjectBytes, SWEEP_GRACE_MS } from '../../src/backend/s3/s3-object-bytes';
import { ObjectFiles } from '../../src/backend/s3/storage';
import { cloudPaths } from '../../src/shared/paths';
import { tempDir } from '../helpers/cli';
import { startCloud, startFrontEnd, type TestCloud } from '../helpers/cloud';
import { createAccount, type Keys, s3Client } from '../helpers/s3';
import { runOk } from '../helpers/cli';
import { waitFor } from '../helpers/node';

const MiB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
/** The S3 service: Ceph's gateway when the environment names one, else a second embedded cloud. */
let serviceCloud: TestCloud | undefined;
let endpoint: string;
let serviceKeys: Keys;

before(async () => {
  const e = process.env;
  if (e.EUCA_TEST_S3_ENDPOINT) {
    endpoint = e.EUCA_TEST_S3_ENDPOINT;
    serviceKeys = { accessKeyId: e.EUCA_TEST_S3_ACCESS_KEY!, secretAccessKey: e.EUCA_TEST_S3_SECRET_KEY! };
    return;
  }
  serviceCloud = await startCloud();
  endpoint = serviceCloud.eucarc.S3_URL;
  serviceKeys = await createAccount(serviceCloud, 'objectstore');
});
after(() => serviceCloud?.stop());

const s3Bytes = (bucket: string) => new S3ObjectBytes({ endpoint, bucket, ...serviceKeys, region: 'us-east-1' });

const readAll = async (bytes: ObjectBytes, bucketId: string, fileId: string, start?: number, end?: number) => {
  const pieces: Buffer[] = [];
  for await (const piece of await bytes.open(bucketId, fileId, start, end)) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
};

async function* failingBody(): AsyncGenerator<Buffer> {
  yield randomBytes(9 * MiB);
  throw new Error('the client went away');
}

for (const [name, make] of [
  ['files', () => new ObjectFiles(path.join(tempDir('walrus-files-'), 'walrus'))],
  ['S3', () => s3Bytes(`bytes-${randomBytes(4).toString('hex')}`)],
] as [string, () => ObjectBytes][]) {
  test(`the object bytes contract, on ${name}: writes (small, empty, multipart-sized), ranges, joins, removal, a failed write`, async () => {
    const bytes = make();
    await bytes.init();
    await bytes.init();
    const bucket = bytes.newId();
    await bytes.createBucket(bucket);
    const small = randomBytes(1000);
    const large = randomBytes(20 * MiB + 3);
    const [a, b, empty] = [
      await bytes.write(bucket, [small]),
      await bytes.write(
        bucket,
        (async function* () {
          for (let at = 0; at < large.length; at += 65_536) yield large.subarray(at, at + 65_536);
        })(),
      ),
      await bytes.write(bucket, []),
    ];
    assert.deepEqual(await readAll(bytes, bucket, a), small);
    assert.equal(md5(await readAll(bytes, bucket, b)), md5(large));
    assert.deepEqual(
      await readAll(bytes, bucket, b, 8 * MiB - 5, 8 * MiB + 5),
      large.subarray(8 * MiB - 5, 8 * MiB + 6),
    );
    assert.deepEqual(await readAll(bytes, bucket, empty), Buffer.alloc(0));

    const joined = await bytes.join(bucket, [
      { fileId: a, size: small.length },
      { fileId: b, size: large.length },
    ]);
    const whole = Buffer.concat([small, large]);
    assert.equal(md5(await readAll(bytes, bucket, joined)), md5(whole));
    assert.deepEqual(await readAll(bytes, bucket, joined, 990, 1010), whole.subarray(990, 1011));
    // A join not committed goes alone; its parts stay.
    await bytes.unjoin(bucket, joined);
    await assert.rejects(() => bytes.open(bucket, joined));
    assert.deepEqual(await readAll(bytes, bucket, a), small);
    // Removing a joined file removes its parts.
    const again = await bytes.join(bucket, [{ fileId: a, size: small.length }]);
    await bytes.remove(bucket, again);
    await assert.rejects(() => bytes.open(bucket, a));
    // A body that fails half-way (past the first part) leaves nothing.
    const failedId = bytes.newId();
    await assert.rejects(() => bytes.write(bucket, failingBody(), failedId), /went away/);
    await assert.rejects(() => bytes.open(bucket, failedId));
    // A sweep keeps what is in use and removes the rest (on S3, only once it is old enough).
    const live = { bucketIds: new Set([bucket]), fileInUse: async (id: string) => id === b };
    if (bytes instanceof S3ObjectBytes) {
      assert.equal((await bytes.sweep(live)).removed, 0, 'young files are spared');
      assert.equal((await bytes.sweep(live, Date.now() + SWEEP_GRACE_MS + 1000)).removed, 1);
    } else assert.equal((await bytes.sweep(live)).removed, 1);
    assert.equal(md5(await readAll(bytes, bucket, b)), md5(large));
    await assert.rejects(() => bytes.open(bucket, empty));
    await bytes.removeBucket(bucket);
    await assert.rejects(() => bytes.open(bucket, b));
  });
}

/** A data dir whose eucalyptus.conf puts Walrus's bytes in the service's bucket `bucket`. */
function s3DataDir(bucket: string, extra = ''): string {
  const dataDir = tempDir('euca-cloud-');
  const conf = cloudPaths(dataDir).conf;
  fs.mkdirSync(path.dirname(conf), { recursive: true });
  fs.writeFileSync(
    conf,
    `WALRUS_BACKEND="s3"\nWALRUS_S3_ENDPOINT="${endpoint}"\nWALRUS_S3_BUCKET="${bucket}"\n` +
      `WALRUS_S3_ACCESS_KEY="${serviceKeys.accessKeyId}"\nWALRUS_S3_SECRET_KEY="${serviceKeys.secretAccessKey}"\n${extra}`,
    { mode: 0o644 },
  );
  return dataDir;
}

/** Files under the cloud's own walrus folder that hold bytes (its temp folder aside). */
function localBytes(dataDir: string): string[] {
  const dir = cloudPaths(dataDir).walrusDir;
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

describe('a cloud whose Walrus keeps its bytes in S3', () => {
  test('objects, ranges, copies, multipart and SSE go through the store; the data dir keeps none', async () => {
    const dataDir = s3DataDir('front-bytes');
    const cloud = await startCloud(dataDir);
    try {
      assert.equal(fs.statSync(cloudPaths(dataDir).conf).mode & 0o777, 0o600, 'a conf with a secret key is 0600');
      assert.match(
        cloud.output(),
        /walrus: object bytes in http:\/\/127\.0\.0\.1:\d+(\/services\/Walrus)?\/front-bytes \(S3\)/,
      );
      assert.ok(!cloud.output().includes(serviceKeys.secretAccessKey));
      const s3 = await s3Client(cloud);
      await s3.createBucket('photos');
      const body = randomBytes(12 * MiB + 7);
      await s3.putObject('photos', 'big.bin', body);
      assert.equal(md5((await s3.getObjectBuffer('photos', 'big.bin')).body), md5(body));
      assert.deepEqual(
        (await s3.getObjectBuffer('photos', 'big.bin', { range: { start: 100, end: 199 } })).body,
        body.subarray(100, 200),
      );
      await s3.copyObject({ bucket: 'photos', key: 'big.bin' }, { bucket: 'photos', key: 'copy.bin' });
      assert.equal(md5((await s3.getObjectBuffer('photos', 'copy.bin')).body), md5(body));
      await s3.putObject('photos', 'sealed.txt', Buffer.from('secret words'), {
        headers: { 'x-amz-server-side-encryption': 'AES256' },
      });
      assert.equal((await s3.getObjectBuffer('photos', 'sealed.txt')).body.toString(), 'secret words');
      const id = await s3.createMultipartUpload('photos', 'parts.bin');
      const [p1, p2] = [randomBytes(5 * MiB), randomBytes(1000)];
      const parts = [
        { partNumber: 1, etag: await s3.uploadPart('photos', 'parts.bin', id, 1, p1) },
        { partNumber: 2, etag: await s3.uploadPart('photos', 'parts.bin', id, 2, p2) },
      ];
      await s3.completeMultipartUpload('photos', 'parts.bin', id, parts);
      assert.equal(md5((await s3.getObjectBuffer('photos', 'parts.bin')).body), md5(Buffer.concat([p1, p2])));
      assert.deepEqual(localBytes(dataDir), [], 'no object bytes in the data dir');
      // The store holds them (the service's bucket lists files, never keys).
      const stored: string[] = [];
      for await (const o of s3Bytes('front-bytes').list('')) stored.push(o.key);
      assert.ok(stored.length >= 5, `the store holds the files: ${stored.length}`);
      assert.ok(
        stored.every((k) => /^[0-9a-f]{32}\/[0-9a-f]{32}(\.join)?$/.test(k)),
        stored.join(' '),
      );
      await s3.deleteObject('photos', 'copy.bin');
      await assert.rejects(() => s3.getObjectBuffer('photos', 'copy.bin'), /The specified key does not exist/);
    } finally {
      await cloud.stop();
    }
  });

  test(
    'two front ends on one database, one store and one volumes folder: each reads the other’s objects; ' +
      'a snapshot whose front end is killed mid-copy is finished by the other',
    async () => {
      const serverDir = tempDir('euca-pg-');
      const script = path.resolve(__dirname, '..', '..', '..', 'scripts', 'postgres-dev.sh');
      const port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      const server = execFileSync('bash', [script, 'start', serverDir, String(port)], { encoding: 'utf8' }).trim();
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      await client.query('CREATE DATABASE shared_bytes');
      await client.end();
      const url = server.replace(/\/postgres$/, '/shared_bytes');
      const volumes = tempDir('euca-volumes-');
      const shared = `VOLUMES_DIR="${volumes}"\n`;
      const first = await startCloud(s3DataDir('shared-bytes', shared), 0, { db: url });
      let second: TestCloud | undefined;
      try {
        second = await startFrontEnd(first, url, s3DataDir('shared-bytes', shared));
        const [one, two] = [await s3Client(first), await s3Client(second)];
        await one.createBucket('shared');
        const body = randomBytes(3 * MiB);
        await one.putObject('shared', 'from-one', body);
        assert.equal(md5((await two.getObjectBuffer('shared', 'from-one')).body), md5(body));
        await two.putObject('shared', 'from-two', Buffer.from('hello from two'));
        assert.equal((await one.getObjectBuffer('shared', 'from-two')).body.toString(), 'hello from two');
        await two.deleteObject('shared', 'from-one');
        await assert.rejects(() => one.getObjectBuffer('shared', 'from-one'), /The specified key does not exist/);

        // A volume made through the first, holding data; its snapshot started there, the first killed
        // while it copies: the second takes the job over and the snapshot holds the volume's bytes.
        const field = (line: string, n: number) => line.split('\t')[n];
        const zone = field(await runOk('euca-describe-availability-zones', [], first.env), 1);
        const vol = field(await runOk('euca-create-volume', ['-s', '1', '-z', zone], first.env), 1);
        const volumeIs = async (env: Record<string, string>, id: string, status: string) =>
          waitFor(`${id} ${status}`, async () =>
            field(await runOk('euca-describe-volumes', [id], env), 5) === status ? true : undefined,
          );
        await volumeIs(first.env, vol, 'available');
        const file = path.join(volumes, zone, vol);
        const fd = fs.openSync(file, 'r+');
        for (let i = 0; i < 48; i++) fs.writeSync(fd, randomBytes(4 * MiB), 0, 4 * MiB, i * 16 * MiB);
        fs.closeSync(fd);
        const snap = field(await runOk('euca-create-snapshot', [vol], first.env), 1);
        process.kill(Number(fs.readFileSync(cloudPaths(first.dataDir).pidFile, 'utf8')), 'SIGKILL');
        const progress = field(await runOk('euca-describe-snapshots', [snap], second.env), 3);
        assert.equal(progress, 'pending', 'the snapshot was in flight when its front end died');
        await waitFor(
          `${snap} completed by the second front end`,
          async () =>
            field(await runOk('euca-describe-snapshots', [snap], second!.env), 3) === 'completed' ? true : undefined,
          90_000,
        );
        assert.match(second.output(), new RegExp(`jobs: taking over \\d+ job\\(s\\) .*${snap}`));
        const copy = field(await runOk('euca-create-volume', ['--snapshot', snap, '-z', zone], second.env), 1);
        await volumeIs(second.env, copy, 'available');
        const sha = async (f: string) => {
          const h = createHash('sha1');
          for await (const piece of fs.createReadStream(f)) h.update(piece as Buffer);
          return h.digest('hex');
        };
        assert.equal(await sha(path.join(volumes, zone, copy)), await sha(file), 'the snapshot holds the volume');
      } finally {
        await second?.stop();
        await first.stop();
        execFileSync('bash', [script, 'stop', serverDir]);
      }
    },
  );
});
