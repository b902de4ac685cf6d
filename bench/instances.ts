/**
 * npm run bench:instances: runs 10,000 instances in batches of 500 with a tag per batch, then
 * times DescribeInstances for all of them, for one id, and with a tag filter matching one batch,
 * against the embedded cloud and against moto_server in the same run, and prints the ratios.
 * Both are driven by the same client (this toolkit's Query client, Signature V4); a describe is
 * timed from request to the last byte of its answer.
 */
import { resolveEndpoint } from '../src/cli/config/resolve';
import { type Params, QueryClient } from '../src/cli/query';
import { listOf, parseXml } from '../src/cli/xml';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cloudPaths } from '../src/shared/paths';
import { localNodeDir, nodePaths } from '../src/shared/node-paths';
import { runOk, tempDir } from '../test/helpers/cli';
import { startCloud, type TestCloud } from '../test/helpers/cloud';
import { registerTestImage } from '../test/helpers/images';
import { startMoto } from '../test/helpers/moto';

const TOTAL = Number(process.env.BENCH_INSTANCES ?? 10_000);
const BATCH = 500;
/** How many times each describe of ours is timed (moto's takes a minute: once there). */
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5);

export interface Figures {
  run: number;
  all: number;
  one: number;
  filtered: number;
  count: number;
}

export async function measure(
  client: QueryClient,
  image: string,
  type: string,
  samples: number,
  total = TOTAL,
  /** Wait for every instance to leave pending before the describes (bench:scale does not). */
  settle = true,
): Promise<Figures> {
  const t0 = Date.now();
  let first = '';
  for (let b = 0; b < total / BATCH; b++) {
    const r = await client
      .call('RunInstances', {
        ImageId: image,
        MinCount: BATCH,
        MaxCount: BATCH,
        InstanceType: type,
        AddressingType: 'private',
      })
      .catch((e: Error) => {
        throw new Error(`batch ${b + 1} of ${total / BATCH}: ${e.message}`);
      });
    const ids = listOf(r, 'instancesSet').map((i) => i.instanceId as string);
    first ||= ids[0];
    await client.call('CreateTags', { ResourceId: ids, Tag: [{ Key: 'batch', Value: String(b) }] });
  }
  const run = (Date.now() - t0) / 1000;
  if (settle) await settled(client);
  // Timed: the request until its whole answer has arrived. Parsing it is the client's work, and
  // is done after the clock stops (the same parser for both clouds).
  const timed = async (params: Params) => {
    const t = Date.now();
    const res = await client.send('DescribeInstances', params);
    const ms = Date.now() - t;
    const doc = parseXml(res.body).DescribeInstancesResponse ?? {};
    return { ms, instances: listOf(doc, 'reservationSet').reduce((n, r) => n + listOf(r, 'instancesSet').length, 0) };
  };
  // Each describe is timed `samples` times and its median kept: a single sample may land on the
  // instance monitor's poll of every instance.
  const median = async (params: Params) => {
    const runs = [];
    for (let i = 0; i < samples; i++) runs.push(await timed(params));
    runs.sort((x, y) => x.ms - y.ms);
    return runs[Math.floor(runs.length / 2)];
  };
  const all = await median({});
  const one = await median({ InstanceId: [first] });
  const filtered = await median({ Filter: [{ Name: 'tag:batch', Value: [String(Math.min(7, total / BATCH - 1))] }] });
  const [allMs, oneMs, filteredMs, count, n] = [all.ms, one.ms, filtered.ms, all.instances, filtered.instances];
  if (n !== BATCH) throw new Error(`the tag filter matched ${n} instances, not ${BATCH}`);
  return { run, all: allMs, one: oneMs, filtered: filteredMs, count };
}

/** Waits (untimed) until no instance is pending, so the describes measure the cloud at rest. */
async function settled(client: QueryClient): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const r = await client.call('DescribeInstances', { Filter: [{ Name: 'instance-state-name', Value: ['pending'] }] });
    if (!listOf(r, 'reservationSet').length) return;
    await new Promise((res) => setTimeout(res, 500));
  }
}

export function print(name: string, f: Figures): void {
  console.log(
    `${name}: ran ${f.count} in ${f.run.toFixed(1)} s; describe all ${f.all} ms, one ${f.one} ms, tag filter (${BATCH}) ${f.filtered} ms`,
  );
}

/**
 * A cloud sized for `total` m1.small instances, in `dataDir`: one node reporting the room, and one
 * network big enough for every instance of the default group; on `db` when given (--db).
 */
export async function sizedCloud(dataDir: string, total = TOTAL, db?: string): Promise<TestCloud> {
  const nodeConf = nodePaths(localNodeDir(dataDir)).conf;
  fs.mkdirSync(path.dirname(nodeConf), { recursive: true });
  fs.writeFileSync(
    nodeConf,
    `MAX_CORES="${total}"\nMAX_MEM="${total * 256}"\nMAX_DISK="${total * 10}"\nBOOT_DELAY_MS="100"\n`,
  );
  const conf = cloudPaths(dataDir).conf;
  fs.mkdirSync(path.dirname(conf), { recursive: true });
  fs.writeFileSync(
    conf,
    'VNET_MODE="MANAGED-NOVLAN"\nVNET_SUBNET="10.0.0.0"\nVNET_NETMASK="255.0.0.0"\nVNET_ADDRSPERNET="16384"\nVNET_PUBLICIPS="192.0.2.10-192.0.2.40"\nLOCAL_NODE="Y"\n',
  );
  return startCloud(dataDir, 0, db ? { db } : {});
}

async function main() {
  const dataDir = tempDir('euca-bench-');
  const cloud = await sizedCloud(dataDir);
  const moto = await startMoto();
  try {
    // A tiny image: the node lays out every instance's root from it, and this measures the API.
    const emi = await registerTestImage(cloud.env, undefined, [], 4096);
    const ours = new QueryClient(
      await resolveEndpoint('ec2', {}, { env: cloud.env, ini: new Map(), commandName: 'bench' }),
    );
    const theirs = new QueryClient(await resolveEndpoint('ec2', {}, { env: moto.env, commandName: 'bench' }));
    const ami = (await runOk('euca-describe-images', ['-a'], moto.env))
      .split('\n')
      .find((l) => l.startsWith('IMAGE\tami-'))!
      .split('\t')[1];
    const a = await measure(ours, emi, 'm1.small', SAMPLES);
    print('embedded cloud', a);
    const b = await measure(theirs, ami, 't2.micro', 1);
    print('moto_server', b);
    const ratio = (x: number, y: number) => `${(y / Math.max(x, 1e-3)).toFixed(1)}x`;
    console.log(
      `moto/ours: run ${ratio(a.run, b.run)}, describe all ${ratio(a.all, b.all)}, one ${ratio(a.one, b.one)}, tag filter ${ratio(a.filtered, b.filtered)}`,
    );
    console.log(
      `goals: run <= 10 s ${a.run <= 10 ? 'met' : 'NOT met'}; describe all <= 1 s ${a.all <= 1000 ? 'met' : 'NOT met'}; filtered <= 50 ms ${a.filtered <= 50 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await moto.stop();
    await cloud.stop();
    if (process.env.BENCH_KEEP) console.log(`kept ${dataDir}`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module)
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
