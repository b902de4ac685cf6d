/**
 * Real instances (QEMU, with KVM where it can be used, else TCG): seed 000's "Log in to an
 * Instance" and "Using EBS" against the local cloud, with the test image built from Debian's
 * packages. One cloud, two guests: ssh with the key pair, metadata and user data from inside the
 * guest only, the console, a volume hot-plugged, formatted, written, detached, snapshotted and
 * restored into a second guest, reboot, a revoked port closed, terminate freeing the host. With
 * EUCA_TEST_VOLUME_EXPORT=nbd (scripts/test-postgres.sh sets it) the volumes reach the guests as
 * NBD exports, an EBS root among them.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cleanEnv, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerBootableImage, ssh, waitForSsh, waitForState } from '../helpers/guest';
import { localNodeDir, nodePaths } from '../../src/shared/node-paths';

const ZONE = 'cluster01';

/** Whether a QEMU process of this instance is still running. */
const qemuRuns = (id: string) =>
  fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .some((p) => {
      try {
        const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return cmd.startsWith('qemu-system') || cmd.includes('/qemu-system')
          ? cmd.includes(`${id},debug-threads`)
          : false;
      } catch {
        return false;
      }
    });

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('real instances under QEMU', { timeout: 900_000 }, () => {
  let cloud: TestCloud;
  let env: Record<string, string>;
  let work: string;
  let key: string;
  let emi: string;
  let eki: string;
  let eri: string;

  before(async () => {
    // EUCA_TEST_VOLUME_EXPORT=nbd (the suite's second pass): the guests' volumes come over NBD.
    const dataDir = tempDir('euca-cloud-');
    if (process.env.EUCA_TEST_VOLUME_EXPORT)
      await runOk(
        'euca_conf',
        ['-d', dataDir, '--set', `VOLUME_EXPORT=${process.env.EUCA_TEST_VOLUME_EXPORT}`],
        cleanEnv(),
      );
    cloud = await startCloud(dataDir, 0, { hypervisor: 'kvm' });
    env = cloud.env;
    work = tempDir('euca-guests-');
    ({ emi, eki, eri } = await registerBootableImage(env, work));
    key = path.join(work, 'mykey.private');
    fs.writeFileSync(key, await runOk('euca-add-keypair', ['mykey'], env), { mode: 0o600 });
    await runOk('euca-authorize', ['-P', 'tcp', '-p', '22', '-s', '0.0.0.0/0', 'default'], env);
  });

  after(async () => {
    await cloud?.stop();
  });

  test('log in, metadata, console, EBS, reboot, revoked port, terminate', async () => {
    // Seed 000: run an instance of the image with the key pair, then ssh in with the key.
    const userData = 'hello from user data';
    const out = await runOk('euca-run-instances', ['-k', 'mykey', '-d', userData, emi], env);
    const id = /^INSTANCE\t(i-[0-9A-F]{8})/m.exec(out)![1];
    const running = await waitForState(env, id, 'running');
    const address = running[3];
    assert.match(address, /^127\.\d+\.\d+\.\d+$/, 'a public address of this machine');
    await waitForSsh(key, address);
    assert.equal((await ssh(key, address, 'echo logged in as $(whoami)')).trim(), 'logged in as root');

    // Metadata and user data from inside the guest; the key pair came in through it.
    const md = (p: string) => ssh(key, address, `wget -q -O - http://169.254.169.254/latest/${p}`);
    assert.equal(await md('meta-data/instance-id'), id);
    assert.equal(await md('user-data'), userData);
    assert.match(await md('meta-data/public-keys/0/openssh-key'), /^ssh-rsa /);
    // ...and not from outside it: the node answers no one else's request for it.
    const nodePort = fs.readFileSync(nodePaths(localNodeDir(cloud.dataDir)).portFile, 'utf8').trim();
    const outside = await fetch(`http://${nodePort}/latest/meta-data/instance-id`);
    assert.notEqual(outside.status, 200);
    assert.doesNotMatch(await outside.text(), new RegExp(id));

    // The guest reaches nothing else: not this machine (the cloud's port through QEMU's gateway),
    // not beyond it.
    assert.equal(
      (
        await ssh(
          key,
          address,
          `wget -q -T 3 -O /dev/null http://169.254.0.2:${cloud.port}/ && echo reached || echo isolated`,
        )
      ).trim(),
      'isolated',
    );

    // The console is the guest's own serial console.
    const console1 = await runOk('euca-get-console-output', [id], env);
    assert.match(console1, /Linux version 6\./);
    assert.match(console1, /euca-test-image: sshd up/);

    // Using EBS: a volume attached as /dev/sdf is the guest's next virtio disk, vdb.
    const vol = /^VOLUME\t(vol-[0-9A-F]{8})/m.exec(await runOk('euca-create-volume', ['-s', '1', '-z', ZONE], env))![1];
    await until('the volume available', async () =>
      (await runOk('euca-describe-volumes', [vol], env)).includes('available') ? true : undefined,
    );
    await runOk('euca-attach-volume', ['-i', id, '-d', '/dev/sdf', vol], env);
    await until('vdb in /proc/partitions', async () =>
      (await ssh(key, address, 'cat /proc/partitions')).includes('vdb') ? true : undefined,
    );
    await ssh(key, address, 'mkfs -t ext3 -q /dev/vdb && mkdir -p /mnt/data && mount /dev/vdb /mnt/data');
    await ssh(key, address, 'echo "written in the guest" > /mnt/data/note && umount /mnt/data && sync');
    await runOk('euca-detach-volume', [vol], env);
    await until('vdb gone from the guest', async () =>
      (await ssh(key, address, 'cat /proc/partitions')).includes('vdb') ? undefined : true,
    );
    await until('the volume detached', async () =>
      (await runOk('euca-describe-volumes', [vol], env)).includes('available') ? true : undefined,
    );

    // A snapshot of it restores into a new volume with the same bytes, read by a second guest.
    const snap = /^SNAPSHOT\t(snap-[0-9A-F]{8})/m.exec(await runOk('euca-create-snapshot', [vol], env))![1];
    await until(
      'the snapshot completed',
      async () => ((await runOk('euca-describe-snapshots', [snap], env)).includes('completed') ? true : undefined),
      120_000,
    );
    const restored = /^VOLUME\t(vol-[0-9A-F]{8})/m.exec(
      await runOk('euca-create-volume', ['--snapshot', snap, '-z', ZONE], env),
    )![1];
    await until('the restored volume available', async () =>
      (await runOk('euca-describe-volumes', [restored], env)).includes('available') ? true : undefined,
    );
    const second = /^INSTANCE\t(i-[0-9A-F]{8})/m.exec(await runOk('euca-run-instances', ['-k', 'mykey', emi], env))![1];
    const secondAddress = (await waitForState(env, second, 'running'))[3];
    await waitForSsh(key, secondAddress);
    await runOk('euca-attach-volume', ['-i', second, '-d', '/dev/sdf', restored], env);
    await until('vdb in the second guest', async () =>
      (await ssh(key, secondAddress, 'cat /proc/partitions')).includes('vdb') ? true : undefined,
    );
    assert.equal(
      await ssh(key, secondAddress, 'mkdir -p /mnt/r && mount /dev/vdb /mnt/r && cat /mnt/r/note && umount /mnt/r'),
      'written in the guest\n',
    );
    await runOk('euca-detach-volume', [restored], env);

    // Reboot: the guest boots again and answers again.
    await runOk('euca-reboot-instances', [id], env);
    await until('a second boot on the console', async () => {
      const c = await runOk('euca-get-console-output', [id], env);
      return (c.match(/euca-test-image: sshd up/g) ?? []).length >= 2 ? true : undefined;
    });
    await waitForSsh(key, address);

    // A revoked rule closes its port: the same log-in is refused (and opened again for the next test).
    const logIn = () =>
      ssh(key, address, 'true').then(
        () => 'open',
        (e: Error) => (/refused|reset|closed/i.test(e.message) ? 'closed' : e.message),
      );
    assert.equal(await logIn(), 'open');
    await runOk('euca-revoke', ['-P', 'tcp', '-p', '22', '-s', '0.0.0.0/0', 'default'], env);
    await until('port 22 closed', async () => ((await logIn()) === 'closed' ? true : undefined));

    // Terminate stops the guests: no QEMU left for them.
    await runOk('euca-terminate-instances', [id, second], env);
    await waitForState(env, id, 'terminated');
    await waitForState(env, second, 'terminated');
    await until('the QEMU processes gone', async () => (qemuRuns(id) || qemuRuns(second) ? undefined : true));
  });

  test('an EBS-backed instance from a volume written through ssh keeps its data across stop and start', async () => {
    // Seed 000, "Using EBS": dd an image onto a volume through ssh, snapshot it, register it.
    const helper = /^INSTANCE\t(i-[0-9A-F]{8})/m.exec(await runOk('euca-run-instances', ['-k', 'mykey', emi], env))![1];
    const helperAddress = (await waitForState(env, helper, 'running'))[3];
    await runOk('euca-authorize', ['-P', 'tcp', '-p', '22', '-s', '0.0.0.0/0', 'default'], env);
    await waitForSsh(key, helperAddress);
    const vol = /^VOLUME\t(vol-[0-9A-F]{8})/m.exec(await runOk('euca-create-volume', ['-s', '1', '-z', ZONE], env))![1];
    await until('the volume available', async () =>
      (await runOk('euca-describe-volumes', [vol], env)).includes('available') ? true : undefined,
    );
    await runOk('euca-attach-volume', ['-i', helper, '-d', '/dev/sdf', vol], env);
    await until('vdb in the guest', async () =>
      (await ssh(key, helperAddress, 'cat /proc/partitions')).includes('vdb') ? true : undefined,
    );
    const rootImage = fs.readFileSync(path.join(work, 'root-test.img'));
    await ssh(key, helperAddress, 'dd of=/dev/vdb bs=1M 2>/dev/null && sync', rootImage);
    await runOk('euca-detach-volume', [vol], env);
    await until('the volume detached', async () =>
      (await runOk('euca-describe-volumes', [vol], env)).includes('available') ? true : undefined,
    );
    await runOk('euca-terminate-instances', [helper], env);
    const snap = /^SNAPSHOT\t(snap-[0-9A-F]{8})/m.exec(await runOk('euca-create-snapshot', [vol], env))![1];
    await until(
      'the snapshot completed',
      async () => ((await runOk('euca-describe-snapshots', [snap], env)).includes('completed') ? true : undefined),
      120_000,
    );
    const ebsImage = /^IMAGE\t(emi-[0-9A-F]{8})/m.exec(
      await runOk(
        'euca-register',
        ['-n', 'ebs-root', '--root-device-name', '/dev/sda1', '-s', snap, '--kernel', eki, '--ramdisk', eri],
        env,
      ),
    )![1];

    // Run it, write on its root disk, stop it, start it: the data is there.
    const id = /^INSTANCE\t(i-[0-9A-F]{8})/m.exec(
      await runOk('euca-run-instances', ['-k', 'mykey', ebsImage], env),
    )![1];
    let address = (await waitForState(env, id, 'running'))[3];
    await waitForSsh(key, address);
    await ssh(key, address, 'echo "kept across stop and start" > /root/kept && sync');
    await runOk('euca-stop-instances', [id], env);
    await waitForState(env, id, 'stopped');
    assert.ok(!qemuRuns(id), 'a stopped instance has no QEMU');
    await runOk('euca-start-instances', [id], env);
    address = (await waitForState(env, id, 'running'))[3];
    await waitForSsh(key, address);
    assert.equal(await ssh(key, address, 'cat /root/kept'), 'kept across stop and start\n');
    await runOk('euca-terminate-instances', [id], env);
    await waitForState(env, id, 'terminated');
    await until('its QEMU gone', async () => (qemuRuns(id) ? undefined : true));
  });
});
