/**
 * The load benches' request mix (bench:load, bench:scale): `clients` concurrent clients for
 * `seconds`, each looping over describes, run/terminate, key pair and security group changes, and
 * object put/get of 1 KiB to 8 MiB, against one or several front ends of one cloud (client c uses
 * front end c % n: its objects stay where it wrote them). Counts requests and errors and keeps each
 * kind's latencies.
 */
import { randomBytes } from 'node:crypto';
import { resolveEndpoint } from '../src/cli/config/resolve';
import { QueryClient } from '../src/cli/query';
import { S3Client } from '../src/cli/s3';
import { listOf } from '../src/cli/xml';
import type { TestCloud } from '../test/helpers/cloud';

export const KINDS = ['describe', 'run-terminate', 'keypair', 'group', 'put-get'] as const;
export type Kind = (typeof KINDS)[number];
const WEIGHTS: Record<Kind, number> = { describe: 40, 'run-terminate': 10, keypair: 15, group: 15, 'put-get': 20 };

export interface MixResult {
  requests: number;
  seconds: number;
  latencies: Map<Kind, number[]>;
  errors: string[];
}

export function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

/** Runs the mix; `image` is an image every front end may run, `bucket` a bucket made beforehand. */
export async function runMix(
  clouds: TestCloud[],
  opts: { clients: number; seconds: number; image: string; bucket: string; runSlots: number },
): Promise<MixResult> {
  const endpoints = await Promise.all(
    clouds.map(async (cloud) => {
      const ctx = { env: cloud.env, ini: new Map(), commandName: 'bench' };
      return {
        ec2: new QueryClient(await resolveEndpoint('ec2', {}, ctx)),
        s3: new S3Client(await resolveEndpoint('s3', {}, ctx)),
      };
    }),
  );
  const latencies = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
  const errors: string[] = [];
  let requests = 0;
  // Instances running at once stay within the nodes' capacity: run/terminate take turns.
  let slots = opts.runSlots;
  const waiting: (() => void)[] = [];
  const slot = async () => {
    while (slots === 0) await new Promise<void>((r) => waiting.push(r));
    slots--;
  };
  const release = () => {
    slots++;
    waiting.shift()?.();
  };
  /** Milliseconds a piece of work takes (a run/terminate's wait for its turn is not counted). */
  const timed = async (work: () => Promise<unknown>) => {
    const t0 = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const opsFor = ({ ec2, s3 }: (typeof endpoints)[number]): Record<Kind, (n: number) => Promise<number>> => {
    const call = async (action: string, params = {}) => {
      requests++;
      return ec2.call(action, params);
    };
    return {
      describe: (n) =>
        timed(() =>
          call(
            [
              'DescribeInstances',
              'DescribeImages',
              'DescribeAvailabilityZones',
              'DescribeKeyPairs',
              'DescribeSecurityGroups',
            ][n % 5],
          ),
        ),
      'run-terminate': async () => {
        await slot();
        try {
          return await timed(async () => {
            const r = await call('RunInstances', { ImageId: opts.image, MinCount: 1, MaxCount: 1 });
            const id = listOf(r, 'instancesSet')[0].instanceId as string;
            await call('TerminateInstances', { InstanceId: [id] });
          });
        } finally {
          release();
        }
      },
      keypair: (n) => {
        const name = `load-${n}-${randomBytes(3).toString('hex')}`;
        return timed(async () => {
          await call('CreateKeyPair', { KeyName: name });
          await call('DeleteKeyPair', { KeyName: name });
        });
      },
      group: (n) => {
        const name = `load-${n}-${randomBytes(3).toString('hex')}`;
        return timed(async () => {
          await call('CreateSecurityGroup', { GroupName: name, GroupDescription: 'load' });
          await call('AuthorizeSecurityGroupIngress', {
            GroupName: name,
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            CidrIp: '0.0.0.0/0',
          });
          await call('DeleteSecurityGroup', { GroupName: name });
        });
      },
      'put-get': (n) => {
        const size = Math.min(8 * 1024 * 1024, 1024 * 2 ** (n % 14));
        const key = `obj-${n}`;
        const data = randomBytes(size);
        requests += 2;
        return timed(async () => {
          await s3.putObject(opts.bucket, key, data);
          const got = await s3.getObjectBuffer(opts.bucket, key);
          if (!got.body.equals(data)) throw new Error(`${key}: read back different bytes`);
        });
      },
    };
  };
  const ops = endpoints.map(opsFor);
  const pickKind = (x: number): Kind => {
    let acc = 0;
    for (const k of KINDS) if (x < (acc += WEIGHTS[k])) return k;
    return 'describe';
  };
  const deadline = Date.now() + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.clients }, async (_, c) => {
      const mine = ops[c % ops.length];
      for (let n = c; Date.now() < deadline; n += opts.clients) {
        const kind = pickKind((n * 7919) % 100);
        try {
          latencies.get(kind)!.push(await mine[kind](n));
        } catch (e) {
          errors.push(`${kind}: ${(e as Error).message}`);
        }
      }
    }),
  );
  for (const l of latencies.values()) l.sort((a, b) => a - b);
  return { requests, seconds: opts.seconds, latencies, errors };
}
