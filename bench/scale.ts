/**
 * npm run bench:scale: the same work on the engines a site scales to, each pair in one run.
 * - Instances: bench:instances' workload (SCALE_INSTANCES, default 10,000, run in batches of 500
 *   with a tag each, then described at once: all, one, by tag) on SQLite and on PostgreSQL.
 * - Load: bench:load's mix (SCALE_CLIENTS clients, default 100, for SCALE_SECONDS, default 30) on
 *   one front end over SQLite, one over PostgreSQL, and two front ends over one PostgreSQL.
 * - Walrus: PUT and GET of 16 objects of 16 MiB, 4 streams, bytes on files and on Ceph's RADOS
 *   Gateway (scripts/ceph-dev.sh; left out, and said so, where Ceph cannot start).
 * PostgreSQL is a throwaway server (scripts/postgres-dev.sh). Goals, printed beside the ratios:
 * PostgreSQL within 2x of SQLite's latency at one front end; two front ends at least 1.6x one
 * front end's throughput.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import pg from 'pg';
import { resolveEndpoint } from '../src/cli/config/resolve';
import { QueryClient } from '../src/cli/query';
import { S3Client } from '../src/cli/s3';
import { cloudPaths } from '../src/shared/paths';
import { tempDir } from '../test/helpers/cli';
import { startCloud, startFrontEnd, type TestCloud } from '../test/helpers/cloud';
import { registerTestImage } from '../test/helpers/images';
import { measure, print, sizedCloud, type Figures } from './instances';
import { KINDS, type MixResult, percentile, runMix } from './mix';

const INSTANCES = Number(process.env.SCALE_INSTANCES ?? 10_000);
const CLIENTS = Number(process.env.SCALE_CLIENTS ?? 100);
const SECONDS = Number(process.env.SCALE_SECONDS ?? 30);
const ROOT = path.resolve(__dirname, '..', '..');
const MiB = 1024 * 1024;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** A throwaway PostgreSQL server, and a new database on it per call of `database()`. */
async function postgres() {
  const dir = tempDir('euca-pg-');
  const script = path.join(ROOT, 'scripts', 'postgres-dev.sh');
  const server = execFileSync('bash', [script, 'start', dir, String(await freePort())], { encoding: 'utf8' }).trim();
  let n = 0;
  return {
    async database(): Promise<string> {
      const name = `scale_${++n}`;
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      return server.replace(/\/postgres$/, `/${name}`);
    },
    stop: () => execFileSync('bash', [script, 'stop', dir]),
  };
}

async function instances(db?: string): Promise<Figures> {
  const cloud = await sizedCloud(tempDir('euca-bench-'), INSTANCES, db);
  try {
    const emi = await registerTestImage(cloud.env, undefined, [], 4096);
    const client = new QueryClient(
      await resolveEndpoint('ec2', {}, { env: cloud.env, ini: new Map(), commandName: 'bench' }),
    );
    return await measure(client, emi, 'm1.small', 3, INSTANCES, false);
  } finally {
    await cloud.stop();
  }
}

async function load(clouds: TestCloud[]): Promise<MixResult> {
  const image = await registerTestImage(clouds[0].env);
  const ctx = { env: clouds[0].env, ini: new Map(), commandName: 'bench' };
  const bucket = `load-${randomBytes(4).toString('hex')}`;
  await new S3Client(await resolveEndpoint('s3', {}, ctx)).createBucket(bucket);
  return runMix(clouds, { clients: CLIENTS, seconds: SECONDS, image, bucket, runSlots: 6 });
}

/** MB/s of PUT and of GET of 16 x 16 MiB over 4 streams against the cloud's Walrus. */
async function walrus(cloud: TestCloud): Promise<{ put: number; get: number }> {
  const s3 = new S3Client(await resolveEndpoint('s3', {}, { env: cloud.env, ini: new Map(), commandName: 'bench' }));
  await s3.createBucket('scale');
  const body = randomBytes(16 * MiB);
  const md5 = createHash('md5').update(body).digest('hex');
  const streams = async (work: (i: number) => Promise<void>) => {
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 4 }, async (_, s) => {
        for (let i = s; i < 16; i += 4) await work(i);
      }),
    );
    return (16 * 16) / ((Date.now() - t0) / 1000);
  };
  const put = await streams(async (i) => void (await s3.putObject('scale', `o${i}`, body)));
  const get = await streams(async (i) => {
    const got = await s3.getObjectBuffer('scale', `o${i}`);
    if (createHash('md5').update(got.body).digest('hex') !== md5) throw new Error(`o${i} read back different bytes`);
  });
  return { put, get };
}

/** A one-host Ceph (scripts/ceph-dev.sh) and the eucalyptus.conf lines that put Walrus's bytes in it. */
async function ceph(): Promise<{ conf: string; stop: () => void } | undefined> {
  const dir = tempDir('euca-ceph-');
  const script = path.join(ROOT, 'scripts', 'ceph-dev.sh');
  try {
    const conf = execFileSync('bash', [script, 'start', dir, String(await freePort())], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { conf, stop: () => execFileSync('bash', [script, 'stop', dir]) };
  } catch (e) {
    console.log(`walrus on Ceph left out: Ceph did not start (${(e as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

const p99 = (r: MixResult) => {
  const all = KINDS.flatMap((k) => r.latencies.get(k)!).sort((a, b) => a - b);
  return { p50: percentile(all, 50), p99: percentile(all, 99) };
};

function describeLoad(name: string, r: MixResult): void {
  const { p50, p99: tail } = p99(r);
  console.log(
    `${name}: ${r.requests} requests in ${r.seconds} s (${(r.requests / r.seconds).toFixed(0)}/s), ` +
      `${r.errors.length} errors; p50 ${p50.toFixed(1)} ms, p99 ${tail.toFixed(1)} ms`,
  );
  if (r.errors.length) console.log(`  first errors: ${[...new Set(r.errors)].slice(0, 3).join(' | ')}`);
}

async function main(): Promise<void> {
  const server = await postgres();
  try {
    console.log(`instances: ${INSTANCES}, run in batches of 500 and described`);
    const onSqlite = await instances();
    print('  SQLite', onSqlite);
    const onPostgres = await instances(await server.database());
    print('  PostgreSQL', onPostgres);

    console.log(`load: ${CLIENTS} clients for ${SECONDS} s each`);
    const one = await startCloud();
    const sqliteLoad = await load([one]).finally(() => one.stop());
    describeLoad('  SQLite, one front end', sqliteLoad);
    const db = await server.database();
    const first = await startCloud(tempDir('euca-cloud-'), 0, { db });
    let second: TestCloud | undefined;
    try {
      const pgLoad = await load([first]);
      describeLoad('  PostgreSQL, one front end', pgLoad);
      second = await startFrontEnd(first, db);
      const twoLoad = await load([first, second]);
      describeLoad('  PostgreSQL, two front ends', twoLoad);

      const [lite, post] = [p99(sqliteLoad), p99(pgLoad)];
      const latency = post.p50 / Math.max(lite.p50, 1e-3);
      const throughput = twoLoad.requests / Math.max(pgLoad.requests, 1);
      console.log('\nratios (goal in brackets)');
      console.log(
        `  PostgreSQL / SQLite, instances: run ${(onPostgres.run / onSqlite.run).toFixed(2)}x, describe all ` +
          `${(onPostgres.all / onSqlite.all).toFixed(2)}x, one ${(onPostgres.one / Math.max(onSqlite.one, 1)).toFixed(2)}x, ` +
          `tag filter ${(onPostgres.filtered / Math.max(onSqlite.filtered, 1)).toFixed(2)}x`,
      );
      console.log(
        `  PostgreSQL / SQLite, load latency: p50 ${latency.toFixed(2)}x, p99 ${(post.p99 / Math.max(lite.p99, 1e-3)).toFixed(2)}x [<= 2x: ${latency <= 2 ? 'met' : 'NOT met'}]`,
      );
      console.log(
        `  two front ends / one, load throughput: ${throughput.toFixed(2)}x [>= 1.6x: ${throughput >= 1.6 ? 'met' : 'NOT met'}]`,
      );
    } finally {
      await second?.stop();
      await first.stop();
    }
  } finally {
    server.stop();
  }

  const onFiles = await startCloud();
  const files = await walrus(onFiles).finally(() => onFiles.stop());
  console.log(
    `\nwalrus, 16 x 16 MiB over 4 streams: files PUT ${files.put.toFixed(0)} MB/s, GET ${files.get.toFixed(0)} MB/s`,
  );
  const cluster = await ceph();
  if (cluster) {
    try {
      const dir = tempDir('euca-cloud-');
      fs.mkdirSync(path.dirname(cloudPaths(dir).conf), { recursive: true });
      fs.writeFileSync(cloudPaths(dir).conf, cluster.conf, { mode: 0o600 });
      const onCeph = await startCloud(dir);
      const rgw = await walrus(onCeph).finally(() => onCeph.stop());
      console.log(
        `walrus on Ceph: PUT ${rgw.put.toFixed(0)} MB/s (${(rgw.put / files.put).toFixed(2)}x files), ` +
          `GET ${rgw.get.toFixed(0)} MB/s (${(rgw.get / files.get).toFixed(2)}x files)`,
      );
    } finally {
      cluster.stop();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
