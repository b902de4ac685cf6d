/**
 * The node controller end to end: a real `eucalyptus-nc --foreground` with a temporary data dir,
 * driven with the NodeControllerClient the cluster controller uses, against a fake cloud serving
 * the internal image and metadata endpoints; its status and stop commands; and the node the
 * embedded cloud starts for itself.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import forge from 'node-forge';
import {
  type NcError,
  NodeControllerClient,
  NodeUnreachable,
  type RunInstanceRequest,
  signRequest,
} from '../../src/shared/nc-protocol';
import { freePort, runningPid } from '../../src/shared/daemon';
import { nodeAddress, nodePaths } from '../../src/shared/node-paths';
import { cloudPaths } from '../../src/shared/paths';
import { cleanEnv, run, tempDir } from '../helpers/cli';
import { startCloud } from '../helpers/cloud';
import { type FakeCloud, instanceMetadata, startFakeCloud, startNode, type TestNode, waitFor } from '../helpers/node';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const EMI = 'emi-EC1410C1';
const EKI = 'eki-5B3D3859';
const ERI = 'eri-722B3CBA';
const WIN = 'emi-0A0B0C0D';
const BOOT_DELAY_MS = 300;
const ACCOUNT = '000000000001';

function spec(instanceId: string, over: Partial<RunInstanceRequest> = {}): RunInstanceRequest {
  return {
    instanceId,
    reservationId: 'r-460007BE',
    accountId: ACCOUNT,
    imageId: EMI,
    kernelId: EKI,
    ramdiskId: ERI,
    vmType: { name: 'm1.small', cpus: 1, memoryMiB: 128, diskGiB: 10 },
    keyName: 'mykey',
    network: { mac: 'd0:0d:2f:93:06:25', privateIp: '10.128.0.2', publicIp: '192.0.2.10' },
    launchIndex: 0,
    ...over,
  };
}

describe('a node controller', () => {
  let cloud: FakeCloud;
  let node: TestNode;
  let nc: NodeControllerClient;
  const instancePath = () => path.join(node.dataDir, 'instances');
  const stateOf = async (id: string) => (await nc.describeInstances([id])).instances[0]?.state;

  before(async () => {
    cloud = await startFakeCloud();
    cloud.images.set(EMI, crypto.randomBytes(3 * MiB + 17));
    cloud.images.set(EKI, crypto.randomBytes(64 * 1024));
    cloud.images.set(ERI, crypto.randomBytes(32 * 1024));
    cloud.images.set(WIN, crypto.randomBytes(MiB));
    node = await startNode(cloud.url, cloud.key, { MAX_CORES: '3', BOOT_DELAY_MS: String(BOOT_DELAY_MS) });
    nc = new NodeControllerClient(node.url, cloud.key);
  });
  after(async () => {
    await nc?.close();
    await node?.stop();
    await cloud?.close();
  });

  test('DescribeResource reports MAX_CORES, the memory and the INSTANCE_PATH of this node', async () => {
    const r = await nc.describeResource();
    assert.equal(r.cores, 3);
    assert.equal(r.memoryMiB, Math.floor(os.totalmem() / MiB));
    assert.ok(Number.isInteger(r.diskGiB) && r.diskGiB >= 0);
    assert.equal(r.hypervisor, 'simulated');
    assert.equal(r.instancePath, instancePath());
  });

  test(
    'two runs of one image download it once, lay out sparse disks, and go running after the boot ' + 'delay',
    async () => {
      const started = Date.now();
      const [a, b] = await Promise.all([
        nc.runInstance(spec('i-2F930625')),
        nc.runInstance(spec('i-2F930626', { accountId: '000000000002', launchIndex: 1 })),
      ]);
      assert.deepEqual([a, b], [{ state: 'pending' }, { state: 'pending' }]);
      assert.equal(await stateOf('i-2F930625'), 'pending');
      await waitFor(
        'running',
        async () => (await stateOf('i-2F930625')) === 'running' && (await stateOf('i-2F930626')) === 'running',
      );
      assert.ok(Date.now() - started >= BOOT_DELAY_MS, 'running before the boot delay');
      assert.deepEqual(Object.fromEntries(cloud.downloads), { [EMI]: 1, [EKI]: 1, [ERI]: 1 });
      assert.deepEqual(fs.readFileSync(path.join(instancePath(), 'cache', EMI)), cloud.images.get(EMI));

      const dir = path.join(instancePath(), ACCOUNT, 'i-2F930625');
      assert.deepEqual(fs.readdirSync(dir).sort(), [
        'console.log',
        'ephemeral',
        'instance.json',
        'kernel',
        'metadata.sock',
        'ramdisk',
        'root',
        'swap',
      ]);
      assert.deepEqual(fs.readFileSync(path.join(dir, 'root')), cloud.images.get(EMI));
      assert.deepEqual(fs.readFileSync(path.join(dir, 'kernel')), cloud.images.get(EKI));
      const image = cloud.images.get(EMI)!.length;
      const ephemeral = fs.statSync(path.join(dir, 'ephemeral'));
      const swap = fs.statSync(path.join(dir, 'swap'));
      assert.equal(swap.size, 512 * MiB);
      assert.equal(ephemeral.size, 10 * GiB - image - 512 * MiB);
      assert.ok(ephemeral.blocks * 512 < MiB && swap.blocks * 512 < MiB, 'ephemeral and swap are sparse');
      assert.ok(fs.existsSync(path.join(instancePath(), '000000000002', 'i-2F930626', 'root')));

      const listed = (await nc.describeInstances()).instances.find((i) => i.instanceId === 'i-2F930625')!;
      assert.equal(listed.privateIp, '10.128.0.2');
      assert.equal(listed.publicIp, '192.0.2.10');
      assert.ok(Date.parse(listed.launchTime) >= started - 1000);
    },
  );

  test('the console log shows the boot: kernel, ramdisk, root and the network', async () => {
    const out = await nc.getConsoleOutput('i-2F930625');
    const text = Buffer.from(out.output, 'base64').toString('utf8');
    assert.match(text, new RegExp(`kernel ${EKI}, ramdisk ${ERI}, root ${EMI}`));
    assert.match(text, /eth0: address 10\.128\.0\.2, public address 192\.0\.2\.10/);
    assert.match(text, /sda3: swap 512 MiB/);
    assert.match(text, /i-2F930625 login: \n$/);
    assert.ok(!Number.isNaN(Date.parse(out.timestamp)));
  });

  test('the metadata relay answers the instance on its own channel, and nobody who names it', async () => {
    cloud.metadata.set('i-2F930625/meta-data/instance-id', 'i-2F930625');
    assert.deepEqual(await instanceMetadata(node.dataDir, 'i-2F930625', 'meta-data/instance-id'), {
      status: 200,
      body: 'i-2F930625',
    });
    assert.equal((await instanceMetadata(node.dataDir, 'i-2F930625', 'meta-data/nothing')).status, 404);
    // The node's port answers an instance's private address only; naming an instance gets nothing.
    assert.equal((await fetch(`${node.url}/latest/meta-data/instance-id`)).status, 404);
    assert.equal((await fetch(`${node.url}/instances/i-2F930625/latest/meta-data/instance-id`)).status, 404);
    const socket = fs
      .readdirSync(path.join(node.dataDir, 'instances'))
      .map((a) => path.join(node.dataDir, 'instances', a, 'i-2F930625', 'metadata.sock'))
      .find((f) => fs.existsSync(f))!;
    assert.equal(fs.statSync(socket).mode & 0o777, 0o600);
  });

  test('reboot appends a new boot to the console log and keeps the instance running', async () => {
    const before = Buffer.from((await nc.getConsoleOutput('i-2F930625')).output, 'base64').toString();
    assert.deepEqual(await nc.rebootInstance('i-2F930625'), { instanceId: 'i-2F930625' });
    const afterReboot = Buffer.from((await nc.getConsoleOutput('i-2F930625')).output, 'base64').toString();
    assert.ok(afterReboot.startsWith(before));
    assert.match(afterReboot.slice(before.length), /going down for reboot[\s\S]*Linux version[\s\S]*login: \n$/);
    assert.equal(await stateOf('i-2F930625'), 'running');
  });

  test(
    'terminate goes shutting-down, then terminated, and removes the folder; the console stays ' + 'readable',
    async () => {
      const r = await nc.terminateInstance('i-2F930625');
      assert.equal(r.previousState, 'running');
      assert.ok(['shutting-down', 'terminated'].includes(r.state));
      await waitFor('terminated', async () => (await stateOf('i-2F930625')) === 'terminated');
      assert.equal(fs.existsSync(path.join(instancePath(), ACCOUNT)), false);
      assert.match(
        Buffer.from((await nc.getConsoleOutput('i-2F930625')).output, 'base64').toString(),
        /Power down\.\n$/,
      );
      assert.equal((await nc.terminateInstance('i-2F930625')).previousState, 'terminated');
      await assert.rejects(
        nc.rebootInstance('i-2F930625'),
        (e: NcError) => e.code === 'IncorrectInstanceState' && e.status === 409,
      );
      assert.ok(fs.existsSync(path.join(instancePath(), 'cache', EMI)), 'the image cache stays');
    },
  );

  test('a Windows instance gets no swap, and prints its Administrator password encrypted for its keypair', async () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, (b.length >> 8) & 0xff, b.length & 0xff]), b]);
    const mpint = (s: string) => field(Buffer.concat([Buffer.from([0]), Buffer.from(s, 'base64url')]));
    const sshKey = `ssh-rsa ${Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(jwk.e!), mpint(jwk.n!)]).toString('base64')} mykey`;
    const vmType = { name: 'm1.xlarge', cpus: 2, memoryMiB: 1024, diskGiB: 20 };
    await nc.runInstance(
      spec('i-0000000A', {
        imageId: WIN,
        kernelId: undefined,
        ramdiskId: undefined,
        platform: 'windows',
        vmType,
        publicKey: sshKey,
      }),
    );
    await waitFor('running', async () => (await stateOf('i-0000000A')) === 'running');
    const dir = path.join(instancePath(), ACCOUNT, 'i-0000000A');
    assert.deepEqual(fs.readdirSync(dir).sort(), [
      'console.log',
      'ephemeral',
      'instance.json',
      'metadata.sock',
      'root',
    ]);
    assert.equal(fs.statSync(path.join(dir, 'ephemeral')).size, 20 * GiB - MiB);
    const text = Buffer.from((await nc.getConsoleOutput('i-0000000A')).output, 'base64').toString();
    const m = /<Password>\n([A-Za-z0-9+/=]+)\n<\/Password>\n$/.exec(text);
    assert.ok(m, text);
    // PKCS#1 v1.5 decryption, which Node 20's crypto refuses: node-forge, as euca-get-password does.
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const password = forge.pki
      .privateKeyFromPem(pem)
      .decrypt(Buffer.from(m[1], 'base64').toString('binary'), 'RSAES-PKCS1-V1_5');
    assert.match(password, /^\S{16}$/);
  });

  test('an image the cloud does not have sends the instance to terminated, with the reason', async () => {
    await nc.runInstance(spec('i-0000000B', { imageId: 'emi-DEADBEEF' }));
    const gone = await waitFor('terminated', async () =>
      (await nc.describeInstances(['i-0000000B'])).instances.find((i) => i.state === 'terminated'),
    );
    assert.match(gone.reason!, /HTTP 404/);
  });

  test('bad requests: an unknown instance, a duplicate, bad IDs', async () => {
    await assert.rejects(
      nc.getConsoleOutput('i-99999999'),
      (e: NcError) => e.code === 'InvalidInstanceID.NotFound' && e.status === 404,
    );
    await assert.rejects(nc.runInstance(spec('i-2F930626')), (e: NcError) => e.code === 'InstanceAlreadyExists');
    await assert.rejects(
      nc.runInstance(spec('i-0000000C', { accountId: '../../etc' })),
      (e: NcError) => e.code === 'InvalidParameterValue' && e.status === 400,
    );
    await assert.rejects(nc.call('Nope' as 'DescribeResource', {}), (e: NcError) => e.code === 'InvalidAction');
  });

  test('a wrong key, a stale date or a tampered body get 403', async () => {
    const wrong = new NodeControllerClient(node.url, '0'.repeat(64));
    await assert.rejects(wrong.describeResource(), (e: NcError) => e.status === 403 && e.code === 'AuthFailure');
    await wrong.close();
    const body = JSON.stringify({ Action: 'DescribeResource' });
    const post = (headers: Record<string, string>, sent = body) =>
      fetch(`${node.url}/services/EucalyptusNC`, { method: 'POST', headers, body: sent });
    const stale = await post(
      signRequest(cloud.key, 'POST', '/services/EucalyptusNC', body, new Date(Date.now() - 6 * 60_000)),
    );
    assert.equal(stale.status, 403);
    assert.match(((await stale.json()) as { Error: { Message: string } }).Error.Message, /5 minutes/);
    assert.equal(
      (await post(signRequest(cloud.key, 'POST', '/services/EucalyptusNC', body), body.replace('}', ',"x":1}'))).status,
      403,
    );
    assert.equal((await post({})).status, 403);
    assert.equal((await post(signRequest(cloud.key, 'POST', '/services/EucalyptusNC', body))).status, 200);
  });

  test('a node that does not answer is NodeUnreachable, naming host:port', async () => {
    const port = await freePort();
    const gone = new NodeControllerClient(`http://127.0.0.1:${port}`, cloud.key, { connectTimeoutMs: 500 });
    await assert.rejects(
      gone.describeResource(),
      (e: NodeUnreachable) =>
        e instanceof NodeUnreachable && e.hostPort === `127.0.0.1:${port}` && e.message.includes(`127.0.0.1:${port}`),
    );
    await gone.close();
  });

  test('eucalyptus-nc status and stop find the node by its data dir', async () => {
    const env = cleanEnv();
    const status = await run('eucalyptus-nc', ['status', '--data-dir', node.dataDir], env);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(
      status.stdout,
      `eucalyptus-nc is running ` +
        `(pid ${runningPid(nodePaths(node.dataDir))}) at ${node.url.slice('http://'.length)}; data in ${node.dataDir}\n` +
        'hypervisor: simulated (instances are not booted)\n',
    );
    const stop = await run('eucalyptus-nc', ['stop', '--data-dir', node.dataDir], env);
    assert.match(stop.stdout, /^eucalyptus-nc stopped \(pid \d+\)\n$/);
    const after = await run('eucalyptus-nc', ['status', '--data-dir', node.dataDir], env);
    assert.equal(after.code, 3);
    assert.equal(after.stdout, 'eucalyptus-nc is not running\n');
    assert.equal(fs.existsSync(nodePaths(node.dataDir).pidFile), false);
  });
});

describe('eucalyptus-nc start (detached)', () => {
  test('starts in the background; without a key it waits to be paired, printing its token; restarts', async () => {
    const dir = tempDir('euca-nc-');
    fs.mkdirSync(path.dirname(nodePaths(dir).conf), { recursive: true });
    fs.writeFileSync(nodePaths(dir).conf, 'HYPERVISOR="simulated"\n');
    const env = cleanEnv();
    const noKey = await run(
      'eucalyptus-nc',
      ['start', '--data-dir', dir, '--port', '0', '--cloud-url', 'http://127.0.0.1:1'],
      env,
    );
    assert.equal(noKey.code, 0, noKey.stderr);
    const token = fs.readFileSync(path.join(nodePaths(dir).keysDir, 'pairing-token'), 'utf8').trim();
    assert.match(
      noKey.stdout,
      new RegExp(`not paired with a cluster yet; pairing token: ${token} \\(euca_conf --addnode `),
    );
    assert.equal(fs.statSync(path.join(nodePaths(dir).keysDir, 'pairing-token')).mode & 0o777, 0o600);
    const unpaired = nodeAddress(nodePaths(dir))!;
    const refused = new NodeControllerClient(`http://${unpaired.host}:${unpaired.port}`, 'ab'.repeat(32));
    await assert.rejects(refused.describeResource(), /NotPaired|not been paired/);
    await refused.close();
    assert.equal((await run('eucalyptus-nc', ['stop', '--data-dir', dir], env)).code, 0);
    fs.writeFileSync(nodePaths(dir).keyFile, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    const started = await run(
      'eucalyptus-nc',
      ['start', '--data-dir', dir, '--port', '0', '--cloud-url', 'http://127.0.0.1:1'],
      env,
    );
    assert.equal(started.code, 0, started.stderr);
    const addr = nodeAddress(nodePaths(dir))!;
    assert.match(
      started.stdout,
      new RegExp(`^eucalyptus-nc started \\(pid \\d+\\) at 127\\.0\\.0\\.1:${addr.port}; data in `),
    );
    const nc = new NodeControllerClient(`http://${addr.host}:${addr.port}`, 'ab'.repeat(32));
    assert.equal((await nc.describeResource()).hypervisor, 'simulated');
    await nc.close();
    assert.match(fs.readFileSync(nodePaths(dir).conf, 'utf8'), /^CLOUD_URL="http:\/\/127\.0\.0\.1:1"$/m);
    assert.equal((await run('eucalyptus-nc', ['stop', '--data-dir', dir], env)).code, 0);
  });
});

describe('the embedded cloud', () => {
  test('starts its own node controller, sharing a key with it, and stops it when it stops', async () => {
    const cloud = await startCloud();
    const np = nodePaths(path.join(cloud.dataDir, 'node'));
    let pid: number | undefined;
    try {
      pid = await waitFor('the local node', () => runningPid(np));
      const status = await run('eucalyptus-cloud', ['status', '--data-dir', cloud.dataDir], cloud.env);
      const addr = nodeAddress(np)!;
      assert.match(
        status.stdout,
        new RegExp(
          `\\neucalyptus-nc is running \\(pid ${pid}\\) at ${addr.host}:${addr.port}; data in ${np.dataDir}\\n` +
            `eucalyptus-nc hypervisor: simulated \\(instances are not booted\\)\\n$`,
        ),
      );
      const keyFile = path.join(cloudPaths(cloud.dataDir).keysDir, 'node-cluster.key');
      assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
      const key = fs.readFileSync(keyFile, 'utf8').trim();
      assert.equal(fs.readFileSync(np.keyFile, 'utf8').trim(), key);
      const nc = new NodeControllerClient(`http://${addr.host}:${addr.port}`, key);
      assert.equal((await nc.describeResource()).instancePath, path.join(np.dataDir, 'instances'));
      await nc.close();
      assert.match(
        fs.readFileSync(np.conf, 'utf8'),
        new RegExp(`^CLOUD_URL="http://127\\.0\\.0\\.1:${cloud.port}"$`, 'm'),
      );
    } finally {
      await cloud.stop();
    }
    assert.equal(runningPid(np), undefined);
    assert.throws(() => process.kill(pid!, 0), /ESRCH/);
  });
});
