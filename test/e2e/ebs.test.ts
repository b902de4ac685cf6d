/**
 * EBS end to end with the real commands: volumes created, attached to a running instance (the
 * node links them into the instance's folder under their device names), detached and deleted;
 * snapshots with progress, shared with createVolumePermission, made into volumes in another
 * zone; a raw image imported as a volume keeps exactly its bytes through snapshot and restore;
 * the refusals (across zones, in use, still creating) each one line with nothing changed; and
 * the aws CLI driving the same API.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cloudPaths } from '../../src/shared/paths';
import { SqlStore } from '../../src/backend/store/sql-store';
import { cloudDatabase } from '../../src/backend/store/database';
import { run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';
import { waitFor } from '../helpers/node';

type Env = Record<string, string>;
const ZONE = 'cluster01';
const OTHER_ZONE = 'cluster02';

async function fails(cmd: string, args: string[], env: Env, code: RegExp): Promise<void> {
  const r = await run(cmd, args, env);
  assert.equal(r.code, 1, `${cmd} ${args.join(' ')} should fail: ${r.stdout}`);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, code);
}

const field = (line: string, n: number) => line.split('\t')[n];

describe('EBS', () => {
  let cloud: TestCloud;
  let env: Env;
  let work: string;
  let instance: string;

  const volumeLine = async (id: string) => (await runOk('euca-describe-volumes', [id], env)).split('\n')[0];
  const volumeStatus = async (id: string) => field(await volumeLine(id), 5);
  const waitVolume = (id: string, status: string) =>
    waitFor(`${id} ${status}`, async () => ((await volumeStatus(id)) === status ? true : undefined), 60_000);
  const waitSnapshot = (id: string) =>
    waitFor(
      `${id} completed`,
      async () => {
        const line = (await runOk('euca-describe-snapshots', [id], env)).split('\n')[0];
        return field(line, 3) === 'completed' ? line : undefined;
      },
      120_000,
    );
  const createVolume = async (args: string[]) => {
    const line = (await runOk('euca-create-volume', args, env)).trim();
    assert.match(line, /^VOLUME\tvol-[0-9A-F]{8}\t\d+\t/);
    return field(line, 1);
  };
  const volumeFile = (zone: string, id: string) => path.join(cloudPaths(cloud.dataDir).volumesDir, zone, id);
  const sha1Of = (file: string, length: number) => {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, 0);
      return createHash('sha1').update(buf).digest('hex');
    } finally {
      fs.closeSync(fd);
    }
  };

  before(async () => {
    cloud = await startCloud();
    env = cloud.env;
    work = tempDir('euca-ebs-');
    // A second zone: another cluster, with no nodes, for volumes and snapshots only.
    const store = await SqlStore.open(cloudDatabase(cloudPaths(cloud.dataDir)));
    try {
      await store.addCluster({ name: OTHER_ZONE, host: '127.0.0.1', port: 1 });
    } finally {
      await store.close();
    }
    const image = await registerTestImage(env);
    instance = (await runOk('euca-run-instances', [image], env)).match(/^INSTANCE\t(i-\w+)/m)![1];
    await waitFor(
      `${instance} running`,
      async () =>
        (await runOk('euca-describe-instances', [instance], env)).includes('\trunning\t') ? true : undefined,
      60_000,
    );
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.doesNotMatch(cloud.output(), /internal error| 500 /);
  });

  test(
    'a volume is created, attached (visible in the instance folder as its device), detached and ' + 'deleted',
    async () => {
      const vol = await createVolume(['--zone', ZONE, '--size', '1']);
      await waitVolume(vol, 'available');
      assert.equal(fs.statSync(volumeFile(ZONE, vol)).size, 1024 ** 3);
      const attach = (await runOk('euca-attach-volume', [vol, '-i', instance, '-d', '/dev/sdf'], env)).trim();
      assert.deepEqual(attach.split('\t').slice(0, 5), ['ATTACHMENT', vol, instance, '/dev/sdf', 'attaching']);
      await waitFor('attached', async () =>
        (await runOk('euca-describe-volumes', [vol], env)).includes('\tattached\t') ? true : undefined,
      );
      const lines = (await runOk('euca-describe-volumes', [vol], env)).trim().split('\n');
      assert.equal(field(lines[0], 5), 'in-use');
      assert.deepEqual(lines[1].split('\t').slice(0, 5), ['ATTACHMENT', vol, instance, '/dev/sdf', 'attached']);
      const link = fs
        .readdirSync(path.join(cloud.dataDir, 'node'), { recursive: true })
        .map(String)
        .find((p) => p.endsWith(`${instance}${path.sep}sdf`));
      assert.ok(link, 'the node links the volume into the instance folder');
      assert.equal(fs.realpathSync(path.join(cloud.dataDir, 'node', link!)), fs.realpathSync(volumeFile(ZONE, vol)));

      // Refusals, one line each, nothing changed.
      await fails('euca-delete-volume', [vol], env, /\(VolumeInUse\)/);
      const other = await createVolume(['-z', ZONE, '-s', '1']);
      await waitVolume(other, 'available');
      await fails(
        'euca-attach-volume',
        [other, '-i', instance, '-d', '/dev/sdf'],
        env,
        /\(InvalidParameterValue\).*already in use/,
      );
      await fails('euca-attach-volume', [other, '-i', instance, '-d', '/dev/bogus'], env, /\(InvalidParameterValue\)/);
      await fails('euca-attach-volume', [vol, '-i', instance, '-d', '/dev/sdg'], env, /\(VolumeInUse\)/);
      const far = await createVolume(['-z', OTHER_ZONE, '-s', '1']);
      await waitVolume(far, 'available');
      await fails(
        'euca-attach-volume',
        ['-i', instance, '-d', '/dev/sdh', far],
        env,
        /\(InvalidVolume\.ZoneMismatch\)/,
      );
      assert.equal(await volumeStatus(far), 'available');
      assert.equal(await volumeStatus(vol), 'in-use');

      const detach = (await runOk('euca-detach-volume', [vol], env)).trim();
      assert.deepEqual(detach.split('\t').slice(0, 5), ['ATTACHMENT', vol, instance, '/dev/sdf', 'detaching']);
      await waitVolume(vol, 'available');
      assert.equal((await runOk('euca-describe-volumes', [vol], env)).trim().split('\n').length, 1);
      await fails('euca-detach-volume', [vol], env, /\(IncorrectState\)/);
      for (const v of [vol, other, far]) assert.equal(await runOk('euca-delete-volume', [v], env), `VOLUME\t${v}\n`);
      assert.ok(!fs.existsSync(volumeFile(ZONE, vol)));
      await fails('euca-describe-volumes', [vol], env, /\(InvalidVolume\.NotFound\)/);
    },
  );

  test('an imported raw image keeps its exact bytes through a snapshot and a volume in another zone', async () => {
    const file = path.join(work, 'disk.raw');
    const data = Buffer.concat([randomBytes(3 * 1024 * 1024 + 17), Buffer.alloc(5 * 1024 * 1024), randomBytes(4096)]);
    fs.writeFileSync(file, data);
    const sha1 = createHash('sha1').update(data).digest('hex');
    const imported = (await runOk('euca-import-volume', [file, '-f', 'raw', '-z', ZONE, '-b', 'imports'], env))
      .trim()
      .split('\n');
    assert.match(imported[0], /^TaskType\tIMPORTVOLUME\tTaskId\timport-vol-[0-9A-F]{8}\t/);
    const task = field(imported[0], 3);
    const vol = imported[1].match(/VolumeId\t(vol-\w+)/)![1];
    await waitFor(
      'import completed',
      async () =>
        (await runOk('euca-describe-conversion-tasks', [task], env)).includes('\tStatus\tcompleted') ? true : undefined,
      60_000,
    );
    await waitVolume(vol, 'available');
    assert.equal(sha1Of(volumeFile(ZONE, vol), data.length), sha1);

    const snapLine = (await runOk('euca-create-snapshot', [vol, '-d', 'imported disk'], env)).trim();
    assert.match(snapLine, /^SNAPSHOT\tsnap-[0-9A-F]{8}\tvol-\w+\tpending\t/);
    const snap = field(snapLine, 1);
    const done = await waitSnapshot(snap);
    assert.equal(field(done, 5), '100%');
    assert.equal(field(done, 8), 'imported disk');

    await fails('euca-create-volume', ['-z', OTHER_ZONE, '--snapshot', snap, '-s', '0'], env, /InvalidParameterValue/);
    const copy = await createVolume(['-z', OTHER_ZONE, '--snapshot', snap]);
    await waitVolume(copy, 'available');
    assert.equal(field(await volumeLine(copy), 3), snap);
    assert.equal(sha1Of(volumeFile(OTHER_ZONE, copy), data.length), sha1);
    const size = fs.statSync(volumeFile(OTHER_ZONE, copy)).size;
    assert.equal(size, 1024 ** 3);
    const tail = Buffer.alloc(1024 * 1024);
    const fd = fs.openSync(volumeFile(OTHER_ZONE, copy), 'r');
    fs.readSync(fd, tail, 0, tail.length, data.length);
    fs.closeSync(fd);
    assert.ok(
      tail.every((b) => b === 0),
      'beyond the image, the volume is zeros',
    );

    for (const v of [vol, copy]) await runOk('euca-delete-volume', [v], env);
    assert.equal(await runOk('euca-delete-snapshot', [snap], env), `SNAPSHOT\t${snap}\n`);
    await fails('euca-describe-snapshots', [snap], env, /\(InvalidSnapshot\.NotFound\)/);
  });

  test('a snapshot is shared with createVolumePermission, and only so', async () => {
    const vol = await createVolume(['-z', ZONE, '-s', '1']);
    await waitVolume(vol, 'available');
    const snap = field((await runOk('euca-create-snapshot', [vol], env)).trim(), 1);
    await waitSnapshot(snap);

    const acme = (await runOk('euare-accountcreate', ['-a', 'acme', '-k'], env)).trim().split('\n');
    const acmeId = field(acme[0], 1);
    const acmeEnv = {
      ...env,
      EC2_ACCESS_KEY: acme[1],
      EC2_SECRET_KEY: acme[2],
      AWS_ACCESS_KEY: acme[1],
      AWS_SECRET_KEY: acme[2],
    };
    await fails('euca-create-volume', ['-z', ZONE, '--snapshot', snap], acmeEnv, /\(InvalidSnapshot\.NotFound\)/);
    assert.equal(await runOk('euca-describe-snapshot-attribute', [snap, '-c'], env), '');
    assert.equal(
      await runOk('euca-modify-snapshot-attribute', [snap, '-c', '-a', acmeId], env),
      `createVolumePermission\t${snap}\tADD\tuserId\t${acmeId}\n`,
    );
    assert.equal(
      await runOk('euca-describe-snapshot-attribute', [snap, '-c'], env),
      `createVolumePermission\t${snap}\tuserId\t${acmeId}\n`,
    );
    assert.match(await runOk('euca-describe-snapshots', [], acmeEnv), new RegExp(`^SNAPSHOT\\t${snap}\\t`, 'm'));
    const theirs = field((await runOk('euca-create-volume', ['-z', ZONE, '--snapshot', snap], acmeEnv)).trim(), 1);
    assert.doesNotMatch(await runOk('euca-describe-volumes', [], env), new RegExp(theirs));
    await fails('euca-delete-snapshot', [snap], acmeEnv, /\(InvalidSnapshot\.NotFound\)/);
    assert.equal(
      await runOk('euca-reset-snapshot-attribute', [snap, '-c'], env),
      `createVolumePermission\t${snap}\tRESET\n`,
    );
    assert.doesNotMatch(await runOk('euca-describe-snapshots', [], acmeEnv), new RegExp(snap));
  });

  test('the aws CLI creates, attaches, detaches and deletes volumes and snapshots', async () => {
    const awsEnv = {
      ...env,
      AWS_ACCESS_KEY_ID: cloud.eucarc.EC2_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: cloud.eucarc.EC2_SECRET_KEY,
      AWS_DEFAULT_REGION: 'eucalyptus',
      HOME: work,
    };
    const aws = async (...args: string[]) => {
      const r = await run('aws', ['--endpoint-url', cloud.eucarc.EC2_URL, 'ec2', ...args, '--output', 'json'], awsEnv);
      assert.equal(r.code, 0, `aws ec2 ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const created = await aws('create-volume', '--availability-zone', ZONE, '--size', '1');
    assert.equal(created.State, 'creating');
    const vol = created.VolumeId;
    await waitVolume(vol, 'available');
    assert.equal(
      (await aws('attach-volume', '--volume-id', vol, '--instance-id', instance, '--device', '/dev/sdk')).State,
      'attaching',
    );
    await waitVolume(vol, 'in-use');
    const described = (await aws('describe-volumes', '--volume-ids', vol)).Volumes[0];
    assert.equal(described.Attachments[0].InstanceId, instance);
    const snap = await aws('create-snapshot', '--volume-id', vol, '--description', 'from the aws CLI');
    assert.equal(snap.State, 'pending');
    await waitSnapshot(snap.SnapshotId);
    assert.equal((await aws('describe-snapshots', '--snapshot-ids', snap.SnapshotId)).Snapshots[0].State, 'completed');
    assert.equal((await aws('detach-volume', '--volume-id', vol)).State, 'detaching');
    await waitVolume(vol, 'available');
    await aws('delete-volume', '--volume-id', vol);
    await aws('delete-snapshot', '--snapshot-id', snap.SnapshotId);
    await fails('euca-describe-volumes', [vol], env, /InvalidVolume\.NotFound/);
  });

  test(
    "the seed's EBS image sequence: an image registered from a snapshot runs from its own root volume, " +
      'stops, starts and takes the volume away on terminate',
    async () => {
      // Create a volume and attach it, as the seed does; the copy onto it is an import here.
      const scratch = await createVolume(['--zone', ZONE, '--size', '1']);
      await waitVolume(scratch, 'available');
      await runOk('euca-attach-volume', [scratch, '-i', instance, '-d', '/dev/sdf'], env);
      await waitVolume(scratch, 'in-use');
      const disk = path.join(work, 'root.img');
      const data = randomBytes(2 * 1024 * 1024 + 4095);
      fs.writeFileSync(disk, data);
      const imported = (await runOk('euca-import-volume', [disk, '-f', 'raw', '-z', ZONE, '-b', 'ebs-images'], env))
        .trim()
        .split('\n');
      const rootSource = imported[1].match(/VolumeId\t(vol-\w+)/)![1];
      await waitVolume(rootSource, 'available');
      await runOk('euca-detach-volume', [scratch], env);
      await waitVolume(scratch, 'available');
      const snap = field((await runOk('euca-create-snapshot', [rootSource], env)).trim(), 1);
      await waitSnapshot(snap);

      // Both ways of registering: the older --snapshot, and -b with --root-device-name.
      const image = field(
        (await runOk('euca-register', ['--name', 'my-new-ebs-image', '--snapshot', snap], env)).trim(),
        1,
      );
      assert.match(image, /^emi-[0-9A-F]{8}$/);
      const image2 = field(
        (
          await runOk(
            'euca-register',
            ['-n', 'ebs-image-2', '--root-device-name', '/dev/sda1', '-b', `/dev/sda1=${snap}:2:true`],
            env,
          )
        ).trim(),
        1,
      );
      const described = (await runOk('euca-describe-images', [image, image2], env)).trim();
      assert.match(described, new RegExp(`^IMAGE\\t${image}\\t.*\\tavailable\\t.*\\tebs`, 'm'));
      assert.match(described, new RegExp(`^BLOCKDEVICEMAPPING\\t.*/dev/sda1\\t${snap}\\t2`, 'm'));
      await fails('euca-register', ['-n', 'too-big', '-b', `/dev/sda1=${snap}:2048`], env, /1 TiB/);

      const ebsInstance = (await runOk('euca-run-instances', [image], env)).match(/^INSTANCE\t(i-\w+)/m)![1];
      const running = async () =>
        (await runOk('euca-describe-instances', [ebsInstance], env)).includes('\trunning\t') ? true : undefined;
      await waitFor(`${ebsInstance} running`, running, 60_000);
      const ebsLines = await runOk('euca-describe-instances', [ebsInstance], env);
      assert.match(ebsLines, /\tebs\t/);
      assert.match(ebsLines, /^BLOCKDEVICE\t\/dev\/sda1\tvol-[0-9A-F]{8}\t\S+\ttrue\t\t$/m);
      const rootVolume = (
        await runOk('euca-describe-volumes', ['--filter', `attachment.instance-id=${ebsInstance}`], env)
      ).match(/^VOLUME\t(vol-\w+)\t1\t(snap-\w+)\t/m)!;
      assert.equal(rootVolume[2], snap);
      assert.equal(sha1Of(volumeFile(ZONE, rootVolume[1]), data.length), createHash('sha1').update(data).digest('hex'));

      assert.match(await runOk('euca-stop-instances', [ebsInstance], env), new RegExp(`${ebsInstance}`));
      await waitFor('stopped', async () =>
        (await runOk('euca-describe-instances', [ebsInstance], env)).includes('\tstopped\t') ? true : undefined,
      );
      assert.equal(await volumeStatus(rootVolume[1]), 'in-use');
      await runOk('euca-start-instances', [ebsInstance], env);
      await waitFor(`${ebsInstance} running again`, running, 60_000);

      // CreateImage of the EBS instance: pending until its snapshot completes.
      const made = field((await runOk('euca-create-image', [ebsInstance, '-n', 'made-from-instance'], env)).trim(), 1);
      await waitFor(
        `${made} available`,
        async () => ((await runOk('euca-describe-images', [made], env)).includes('\tavailable\t') ? true : undefined),
        60_000,
      );

      await runOk('euca-terminate-instances', [ebsInstance], env);
      await waitFor('root volume gone', async () =>
        (await run('euca-describe-volumes', [rootVolume[1]], env)).code === 1 ? true : undefined,
      );
      for (const v of [scratch, rootSource]) await runOk('euca-delete-volume', [v], env);
    },
  );

  test('terminating an instance detaches its volumes', async () => {
    const vol = await createVolume(['-z', ZONE, '-s', '1']);
    await waitVolume(vol, 'available');
    await runOk('euca-attach-volume', [vol, '-i', instance, '-d', '/dev/sdj'], env);
    await waitVolume(vol, 'in-use');
    await runOk('euca-terminate-instances', [instance], env);
    await waitVolume(vol, 'available');
    await runOk('euca-delete-volume', [vol], env);
  });
});
