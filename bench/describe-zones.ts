/**
 * npm run bench: times euca-describe-availability-zones against a running local cloud beside the
 * aws CLI making the same DescribeAvailabilityZones call, in the same run, and prints the medians
 * and their ratio. Each run is a whole process, as a user or a script sees it.
 */
import { execFileSync } from 'node:child_process';
import { cleanEnv, run } from '../test/helpers/cli';
import { startCloud } from '../test/helpers/cloud';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

async function time(cmd: string, args: string[], env: Record<string, string>): Promise<number[]> {
  const out: number[] = [];
  await run(cmd, args, env); // warm the page cache
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = await run(cmd, args, env);
    if (r.code !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`;

async function main() {
  const cloud = await startCloud();
  try {
    const ours = await time('euca-describe-availability-zones', [], cloud.env);
    const ours2 = await time('euca-describe-availability-zones', ['--signature-version', '2'], cloud.env);
    let awsVersion = 'aws CLI';
    try {
      awsVersion = execFileSync('aws', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .trim()
        .split(' ')[0];
    } catch {
      /* reported below when the runs fail */
    }
    const awsEnv = cleanEnv({
      ...cloud.eucarc,
      AWS_ACCESS_KEY_ID: cloud.eucarc.EC2_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: cloud.eucarc.EC2_SECRET_KEY,
      AWS_DEFAULT_REGION: 'eucalyptus',
      HOME: cloud.dataDir,
    });
    const aws = await time(
      'aws',
      ['--endpoint-url', cloud.eucarc.EC2_URL, 'ec2', 'describe-availability-zones', '--output', 'text'],
      awsEnv,
    );
    console.log(`euca-describe-availability-zones (SigV4): ${fmt(ours)}`);
    console.log(`euca-describe-availability-zones (SigV2): ${fmt(ours2)}`);
    console.log(`${awsVersion} ec2 describe-availability-zones: ${fmt(aws)}`);
    console.log(
      `ratio aws/euca: ${(median(aws) / median(ours)).toFixed(2)}x (euca takes ${((100 * median(ours)) / median(aws)).toFixed(0)}% of the aws CLI's time)`,
    );
    console.log(`goal: median <= 150 ms: ${median(ours) <= 150 ? 'met' : 'NOT met'}`);
  } finally {
    await cloud.stop();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
