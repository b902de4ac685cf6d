/**
 * A node controller killed while an instance runs on it: the cloud keeps serving, marks the node
 * it cannot reach (nc=false in the verbose view), and when the node comes back with its instance
 * (a node keeps what it staged), the instance goes on running, its capacity counted once. A node
 * that comes back without it (its disks gone) has lost it: the instance-store instance ends
 * terminated and the node's capacity is whole again.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { nodeAddress, nodePaths } from '../../src/shared/node-paths';
import { runOk } from '../helpers/cli';
import { startCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';
import { waitFor } from '../helpers/node';

test('a killed node controller is marked, the cloud keeps serving, and its return is counted once', async () => {
  const cloud = await startCloud();
  try {
    const env = cloud.env;
    const image = await registerTestImage(env);
    const id = (await runOk('euca-run-instances', [image], env)).match(/^INSTANCE\t(i-\w+)/m)![1];
    await waitFor(
      'running',
      async () => ((await runOk('euca-describe-instances', [id], env)).includes('\trunning\t') ? true : undefined),
      60_000,
    );
    const small = async () => {
      const m = /\|- m1\.small\s+(\d+) \/ (\d+)/.exec(
        await runOk('euca-describe-availability-zones', ['verbose'], env),
      )!;
      return { free: Number(m[1]), max: Number(m[2]) };
    };
    const before = await small();
    assert.equal(before.free, before.max - 1);

    const np = nodePaths(path.join(cloud.dataDir, 'node'));
    const { port } = nodeAddress(np)!;
    process.kill(Number(fs.readFileSync(np.pidFile, 'utf8')), 'SIGKILL');
    await waitFor(
      'the node marked unreachable',
      async () =>
        (await runOk('euca-describe-availability-zones', ['verbose'], env)).includes('nc=false') ? true : undefined,
      40_000,
    );
    // Still serving.
    assert.match(await runOk('euca-describe-instances', [id], env), /^INSTANCE/m);

    const restart = async () => {
      await runOk(
        'eucalyptus-nc',
        [
          'start',
          '--data-dir',
          np.dataDir,
          '--port',
          String(port),
          '--cloud-url',
          new URL(cloud.eucarc.EC2_URL).origin,
        ],
        env,
      );
      await waitFor(
        'the node back',
        async () =>
          (await runOk('euca-describe-availability-zones', ['verbose'], env)).includes('nc=true') ? true : undefined,
        40_000,
      );
    };
    await restart();
    // It booted the instance again: still running, counted once.
    const booted = `${id}: found staged by an earlier run; booting it again`;
    await waitFor(
      `${id} running on the node again`,
      async () => (fs.readFileSync(np.log, 'utf8').split(booted)[1]?.includes(`${id}: running`) ? true : undefined),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1500)); // a few polls of the instance monitor
    assert.match(await runOk('euca-describe-instances', [id], env), /\trunning\t/);
    assert.deepEqual(await small(), before);

    // Stopped, and back without the instance's folder (its disks gone): it has lost it. (Stopped,
    // not killed: this node is no child of ours, and an orphan killed here may linger as a zombie.)
    await runOk('eucalyptus-nc', ['stop', '--data-dir', np.dataDir], env);
    for (const name of fs.readdirSync(np.defaultInstancePath))
      if (name !== 'cache') fs.rmSync(path.join(np.defaultInstancePath, name), { recursive: true, force: true });
    await restart();
    await waitFor(
      `${id} terminated: its node lost it`,
      async () => ((await runOk('euca-describe-instances', [id], env)).includes('\tterminated\t') ? true : undefined),
      30_000,
    );
    const after = await waitFor('capacity counted once', async () => {
      const s = await small();
      return s.free === s.max ? s : undefined;
    });
    assert.equal(after.max, before.max);
    await runOk('eucalyptus-nc', ['stop', '--data-dir', np.dataDir], env);
  } finally {
    await cloud.stop();
  }
});
