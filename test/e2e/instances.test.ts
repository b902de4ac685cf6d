/**
 * Instances on the embedded cloud and its node controller: metadata as an instance reads it,
 * Windows passwords, capacity in the verbose zone view, the aws CLI running and paging through
 * instances, and bad requests that must change nothing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { localNodeDir, nodeAddress, nodePaths } from '../../src/shared/node-paths';
import { resolveEndpoint } from '../../src/cli/config/resolve';
import { S3Client } from '../../src/cli/s3';
import { ROOT, run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';
import { instanceMetadata } from '../helpers/node';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitRunning(id: string, env: Record<string, string>): Promise<string[]> {
  for (let i = 0; i < 300; i++) {
    const cols = (await runOk('euca-describe-instances', [id], env)).split('\n')[1].split('\t');
    if (cols[5] === 'running') return cols;
    await sleep(50);
  }
  throw new Error(`${id} did not start running`);
}

describe('instances', () => {
  let cloud: TestCloud;
  let emi: string;
  let work: string;
  before(async () => {
    cloud = await startCloud();
    emi = await registerTestImage(cloud.env);
    work = tempDir('euca-instances-');
    const key = await runOk('euca-add-keypair', ['k1'], cloud.env);
    fs.writeFileSync(path.join(work, 'k1.private'), key.slice(key.indexOf('-----BEGIN')), { mode: 0o600 });
  });
  after(async () => cloud.stop());

  test('an instance reads its metadata and user data through its node controller', async () => {
    const out = await runOk('euca-run-instances', ['-k', 'k1', '-d', 'role=web', emi], cloud.env);
    const id = out.split('\n')[1].split('\t')[1];
    const cols = await waitRunning(id, cloud.env);
    const get = async (p: string) => (await instanceMetadata(localNodeDir(cloud.dataDir), id, p)).body;
    assert.equal(await get('meta-data/instance-id'), id);
    assert.equal(await get('meta-data/ami-id'), emi);
    assert.equal(await get('meta-data/local-ipv4'), cols[4]);
    assert.equal(await get('meta-data/public-ipv4'), cols[3]);
    assert.equal(await get('meta-data/instance-type'), 'm1.small');
    assert.equal(await get('meta-data/security-groups'), 'default');
    assert.match(await get('meta-data/public-keys/0/openssh-key'), /^ssh-rsa /);
    assert.equal(await get('user-data'), 'role=web');
    assert.match(await get('meta-data/'), /^ami-id\n/);
    assert.match(await runOk('euca-get-console-output', [id], cloud.env), new RegExp(`^${id}\\n`));
    // Anyone else asking the node, naming the instance or not, gets nothing of it.
    const node = nodeAddress(nodePaths(localNodeDir(cloud.dataDir)))!;
    for (const p of [
      `instances/${id}/latest/user-data`,
      'latest/user-data',
      `latest/meta-data/public-keys/0/openssh-key`,
    ]) {
      const res = await fetch(`http://${node.host}:${node.port}/${p}`);
      assert.equal(res.status, 404, p);
      assert.doesNotMatch(await res.text(), /role=web|ssh-rsa/);
    }
    await runOk('euca-terminate-instances', [id], cloud.env);
  });

  test('a Windows image: the password comes encrypted for the key pair and euca-get-password decrypts it', async () => {
    const win = await registerTestImage(cloud.env, 'windows-server.img', ['-n', 'windows-2008']);
    const out = await runOk('euca-run-instances', ['-k', 'k1', win], cloud.env);
    const id = out.split('\n')[1].split('\t')[1];
    const cols = await waitRunning(id, cloud.env);
    assert.equal(cols[14], 'windows');
    let password = '';
    for (let i = 0; i < 100 && !password; i++) {
      const r = await run('euca-get-password', [id, '-k', path.join(work, 'k1.private')], cloud.env);
      if (r.code === 0) password = r.stdout.trim();
      else await sleep(50);
    }
    assert.match(password, /^\S{8,}$/);
    assert.match(await runOk('euca-get-password-data', [id], cloud.env), /^[A-Za-z0-9+/=]{100,}\n$/);

    // euca-bundle-instance: a task that ends complete, with a bundle euca-register takes.
    const bucket = 'windows-bundles';
    await new S3Client(
      await resolveEndpoint('s3', {}, { env: cloud.env, ini: new Map(), commandName: 'test' }),
    ).createBucket(bucket);
    assert.match(
      await runOk(
        'euca-bundle-instance',
        [
          '-b',
          bucket,
          '-p',
          'windows-custom',
          '-o',
          cloud.eucarc.EC2_ACCESS_KEY,
          '-w',
          cloud.eucarc.EC2_SECRET_KEY,
          id,
        ],
        cloud.env,
      ),
      new RegExp(`^BUNDLE\\tbun-[0-9A-F]{8}\\t${id}\\t${bucket}\\twindows-custom\\t`),
    );
    let task = '';
    for (let i = 0; i < 200 && !/\tcomplete\t|\tfailed\t/.test(task); i++) {
      task = await runOk('euca-describe-bundle-tasks', [], cloud.env);
      await sleep(50);
    }
    assert.match(
      task,
      new RegExp(
        `^BUNDLE\tbun-[0-9A-F]{8}\t${id}\t${bucket}\twindows-custom\t.*\tcomplete\t100%\t${bucket}/windows-custom\\.manifest\\.xml$`,
        'm',
      ),
    );
    // The bundle is written as the upload policy's owner would PUT it (issue 12): never into the
    // cloud's own bucket, and by a user without s3:PutObject nowhere, whatever ACLs say.
    const refusedBundle = async (target: string, key: string, secret: string, env = cloud.env) => {
      const r = await run(
        'euca-bundle-instance',
        ['-b', target, '-p', 'windows-refused', '-o', key, '-w', secret, id],
        env,
      );
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /AuthFailure|AccessDenied/);
    };
    await refusedBundle('eucalyptus-snapshots', cloud.eucarc.EC2_ACCESS_KEY, cloud.eucarc.EC2_SECRET_KEY);
    const [ukey, usecret] = (await runOk('euare-usercreate', ['-u', 'bundler', '-k'], cloud.env)).trim().split('\n');
    await runOk(
      'euare-useruploadpolicy',
      [
        '-u',
        'bundler',
        '-p',
        'ec2-only',
        '-o',
        JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }] }),
      ],
      cloud.env,
    );
    await refusedBundle(bucket, ukey, usecret);
    assert.doesNotMatch(await runOk('euca-describe-bundle-tasks', [], cloud.env), /windows-refused/);
    const registered = (
      await runOk('euca-register', [`${bucket}/windows-custom.manifest.xml`, '-n', 'windows-custom'], cloud.env)
    )
      .split('\t')[1]
      .trim();
    for (let i = 0; i < 200; i++) {
      const state = (await runOk('euca-describe-images', [registered], cloud.env)).split('\t')[4];
      if (state !== 'pending') {
        assert.equal(state, 'available');
        break;
      }
      await sleep(50);
    }
    await runOk('euca-terminate-instances', [id], cloud.env);
  });

  test(
    'capacity: the verbose zone view counts instances, and too many is InsufficientInstanceCapacity with ' +
      'nothing changed',
    async () => {
      const free = async () =>
        Number(
          /\|- m1\.small\s+(\d+) \//.exec(await runOk('euca-describe-availability-zones', ['verbose'], cloud.env))![1],
        );
      const before = await free();
      assert.ok(before > 0);
      const out = await runOk('euca-run-instances', ['-n', '2', emi], cloud.env);
      const ids = out
        .split('\n')
        .filter((l) => l.startsWith('INSTANCE'))
        .map((l) => l.split('\t')[1]);
      assert.equal(await free(), before - 2);
      const tooMany = await run('euca-run-instances', ['-n', String(before), emi], cloud.env);
      assert.equal(tooMany.code, 1);
      assert.match(tooMany.stderr, /InsufficientInstanceCapacity/);
      assert.equal(await free(), before - 2);
      await runOk('euca-terminate-instances', ids, cloud.env);
      assert.equal(await free(), before);
    },
  );

  test(
    'bad requests change nothing: unknown image, key, group; a kernel run as a machine image; stop of an ' +
      'instance-store instance',
    async () => {
      const count = async () =>
        (await runOk('euca-describe-instances', [], cloud.env)).split('\n').filter((l) => l.startsWith('INSTANCE'))
          .length;
      const n = await count();
      const cases: [string[], RegExp][] = [
        [['emi-00000000'], /InvalidAMIID\.NotFound/],
        [['-k', 'nokey', emi], /InvalidKeyPair\.NotFound/],
        [['-g', 'nogroup', emi], /InvalidGroup\.NotFound/],
        [['-t', 'm9.huge', emi], /InvalidParameterValue/],
      ];
      for (const [args, code] of cases) {
        const r = await run('euca-run-instances', args, cloud.env);
        assert.equal(r.code, 1, args.join(' '));
        assert.match(r.stderr, code);
        assert.equal(r.stderr.trim().split('\n').length, 1);
      }
      assert.equal(await count(), n);
      const id = (await runOk('euca-run-instances', [emi], cloud.env)).split('\n')[1].split('\t')[1];
      const stop = await run('euca-stop-instances', [id], cloud.env);
      assert.equal(stop.code, 1);
      assert.match(stop.stderr, /UnsupportedOperation/);
      await runOk('euca-terminate-instances', [id], cloud.env);
    },
  );

  test('a client token makes RunInstances idempotent; a refused TerminateInstances changes nothing', async () => {
    const first = await runOk('euca-run-instances', [emi, '--client-token', 'launch-42'], cloud.env);
    const again = await runOk('euca-run-instances', [emi, '--client-token', 'launch-42'], cloud.env);
    const ids = (out: string) => [...out.matchAll(/^INSTANCE\t(i-\w+)/gm)].map((m) => m[1]);
    assert.deepEqual(ids(again), ids(first), 'the same token answers the same launch');
    assert.equal(again.split('\t')[1], first.split('\t')[1], 'the same reservation');
    const mismatch = await run(
      'euca-run-instances',
      [emi, '--client-token', 'launch-42', '-t', 'c1.medium'],
      cloud.env,
    );
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /IdempotentParameterMismatch/);
    const [plain] = ids(first);
    const guarded = ids(await runOk('euca-run-instances', [emi, '--disable-api-termination'], cloud.env))[0];
    await waitRunning(plain, cloud.env);
    await waitRunning(guarded, cloud.env);
    const refused = await run('euca-terminate-instances', [plain, guarded], cloud.env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /OperationNotPermitted/);
    assert.equal(
      (await runOk('euca-describe-instances', [plain], cloud.env)).split('\n')[1].split('\t')[5],
      'running',
      'nothing was terminated',
    );
    await runOk('euca-modify-instance-attribute', [guarded, '--disable-api-termination', 'false'], cloud.env);
    await runOk('euca-terminate-instances', [plain, guarded], cloud.env);
  });

  test(
    'kernels at run time, attributes, reboot, verbose, a group in use, an address for a terminated ' + 'instance',
    async () => {
      const kernelDir = tempDir('euca-kernel-');
      const kernel = path.join(kernelDir, 'vmlinuz-run');
      fs.writeFileSync(kernel, Buffer.alloc(64 * 1024, 7));
      await runOk('euca-bundle-image', ['-i', kernel, '--kernel', 'true', '-d', kernelDir], cloud.env);
      await runOk(
        'euca-upload-bundle',
        ['-b', 'kernels-run', '-m', path.join(kernelDir, 'vmlinuz-run.manifest.xml')],
        cloud.env,
      );
      const kid = (await runOk('euca-register', ['kernels-run/vmlinuz-run.manifest.xml'], cloud.env))
        .split('\t')[1]
        .trim();
      for (
        let i = 0;
        i < 200 && (await runOk('euca-describe-images', [kid], cloud.env)).split('\t')[4] !== 'available';
        i++
      )
        await sleep(50);

      await runOk('euca-add-group', ['-d', 'web servers', 'web'], cloud.env);
      const out = await runOk('euca-run-instances', ['--kernel', kid, '-g', 'web', '-t', 'c1.medium', emi], cloud.env);
      const id = out.split('\n')[1].split('\t')[1];
      const cols = await waitRunning(id, cloud.env);
      assert.equal(cols[12], kid);
      assert.equal(
        await runOk('euca-describe-instance-attribute', ['--kernel', id], cloud.env),
        `kernel\t${id}\t${kid}\n`,
      );
      assert.equal(
        await runOk('euca-describe-instance-attribute', ['-t', id], cloud.env),
        `instanceType\t${id}\tc1.medium\n`,
      );
      assert.equal(await runOk('euca-reboot-instances', [id], cloud.env), '');
      assert.match(
        await runOk('euca-describe-instances', ['verbose'], cloud.env),
        new RegExp(`^INSTANCE\\t${id}\\t`, 'm'),
      );

      const inUse = await run('euca-delete-group', ['web'], cloud.env);
      assert.equal(inUse.code, 1);
      assert.match(inUse.stderr, /InvalidGroup\.InUse/);
      const ip = (await runOk('euca-allocate-address', [], cloud.env)).split('\t')[1].trim();
      await runOk('euca-terminate-instances', [id], cloud.env);
      const late = await run('euca-associate-address', [ip, '-i', id], cloud.env);
      assert.equal(late.code, 1);
      assert.match(late.stderr, /IncorrectInstanceState/);
      await runOk('euca-release-address', [ip], cloud.env);
      for (let i = 0; i < 100 && (await run('euca-delete-group', ['web'], cloud.env)).code !== 0; i++) await sleep(50);
      assert.doesNotMatch(await runOk('euca-describe-groups', [], cloud.env), /\tweb\t/);
    },
  );

  test('boto3 runs, filters, pages through and terminates instances; what this cloud lacks is refused', async () => {
    const env = {
      ...cloud.env,
      AWS_ACCESS_KEY_ID: cloud.eucarc.EC2_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: cloud.eucarc.EC2_SECRET_KEY,
      HOME: work,
    };
    const spare = await registerTestImage(cloud.env, 'spare.img');
    const r = await run('python3', [path.join(ROOT, 'test', 'clients', 'boto3_instances.py'), emi, spare], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        'ran 3',
        "tagged at launch ['web']",
        'found by tag 3',
        'mistyped filter InvalidParameterValue',
        'long id InvalidInstanceID.NotFound',
        'key pair tags InvalidParameterValue',
        "volume tags [('team', 'db')]",
        'volumes by tag 1',
        'by instance.group-name 3',
        'filtered 3',
        'paged 3',
        'ids with MaxResults InvalidParameterCombination',
        'tag pages True True',
        'status paged True',
        'image created True',
        "terminating ['shutting-down']",
        'state reason Client.UserInitiatedShutdown True',
        "platforms ['EC2']",
        "regions ['eucalyptus']",
        'subnet Unsupported',
        'egress Unsupported',
        'launch volumes tagged 1 True',
        'deregistered twice InvalidAMIID.Unavailable',
        '',
      ].join('\n'),
    );
  });

  test('the aws CLI runs, filters, pages through and terminates instances', async () => {
    const env = {
      ...cloud.env,
      AWS_ACCESS_KEY_ID: cloud.eucarc.EC2_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: cloud.eucarc.EC2_SECRET_KEY,
      AWS_DEFAULT_REGION: 'eucalyptus',
      HOME: work,
    };
    const aws = async (...args: string[]) => {
      const r = await run('aws', ['--endpoint-url', cloud.eucarc.EC2_URL, '--output', 'json', 'ec2', ...args], env);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout || '{}');
    };
    const ran = await aws('run-instances', '--image-id', emi, '--count', '3', '--instance-type', 'm1.small');
    const ids: string[] = ran.Instances.map((i: { InstanceId: string }) => i.InstanceId);
    assert.equal(ids.length, 3);
    await aws('create-tags', '--resources', ids[0], '--tags', 'Key=role,Value=db');
    const tagged = await aws('describe-instances', '--filters', 'Name=tag:role,Values=db');
    assert.deepEqual(
      tagged.Reservations.flatMap((r: { Instances: { InstanceId: string }[] }) => r.Instances.map((i) => i.InstanceId)),
      [ids[0]],
    );
    // Paged by a filter: with explicit IDs EC2 refuses MaxResults (what --page-size sends).
    const paged = await aws(
      'describe-instances',
      '--filters',
      `Name=instance-id,Values=${ids.join(',')}`,
      '--page-size',
      '5',
    );
    assert.equal(paged.Reservations.flatMap((r: { Instances: unknown[] }) => r.Instances).length, 3);
    const terminated = await aws('terminate-instances', '--instance-ids', ...ids);
    assert.equal(terminated.TerminatingInstances.length, 3);
  });
});
