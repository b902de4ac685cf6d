/**
 * npm run bench:load: LOAD_CLIENTS concurrent clients (default 200) for LOAD_SECONDS (default 60)
 * against one embedded cloud on loopback, each looping over a mix of describes, run/terminate,
 * key pair and security group changes, and object put/get of 1 KiB to 8 MiB. Prints requests
 * served, errors, p50 and p99 latency per kind, the cloud's peak RSS, and whether capacity and
 * addresses all came back once everything was terminated (free equals max in the verbose zone
 * view; no address left allocated).
 */
import * as fs from 'node:fs';
import { resolveEndpoint } from '../src/cli/config/resolve';
import { QueryClient } from '../src/cli/query';
import { S3Client } from '../src/cli/s3';
import { listOf } from '../src/cli/xml';
import { cloudPaths } from '../src/shared/paths';
import { runOk } from '../test/helpers/cli';
import { KINDS, percentile, runMix } from './mix';
import { startCloud } from '../test/helpers/cloud';
import { registerTestImage } from '../test/helpers/images';

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 200);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
/** Instances running at once stay within the node's capacity: run/terminate take turns. */
const RUN_SLOTS = 6;

async function main(): Promise<void> {
  const cloud = await startCloud();
  const pid = Number(fs.readFileSync(cloudPaths(cloud.dataDir).pidFile, 'utf8'));
  let peakRss = 0;
  const sampler = setInterval(() => {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) peakRss = Math.max(peakRss, Number(m[1]) * 1024);
  }, 200);
  try {
    const image = await registerTestImage(cloud.env);
    const ctx = { env: cloud.env, ini: new Map(), commandName: 'bench' };
    const ec2 = new QueryClient(await resolveEndpoint('ec2', {}, ctx));
    await new S3Client(await resolveEndpoint('s3', {}, ctx)).createBucket('load');
    const call = (action: string, params = {}) => ec2.call(action, params);
    console.log(`load: ${CLIENTS} clients for ${SECONDS} s against ${cloud.eucarc.EC2_URL}`);
    const { requests, latencies, errors } = await runMix([cloud], {
      clients: CLIENTS,
      seconds: SECONDS,
      image,
      bucket: 'load',
      runSlots: RUN_SLOTS,
    });

    // Everything terminated: capacity and addresses must all be back.
    const left = listOf(await call('DescribeInstances'), 'reservationSet')
      .flatMap((r) => listOf(r, 'instancesSet'))
      .filter((i) => i.instanceState.name !== 'terminated');
    if (left.length) await call('TerminateInstances', { InstanceId: left.map((i) => i.instanceId) });
    let verbose = '';
    for (let i = 0; i < 100; i++) {
      verbose = await runOk('euca-describe-availability-zones', ['verbose'], cloud.env);
      const types = verbose.split('\n').filter((l) => /\|- [a-z]\d\.\w+/.test(l));
      if (
        types.every((l) => {
          const m = /(\d+) \/ (\d+)/.exec(l)!;
          return m[1] === m[2];
        })
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const leaked = verbose
      .split('\n')
      .filter((l) => /\|- [a-z]\d\.\w+/.test(l))
      .filter((l) => {
        const m = /(\d+) \/ (\d+)/.exec(l)!;
        return m[1] !== m[2];
      });
    // The administrator sees the whole pool, free addresses held by `nobody`.
    const addresses = listOf(await call('DescribeAddresses'), 'addressesSet').filter(
      (a) => a.instanceId && a.instanceId !== 'nobody',
    );

    console.log(
      `requests served: ${requests} in ${SECONDS} s (${Math.round(requests / SECONDS)}/s); errors: ${errors.length}`,
    );
    for (const k of KINDS) {
      const l = latencies.get(k)!;
      console.log(
        `  ${k.padEnd(14)} ${String(l.length).padStart(6)} done   p50 ${percentile(l, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(l, 99).toFixed(1).padStart(7)} ms`,
      );
    }
    console.log(`cloud peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
    console.log(
      `after terminating everything: ${leaked.length ? `capacity NOT back: ${leaked.join(' | ')}` : 'free equals max for every VM type'}; ${addresses.length ? `${addresses.length} addresses still held` : 'no address held'}`,
    );
    if (errors.length) console.log(`first errors:\n  ${[...new Set(errors)].slice(0, 10).join('\n  ')}`);
    if (errors.length || leaked.length || addresses.length) process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    await cloud.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
