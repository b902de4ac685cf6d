/**
 * npm run bench:s3: Walrus's PUT and GET throughput against the disk it writes to, in one run.
 * For 1 GiB of data each (S3_BENCH_MIB to change it): single-stream and 8-stream PUT and GET of
 * 8 MiB and 64 MiB objects, and a 1 GiB multipart upload (64 MiB parts) read back whole; all of
 * it plain and again with SSE-S3. The peer, per workload, is `dd` doing the same in the cloud's
 * data dir, in rounds alternating with Walrus's (S3_BENCH_ROUNDS, 3; the best round of each side
 * counts): writing the workload's objects as files (conv=fsync, as Walrus syncs every object)
 * with as many dd loops at once as Walrus has streams, and reading the very files Walrus read, in
 * blocks of Walrus's size. Reads on both sides come from the disk (the files' pages are dropped
 * from the cache first). Prints MB/s, the ratio to dd, the goal (0.8 plain, 0.6 with SSE-S3), for
 * a PUT the most MD5 alone would allow (every stored byte is hashed: the ETag), how many of the
 * machine's cores were busy and the cloud's CPU time per MB; then the cloud's peak RSS under 8
 * streams (goal 300 MB) and one core's MD5 rate. S3_BENCH_ONLY runs only the workloads whose name
 * has it in it. The client is curl (--aws-sigv4, UNSIGNED-PAYLOAD as SDKs send over TLS), so the
 * client spends no time hashing and little of the machine's cores.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { signV4 } from '../src/shared/auth/sigv4';
import { READ_SIZE, WRITE_BATCH } from '../src/backend/s3/storage';
import { cloudPaths } from '../src/shared/paths';
import { startCloud } from '../test/helpers/cloud';

const MiB = 1024 * 1024;
const TOTAL = Number(process.env.S3_BENCH_MIB ?? 1024) * MiB;
const STREAMS = 8;
/** Rounds of dd then Walrus per workload (S3_BENCH_ROUNDS), the best of each side counted. */
const ROUNDS = Number(process.env.S3_BENCH_ROUNDS ?? 3);
/** Only the workloads whose name has this in it (S3_BENCH_ONLY, e.g. "64 MiB x16, 1 stream, plain"). */
const ONLY = process.env.S3_BENCH_ONLY ?? '';
/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const HZ = 100;

/** CPU seconds the whole machine has spent busy (all but idle and iowait) since boot. */
function machineCpu(): number {
  const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) / HZ;
}

/** How fast one core computes MD5 (MB/s), which Walrus does of every byte it stores: its ceiling per stream. */
function md5Rate(): number {
  const block = randomBytes(MiB);
  const hash = createHash('md5');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 512; i++) hash.update(block);
  hash.digest();
  return 512 / (Number(process.hrtime.bigint() - t0) / 1e9);
}

interface Row {
  name: string;
  mbps: number;
  /** What dd did of the same workload (MB/s). */
  peer: number;
  goal: number;
  /** Cores of the machine busy while Walrus ran (of os.availableParallelism()). */
  busy: number;
  /** The cloud process's CPU time per MB moved (ms). */
  cpuPerMb: number;
  /** For a PUT: how many bodies are hashed at once (each one's MD5 is serial, on one core). */
  hashing?: number;
}

/**
 * Drops a file's (or a folder's files') pages from the page cache, so reads come from the disk
 * as dd's do: GNU dd's iflag=nocache asks the kernel to (POSIX_FADV_DONTNEED), root or not.
 */
function uncache(file: string): void {
  if (fs.statSync(file).isDirectory()) {
    for (const f of fs.readdirSync(file)) uncache(path.join(file, f));
    return;
  }
  execFileSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
}

async function main(): Promise<void> {
  const md5 = md5Rate();
  const cloud = await startCloud();
  const paths = cloudPaths(cloud.dataDir);
  const pid = Number(fs.readFileSync(paths.pidFile, 'utf8'));
  const cloudCpu = () => {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / HZ;
  };
  const rssPeak = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  const url = new URL(cloud.eucarc.S3_URL);
  const keys = { accessKeyId: cloud.eucarc.EC2_ACCESS_KEY, secretAccessKey: cloud.eucarc.EC2_SECRET_KEY };
  const send = async (method: string, p: string, body?: Buffer, headers: Record<string, string> = {}) => {
    const h: Record<string, string> = { ...headers };
    if (body) h['Content-Length'] = String(body.length);
    signV4({ method, url, path: `${url.pathname}${p}`, headers: h }, keys, 's3', 'eucalyptus', {
      unsignedPayload: true,
    });
    const res = await request(new URL(`${url.pathname}${p}`, url.origin), { method, headers: h, body });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${p}: ${res.statusCode} ${text}`);
    return { headers: res.headers, text };
  };
  // The bytes sent: a file per size, which curl streams (a C client, so the 2 cores go to Walrus,
  // not to the client: a Node client reads GET bodies at about half the rate curl does here).
  const work = fs.mkdtempSync(path.join(paths.dataDir, 'bench-'));
  const source = (size: number) => {
    const file = path.join(work, `${size}.bin`);
    if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(size));
    return file;
  };
  const curlAuth = ['--aws-sigv4', 'aws:amz:eucalyptus:s3', '--user', `${keys.accessKeyId}:${keys.secretAccessKey}`];
  /** One curl doing its transfers one after another: each is [args before the URL, path]. */
  const curl = (transfers: [string[], string][], headers: Record<string, string>) =>
    new Promise<void>((resolve, reject) => {
      const args = ['-s', '-S', '-w', '%{http_code}\\n', ...curlAuth, '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD'];
      for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
      for (const [before, p] of transfers) args.push(...before, '-o', '/dev/null', `${url.origin}${url.pathname}${p}`);
      const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        const failed = out.split('\n').filter((c) => c && Number(c) >= 300);
        if (failed.length || out.split('\n').filter(Boolean).length !== transfers.length)
          reject(new Error(`curl (exit ${code ?? signal}): ${out.replace(/\n/g, ' ')}`));
        else resolve();
      });
    });
  /** `count` transfers over `streams` curls at once, transfer i going to the curl i % streams. */
  const streamsOf = (count: number, streams: number, transfer: (i: number) => [string[], string], h = {}) =>
    Promise.all(
      Array.from({ length: Math.min(streams, count) }, (_, s) =>
        curl(
          Array.from({ length: count }, (_, i) => i)
            .filter((i) => i % streams === s)
            .map(transfer),
          h,
        ),
      ),
    );
  const timed = async (work: () => Promise<unknown>) => {
    const t0 = process.hrtime.bigint();
    await work();
    return TOTAL / MiB / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  /** Runs `count` jobs, `streams` at a time. */
  const pool = async (count: number, streams: number, job: (i: number) => Promise<unknown>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: streams }, async () => {
        while (next < count) await job(next++);
      }),
    );
  };

  // The peer, per workload: dd doing the same to the same disk in the same shape (see versus()).
  // Writes: the workload's objects as files, each synced (conv=fsync) as Walrus syncs each object,
  // `streams` dd loops at once. Reads: the very files Walrus read. Blocks of Walrus's sizes (its
  // write batches, its reads): on these machines the size matters, 512 KiB writes costing dd a
  // third of the CPU that 8 MiB ones do, whose buffer fits no core's cache.
  const ddDir = path.join(paths.walrusDir, 'tmp', 'dd-bench');
  const ddLoops = async (loops: string[][]) => {
    const t0 = process.hrtime.bigint();
    await Promise.all(
      loops.map(
        (commands) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn('sh', ['-c', commands.join(' && ')], { stdio: 'inherit' });
            child.on('error', reject);
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`dd exited ${code}`))));
          }),
      ),
    );
    return TOTAL / MiB / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  const split = <T>(items: T[], streams: number) =>
    Array.from({ length: Math.min(streams, items.length) }, (_, s) => items.filter((_, i) => i % streams === s));
  const ddWrite = async (file: string, count: number, streams: number) => {
    fs.mkdirSync(ddDir, { recursive: true });
    const targets = Array.from({ length: count }, (_, i) => path.join(ddDir, String(i)));
    const rate = await ddLoops(
      split(targets, streams).map((loop) =>
        loop.map((t) => `dd if=${file} of=${t} bs=${WRITE_BATCH} conv=fsync status=none`),
      ),
    );
    fs.rmSync(ddDir, { recursive: true });
    return rate;
  };
  const ddRead = async (files: string[], streams: number) => {
    uncache(paths.walrusDir);
    return ddLoops(
      split(files, streams).map((loop) => loop.map((f) => `dd if=${f} of=/dev/null bs=${READ_SIZE} status=none`)),
    );
  };
  /**
   * The files of the objects Walrus holds, which are the current workload's (each deletes its
   * objects before the next): what its GETs read, a multipart object's parts rather than their list.
   */
  const objectFiles = () => {
    const files: string[] = [];
    for (const dir of fs.readdirSync(paths.walrusDir)) {
      if (dir === 'tmp') continue;
      for (const f of fs.readdirSync(path.join(paths.walrusDir, dir)))
        if (!f.endsWith('.join')) files.push(path.join(paths.walrusDir, dir, f));
    }
    return files.sort();
  };
  /**
   * Walrus's rate and its peer's: ROUNDS rounds of dd then Walrus, the best of each side (a shared
   * disk's rate moves from one second to the next, and its host's cache favours whoever reads a
   * file again: alternating, each side gets the same chances). With the best Walrus round: the
   * cores the whole machine kept busy, and the cloud's CPU time per MB (its threads and workers).
   */
  const versus = async (walrus: () => Promise<number>, dd: () => Promise<number>) => {
    let peer = 0;
    let best = { mbps: 0, busy: 0, cpuPerMb: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      peer = Math.max(peer, await dd());
      const machine0 = machineCpu();
      const cloud0 = cloudCpu();
      const mbps = await walrus();
      const seconds = TOTAL / MiB / mbps;
      const measured = {
        mbps,
        busy: (machineCpu() - machine0) / seconds,
        cpuPerMb: ((cloudCpu() - cloud0) * 1000) / (TOTAL / MiB),
      };
      if (mbps > best.mbps) best = measured;
    }
    return { ...best, peer };
  };

  const rows: Row[] = [];
  let peakUnderStreams = 0;
  for (const sealed of [false, true]) {
    const bucket = sealed ? 'bench-sse' : 'bench-plain';
    await send('PUT', `/${bucket}`);
    const sse: Record<string, string> = sealed ? { 'x-amz-server-side-encryption': 'AES256' } : {};
    const goal = sealed ? 0.6 : 0.8;
    const label = sealed ? 'SSE-S3' : 'plain';
    for (const size of [8 * MiB, 64 * MiB]) {
      const count = TOTAL / size;
      const file = source(size);
      for (const streams of [1, STREAMS]) {
        const name = `${size / MiB} MiB x${count}, ${streams} stream${streams > 1 ? 's' : ''}, ${label}`;
        if (!name.includes(ONLY)) continue;
        const put = await versus(
          () => timed(() => streamsOf(count, streams, (i) => [['-T', file], `/${bucket}/o${size}-${i}`], sse)),
          () => ddWrite(file, count, streams),
        );
        const files = objectFiles();
        const get = await versus(
          () => {
            uncache(paths.walrusDir);
            return timed(() => streamsOf(count, streams, (i) => [[], `/${bucket}/o${size}-${i}`]));
          },
          () => ddRead(files, streams),
        );
        if (streams > 1) peakUnderStreams = Math.max(peakUnderStreams, rssPeak());
        rows.push({ name: `PUT ${name}`, ...put, goal, hashing: streams });
        rows.push({ name: `GET ${name}`, ...get, goal });
        await pool(count, STREAMS, (i) => send('DELETE', `/${bucket}/o${size}-${i}`));
      }
    }
    // One multipart upload of the whole amount, 64 MiB parts, then read back whole.
    const multipart = `multipart ${TOTAL / MiB} MiB (64 MiB parts, joined), ${label}`;
    if (!multipart.includes(ONLY)) continue;
    const parts = TOTAL / (64 * MiB);
    const partEtag = `"${createHash('md5')
      .update(fs.readFileSync(source(64 * MiB)))
      .digest('hex')}"`;
    const put = await versus(
      async () => {
        const created = await send('POST', `/${bucket}/mp?uploads`, undefined, sse);
        const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text)![1];
        return timed(async () => {
          await streamsOf(parts, 1, (i) => [
            ['-T', source(64 * MiB)],
            `/${bucket}/mp?partNumber=${i + 1}&uploadId=${uploadId}`,
          ]);
          // Every part has the same bytes, so the same ETag.
          const list = Array.from(
            { length: parts },
            (_, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${partEtag}</ETag></Part>`,
          ).join('');
          await send(
            'POST',
            `/${bucket}/mp?uploadId=${uploadId}`,
            Buffer.from(`<CompleteMultipartUpload>${list}</CompleteMultipartUpload>`),
          );
        });
      },
      () => ddWrite(source(64 * MiB), parts, 1),
    );
    const files = objectFiles();
    const get = await versus(
      () => {
        uncache(paths.walrusDir);
        return timed(() => streamsOf(1, 1, () => [[], `/${bucket}/mp`]));
      },
      () => ddRead(files, 1),
    );
    rows.push({ name: `PUT ${multipart}`, ...put, goal, hashing: 1 });
    rows.push({ name: `GET ${multipart}`, ...get, goal });
    await send('DELETE', `/${bucket}/mp`);
  }
  fs.rmSync(work, { recursive: true, force: true });
  await cloud.stop();

  const width = Math.max(...rows.map((r) => r.name.length));
  const cores = os.availableParallelism();
  console.log(
    `\n${'workload'.padEnd(width)}  Walrus MB/s   dd MB/s   ratio   goal     MD5 bound  cores busy  cloud CPU ms/MB`,
  );
  let failed = 0;
  for (const r of rows) {
    const ratio = r.mbps / r.peer;
    if (ratio < r.goal) failed++;
    const met = `${ratio >= r.goal ? '>=' : '< '} ${r.goal}`;
    // The highest ratio a PUT could have if hashing were all Walrus did: its bodies' MD5s on as
    // many cores as there are bodies (and cores), nothing left for the socket, the disk or curl.
    const bound = r.hashing ? ((Math.min(r.hashing, cores) * md5) / r.peer).toFixed(2) : '-';
    console.log(
      `${r.name.padEnd(width)}  ${r.mbps.toFixed(0).padStart(11)}  ${r.peer.toFixed(0).padStart(8)}  ` +
        `${ratio.toFixed(2).padStart(6)}  ${met.padEnd(7)}  ${bound.padStart(9)}  ${r.busy.toFixed(2).padStart(10)}  ` +
        `${r.cpuPerMb.toFixed(2).padStart(15)}`,
    );
  }
  const rssMb = peakUnderStreams / 1e6;
  console.log(
    rssMb
      ? `\npeak RSS of the cloud under ${STREAMS} streams: ${rssMb.toFixed(0)} MB (goal <= 300 MB)`
      : `\npeak RSS of the cloud under ${STREAMS} streams: not measured (no ${STREAMS}-stream workload ran)`,
  );
  console.log(
    `the machine: ${cores} cores; MD5 on one of them ${md5.toFixed(0)} MB/s ` +
      `(${(1000 / md5).toFixed(2)} ms/MB, which every byte a PUT stores costs)`,
  );
  console.log(
    `${rows.length - failed} of ${rows.length} workloads meet their goal (best of ${ROUNDS} rounds each side)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
