/**
 * npm run bench:bundle: times euca-bundle-image on a 1 GiB raw disk image (about 700 MB of real
 * files from /usr, then zeros) against the pipeline euca2ools itself runs,
 * `tar | sha1sum | pigz | openssl enc -aes-128-cbc | split -b 10M`, in the same run, and prints
 * both times (median of BENCH_RUNS, default 3), their ratio, the compressed sizes and our peak RSS
 * (VmHWM, from /usr/bin/time -v). Needs pigz (scripts/test-prereqs.sh installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanEnv, tempDir } from '../test/helpers/cli';
import { testIdentity } from '../test/helpers/keys';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const IMAGE_SIZE = 1 << 30;
const REAL_DATA = 700 * 1000 * 1000;

function buildImage(file: string): void {
  // Real files (binaries, libraries, text) as a file system holds them, then the free space.
  execFileSync('bash', ['-c', `tar cf - /usr/lib /usr/share /usr/bin 2>/dev/null | head -c ${REAL_DATA} > '${file}'`]);
  const fd = fs.openSync(file, 'r+');
  const zeros = Buffer.alloc(1 << 20);
  for (let at = fs.fstatSync(fd).size; at < IMAGE_SIZE; at += zeros.length)
    fs.writeSync(fd, zeros, 0, Math.min(zeros.length, IMAGE_SIZE - at), at);
  fs.closeSync(fd);
}

function folderBytes(dir: string): number {
  return fs
    .readdirSync(dir)
    .filter((f) => f.includes('.part.'))
    .reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

interface Run {
  seconds: number;
  bytes: number;
  peakRssKb?: number;
}

function timed(cmd: string, args: string[], env: Record<string, string>, out: string): Run {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out);
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return { seconds, bytes: folderBytes(out), peakRssKb: rss ? Number(rss[1]) : undefined };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

function main(): void {
  for (const tool of ['pigz', 'openssl', 'tar', 'split', 'sha1sum']) {
    if (spawnSync('bash', ['-c', `command -v ${tool}`]).status !== 0)
      throw new Error(`${tool} is missing (bash scripts/test-prereqs.sh installs pigz)`);
  }
  if (!fs.existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is missing (apt-get install time)');
  const dir = tempDir('euca-bench-bundle-');
  try {
    const image = path.join(dir, 'disk.img');
    process.stdout.write(`building a ${IMAGE_SIZE / 2 ** 30} GiB image (${mb(REAL_DATA)} of /usr, then zeros) ... `);
    buildImage(image);
    console.log('done');
    const id = testIdentity(dir);
    const env = cleanEnv({
      EC2_CERT: id.userCert,
      EC2_PRIVATE_KEY: id.userKey,
      EUCALYPTUS_CERT: id.cloudCert,
      EC2_USER_ID: id.accountId,
      HOME: dir,
    });
    const key = randomBytes(16).toString('hex');
    const iv = randomBytes(16).toString('hex');
    const theirs =
      `set -o pipefail; tar cf - -C ` +
      `'${dir}' disk.img | tee >(sha1sum > ` +
      `'${dir}/pigz.sha1') | pigz -6 | openssl enc -e -aes-128-cbc ` +
      `-K ${key} -iv ${iv} | split -b 10M -d - '${dir}/pigz/disk.img.part.'`;

    const ours: Run[] = [];
    const pigz: Run[] = [];
    execFileSync('bash', ['-c', `cat '${image}' > /dev/null`]); // into the page cache, for both alike
    for (let i = 0; i < RUNS; i++) {
      ours.push(timed('euca-bundle-image', ['-i', image, '-d', path.join(dir, 'ours')], env, path.join(dir, 'ours')));
      pigz.push(timed('bash', ['-c', theirs], env, path.join(dir, 'pigz')));
    }
    const [o, p] = [median(ours.map((r) => r.seconds)), median(pigz.map((r) => r.seconds))];
    const rss = Math.max(...ours.map((r) => r.peakRssKb ?? 0)) / 1024;
    const pigzVersion = execFileSync('pigz', ['--version'], { encoding: 'utf8' }).trim();
    console.log(
      `euca-bundle-image:                         ` +
        `median ${o.toFixed(2)} s of ${ours.map((r) => r.seconds.toFixed(2)).join(', ')}`,
    );
    console.log(
      `tar | sha1sum | ${pigzVersion} | openssl | split: median ${p.toFixed(2)} s of ${pigz.map((r) => r.seconds.toFixed(2)).join(', ')}`,
    );
    console.log(`ratio euca/pipeline: ${(o / p).toFixed(2)} (goal <= 1.00: ${o <= p ? 'met' : 'NOT met'})`);
    const [ob, pb] = [ours[0].bytes, pigz[0].bytes];
    const diff = (100 * (ob - pb)) / pb;
    console.log(
      `bundle size: ours ${mb(ob)}, pigz ${mb(pb)} (${diff >= 0 ? '+' : ''}${diff.toFixed(2)}%; goal within 3%: ${Math.abs(diff) <= 3 ? 'met' : 'NOT met'})`,
    );
    console.log(
      `peak RSS of euca-bundle-image: ${rss.toFixed(0)} MiB (goal <= 200 MB: ${rss * 1.048576 <= 200 ? 'met' : 'NOT met'})`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
