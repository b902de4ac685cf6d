/**
 * Volumes over the network (VOLUME_EXPORT="nbd"): an attached volume is exported by its own
 * qemu-nbd with TLS and a key belonging to that attachment alone; the node holds the export and
 * its key (derived from the cluster key) in the instance's folder, and what is written through the
 * export is in the volume, its snapshot and a volume made from it. Without the key, with another
 * attachment's, or without TLS the export refuses; the export outlives a killed cloud, which keeps
 * it when it starts again; detaching and terminating end it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { onPath } from '../../src/shared/files';
import { cloudPaths } from '../../src/shared/paths';
import { cleanEnv, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';
import { waitForState } from '../helpers/guest';
import { waitFor } from '../helpers/node';

const MiB = 1024 * 1024;
const ZONE = 'cluster01';
const field = (line: string, n: number) => line.split('\t')[n];
const haveQemuUtils = !!onPath('qemu-nbd') && !!onPath('qemu-io');

interface Export {
  host: string;
  port: number;
  name: string;
  identity: string;
}

/** qemu-io on an export, as a guest's QEMU opens it: TLS with the key in `keysDir` under `identity`. */
function qemuIo(e: Export, keysDir: string | undefined, identity: string, ...commands: string[]) {
  const tls = keysDir ? `,tls-creds=tls0` : '';
  const args = [
    ...(keysDir ? ['--object', `tls-creds-psk,id=tls0,endpoint=client,dir=${keysDir},username=${identity}`] : []),
    '--image-opts',
    `driver=nbd,server.type=inet,server.host=${e.host},server.port=${e.port},export=${e.name}${tls}`,
    ...commands.flatMap((c) => ['-c', c]),
  ];
  return new Promise<{ code: number; out: string }>((resolve) =>
    execFile('qemu-io', args, { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

describe('volumes exported over NBD', { skip: !haveQemuUtils && 'qemu-utils is not installed' }, () => {
  let cloud: TestCloud;
  let env: Record<string, string>;
  let dataDir: string;
  let instance: string;

  const volumeStatus = async (id: string) => field((await runOk('euca-describe-volumes', [id], env)).split('\n')[0], 5);
  const attachment = async (id: string) =>
    (await runOk('euca-describe-volumes', [id], env)).split('\n').find((l) => l.startsWith('ATTACHMENT\t'));
  /** A new 1 GiB volume, attached to the instance at `device` (the node holding it). */
  const attachedVolume = async (device: string) => {
    const vol = field(await runOk('euca-create-volume', ['-z', ZONE, '-s', '1'], env), 1);
    await waitFor('available', async () => ((await volumeStatus(vol)) === 'available' ? true : undefined), 30_000);
    await runOk('euca-attach-volume', [vol, '-i', instance, '-d', device], env);
    await waitFor(
      'attached',
      async () => ((await attachment(vol))?.includes('\tattached\t') ? true : undefined),
      30_000,
    );
    return vol;
  };
  /** The export folder the node made in the instance's folder for the device. */
  const nodeExport = (name: string) => {
    const found = (fs.readdirSync(dataDir, { recursive: true }) as string[]).find((f) =>
      f.endsWith(path.join(instance, `${name}.nbd`, 'export.json')),
    );
    if (!found) return undefined;
    const file = path.join(dataDir, found);
    return { keysDir: path.dirname(file), nbd: JSON.parse(fs.readFileSync(file, 'utf8')) as Export };
  };

  before(async () => {
    // Set before the cloud's first start, as an administrator would.
    dataDir = tempDir('euca-cloud-');
    await runOk('euca_conf', ['-d', dataDir, '--set', 'VOLUME_EXPORT=nbd'], cleanEnv());
    cloud = await startCloud(dataDir);
    env = cloud.env;
    instance = (await runOk('euca-run-instances', [await registerTestImage(env)], env)).match(
      /^INSTANCE\t(i-\w+)/m,
    )![1];
    await waitForState(env, instance, 'running', 60_000);
  });
  after(async () => {
    await cloud?.stop();
    // Whatever a failed test left exported.
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir)) process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
  });

  test('attached: the node holds the export and its own key; what it writes is in the snapshot; others are refused', async () => {
    const vol = await attachedVolume('/dev/sdf');
    const held = nodeExport('sdf');
    assert.ok(held, 'the instance folder holds the export');
    assert.equal(held.nbd.name, vol);
    assert.match(held.nbd.identity, new RegExp(`^${instance}-\\d+\\.[0-9a-f]{16}$`));
    assert.equal(fs.statSync(path.join(held.keysDir, 'keys.psk')).mode & 0o777, 0o600);
    assert.ok(!fs.existsSync(path.join(path.dirname(held.keysDir), 'sdf')), 'no link to the file: the node has none');

    // Written through the export, as the guest would.
    const data = randomBytes(2 * MiB);
    const pattern = path.join(tempDir('euca-nbd-'), 'data');
    fs.writeFileSync(pattern, data);
    const wrote = await qemuIo(held.nbd, held.keysDir, held.nbd.identity, `write -s ${pattern} 0 ${data.length}`);
    assert.equal(wrote.code, 0, wrote.out);

    // Refused: no TLS; the right identity with another key; another attachment's name.
    const plain = await qemuIo(held.nbd, undefined, '', 'read 0 512');
    assert.notEqual(plain.code, 0);
    assert.match(plain.out, /TLS|tls/);
    const strangerKeys = tempDir('euca-nbd-keys-');
    fs.writeFileSync(path.join(strangerKeys, 'keys.psk'), `${held.nbd.identity}:${randomBytes(32).toString('hex')}\n`, {
      mode: 0o600,
    });
    assert.notEqual((await qemuIo(held.nbd, strangerKeys, held.nbd.identity, 'read 0 512')).code, 0);
    const other = `${instance}-1.0000000000000000`;
    fs.writeFileSync(
      path.join(strangerKeys, 'keys.psk'),
      `${other}:${fs.readFileSync(path.join(held.keysDir, 'keys.psk'), 'utf8').split(':')[1]}`,
      { mode: 0o600 },
    );
    assert.notEqual((await qemuIo(held.nbd, strangerKeys, other, 'read 0 512')).code, 0);

    // The snapshot, and a volume made from it, hold what the node wrote.
    const snap = field(await runOk('euca-create-snapshot', [vol], env), 1);
    await waitFor(
      'completed',
      async () =>
        field((await runOk('euca-describe-snapshots', [snap], env)).split('\n')[0], 3) === 'completed'
          ? true
          : undefined,
      60_000,
    );
    const copy = field(await runOk('euca-create-volume', ['-z', ZONE, '--snapshot', snap], env), 1);
    await waitFor(
      'copy available',
      async () => ((await volumeStatus(copy)) === 'available' ? true : undefined),
      30_000,
    );
    const fd = fs.openSync(path.join(cloudPaths(dataDir).volumesDir, ZONE, copy), 'r');
    const back = Buffer.alloc(data.length);
    fs.readSync(fd, back, 0, back.length, 0);
    fs.closeSync(fd);
    assert.equal(createHash('sha1').update(back).digest('hex'), createHash('sha1').update(data).digest('hex'));

    // Detached: the export ends, and the node's folder lets it go.
    await runOk('euca-detach-volume', [vol], env);
    await waitFor(
      'available again',
      async () => ((await volumeStatus(vol)) === 'available' ? true : undefined),
      30_000,
    );
    assert.equal(nodeExport('sdf'), undefined);
    assert.notEqual((await qemuIo(held.nbd, held.keysDir, held.nbd.identity, 'read 0 512')).code, 0);
  });

  test('the export outlives a killed cloud, which keeps it at its restart; terminating the instance ends it', async () => {
    const vol = await attachedVolume('/dev/sdg');
    const held = nodeExport('sdg')!;
    const read = () => qemuIo(held.nbd, held.keysDir, held.nbd.identity, 'read 0 4096');

    process.kill(Number(fs.readFileSync(cloudPaths(dataDir).pidFile, 'utf8')), 'SIGKILL');
    await cloud.stop();
    assert.equal((await read()).code, 0, 'the guest keeps its disk while the cloud is down');
    cloud = await startCloud(dataDir);
    env = cloud.env;
    assert.equal((await read()).code, 0, 'kept by the cloud started again');

    await runOk('euca-terminate-instances', [instance], env);
    await waitFor(
      'the export ended',
      async () => (!fs.existsSync(path.join(cloudPaths(dataDir).volumesDir, '.exports', vol)) ? true : undefined),
      30_000,
    );
    assert.notEqual((await read()).code, 0);
  });
});
