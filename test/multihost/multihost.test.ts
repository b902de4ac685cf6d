/**
 * The cloud over several hosts (scripts/multihost.sh): three node controllers in three network
 * namespaces on a bridge, two front ends (one in a namespace of its own) on one PostgreSQL, Walrus
 * on Ceph's gateway. The seeds' quick start; instances spread over the nodes; a volume made through
 * one front end attached through the other to an instance on a node of its own, over NBD, written
 * from that node's namespace and snapshotted; --synckeys; a node killed and started again; a
 * front end killed mid-workload, nothing acknowledged lost and its jobs finished by the survivor.
 * Run by scripts/test-multihost.sh (as root, with Ceph), not with the rest of the suite.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readEucarc } from '../../src/shared/eucarc';
import { nodePaths } from '../../src/shared/node-paths';
import { cloudPaths } from '../../src/shared/paths';
import { cleanEnv, ROOT, run, runOk, tempDir } from '../helpers/cli';
import { waitForState } from '../helpers/guest';
import { waitFor } from '../helpers/node';

const MiB = 1024 * 1024;
const script = path.join(ROOT, 'scripts', 'multihost.sh');
const net = process.env.MULTIHOST_NET ?? '10.214.0';
const scriptEnv = { ...process.env, MULTIHOST_NET: net, MULTIHOST_PREFIX: process.env.MULTIHOST_PREFIX ?? 'emh' };
const field = (line: string, n: number) => line.split('\t')[n];
const lines = (text: string, type: string) => text.split('\n').filter((l) => l.startsWith(`${type}\t`));

let dir: string;
let up: Record<string, string>;
let fe: { dir: string; env: Record<string, string> }[];
let nodeDirs: string[];
let nodeNetns: string[];

/** The instances a node controller holds, by the folders in its data dir. */
function instancesOn(nodeDir: string): string[] {
  const found: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (/^i-[0-9A-F]{8}$/.test(e.name)) found.push(e.name);
      else if (depth < 6) walk(path.join(d, e.name), depth + 1);
    }
  };
  walk(nodeDir, 0);
  return found.sort();
}

const pidOf = (pidFile: string) => Number(fs.readFileSync(pidFile, 'utf8'));

async function sha1(file: string, length?: number): Promise<string> {
  const h = createHash('sha1');
  for await (const piece of fs.createReadStream(file, length ? { end: length - 1 } : {})) h.update(piece as Buffer);
  return h.digest('hex');
}

async function waitColumn(env: Record<string, string>, cmd: string, id: string, n: number, value: string) {
  return waitFor(
    `${id} ${value}`,
    async () => (field((await runOk(cmd, [id], env)).split('\n')[0], n) === value ? true : undefined),
    120_000,
  );
}

describe('a cloud over three node namespaces and two front ends', () => {
  before(async () => {
    dir = tempDir('euca-multihost-');
    execFileSync('bash', [script, 'up', dir], { env: scriptEnv, stdio: ['ignore', 'ignore', 'inherit'] });
    up = Object.fromEntries(
      fs
        .readFileSync(path.join(dir, 'multihost.env'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => /^(\w+)="(.*)"$/.exec(l)!.slice(1, 3)),
    );
    fe = up.FRONT_END_DIRS.split(' ').map((d) => ({
      dir: d,
      env: cleanEnv(readEucarc(cloudPaths(d).eucarc)!),
    }));
    nodeDirs = up.NODE_DIRS.split(' ');
    nodeNetns = up.NODE_NETNS.split(' ');
  });
  after(() => {
    if (dir) execFileSync('bash', [script, 'down', dir], { env: scriptEnv, stdio: 'inherit' });
  });

  test('only the bridge and the namespaces are addressed: each front end and node on its own address', () => {
    assert.equal(up.FRONT_ENDS, `http://${net}.1:8773 http://${net}.2:8773`);
    assert.equal(up.NODES, `${net}.11:8775 ${net}.12:8775 ${net}.13:8775`);
    assert.equal(fe[1].env.EC2_URL, `http://${net}.2:8773/services/Eucalyptus`);
    assert.match(up.DB, new RegExp(`^postgresql://euca@${net.replace(/\./g, '\\.')}\\.1:`));
    const addresses = execFileSync('ip', ['-n', nodeNetns[1], '-4', '-o', 'addr', 'show'], { encoding: 'utf8' });
    assert.match(addresses, new RegExp(`eth0\\s+inet ${net}\\.12/24`));
    assert.doesNotMatch(addresses, /127\.0\.0\.1.*eth0/);
  });

  test("the seeds' quick start, through the first front end", async () => {
    const r = await run('bash', [path.join(ROOT, 'scripts', 'demo.sh')], cleanEnv({ EUCA_LOCAL_DIR: fe[0].dir }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^INSTANCE\ti-[0-9A-F]{8}\t.*\trunning\t/m);
    assert.match(r.stdout, /^SNAPSHOT\tsnap-[0-9A-F]{8}\tvol-[0-9A-F]{8}\tcompleted\t/m);
  });

  test('instances spread over the nodes; a volume attached through the other front end on another node, written and snapshotted', async () => {
    const [one, two] = fe.map((f) => f.env);
    const emi = field(lines(await runOk('euca-describe-images', [], one), 'IMAGE')[0], 1);
    const ids = lines(await runOk('euca-run-instances', ['-n', '3', emi], two), 'INSTANCE').map((l) => field(l, 1));
    for (const id of ids) await waitForState(one, id, 'running');
    const where = nodeDirs.map((d) => instancesOn(d).filter((i) => ids.includes(i)));
    assert.deepEqual(
      where.map((w) => w.length),
      [1, 1, 1],
      `one on each node: ${JSON.stringify(where)}`,
    );
    const zones = await runOk('euca-describe-availability-zones', ['verbose'], one);
    for (const node of up.NODES.split(' ')) assert.match(zones, new RegExp(`\\|- ${node.split(':')[0]}\\tcerts`));

    // The instance on the third node; the volume made through the first front end, attached through the second.
    const target = where[2][0];
    const zone = field(lines(await runOk('euca-describe-instances', [target], one), 'INSTANCE')[0], 11);
    const vol = field(await runOk('euca-create-volume', ['-s', '1', '-z', zone], one), 1);
    await waitColumn(two, 'euca-describe-volumes', vol, 5, 'available');
    await runOk('euca-attach-volume', [vol, '-i', target, '-d', '/dev/sdf'], two);
    // The node holds the volume's network export and its key, not a path to its file.
    const held = await waitFor('the volume on the node', () => {
      const found = fs.readdirSync(nodeDirs[2], { recursive: true }) as string[];
      const exported = found.find((f) => f.endsWith(path.join(target, 'sdf.nbd', 'export.json')));
      return exported ? path.join(nodeDirs[2], exported) : undefined;
    });
    const nbd = JSON.parse(fs.readFileSync(held, 'utf8')) as {
      host: string;
      port: number;
      name: string;
      identity: string;
    };
    assert.equal(nbd.host, `${net}.2`, 'exported by the front end that attached it, from its own address');
    // Written from the node's namespace through the export, as its guest would.
    const data = randomBytes(8 * MiB);
    const pattern = path.join(dir, 'pattern');
    fs.writeFileSync(pattern, data);
    execFileSync('ip', [
      'netns',
      'exec',
      nodeNetns[2],
      'qemu-io',
      '--object',
      `tls-creds-psk,id=tls0,endpoint=client,dir=${path.dirname(held)},username=${nbd.identity}`,
      '--image-opts',
      `driver=nbd,server.type=inet,server.host=${nbd.host},server.port=${nbd.port},export=${nbd.name},tls-creds=tls0`,
      '-c',
      `write -s ${pattern} 0 ${data.length}`,
    ]);
    const snap = field(await runOk('euca-create-snapshot', [vol], two), 1);
    await waitColumn(one, 'euca-describe-snapshots', snap, 3, 'completed');
    const copy = field(await runOk('euca-create-volume', ['--snapshot', snap, '-z', zone], one), 1);
    await waitColumn(two, 'euca-describe-volumes', copy, 5, 'available');
    assert.equal(
      await sha1(path.join(up.VOLUMES_DIR, zone, copy), data.length),
      createHash('sha1').update(data).digest('hex'),
    );
    await runOk('euca-detach-volume', [vol], one);
    await runOk('euca-terminate-instances', ids, one);
  });

  test('--synckeys finds the key on every node; a node killed is unreachable, new instances go elsewhere, and it comes back', async () => {
    const [one, two] = fe.map((f) => f.env);
    const confEnv = cleanEnv({ EUCA_LOCAL_DIR: fe[0].dir });
    const synced = await runOk('euca_conf', ['--synckeys'], confEnv);
    for (const node of up.NODES.split(' ')) assert.match(synced, new RegExp(`${node}: has the cluster key`));

    const emi = field(lines(await runOk('euca-describe-images', [], one), 'IMAGE')[0], 1);
    const before = field(lines(await runOk('euca-run-instances', [emi], one), 'INSTANCE')[0], 1);
    await waitForState(one, before, 'running');
    process.kill(pidOf(nodePaths(nodeDirs[1]).pidFile), 'SIGKILL');
    await waitFor(
      'the second node unreachable',
      async () => {
        const zones = await runOk('euca-describe-availability-zones', ['verbose'], two);
        return new RegExp(`\\|- ${net.replace(/\./g, '\\.')}\\.12\\t.*(not answering|unreachable)`).test(zones)
          ? true
          : undefined;
      },
      60_000,
    );
    const placed = lines(await runOk('euca-run-instances', ['-n', '2', emi], two), 'INSTANCE').map((l) => field(l, 1));
    for (const id of placed) await waitForState(two, id, 'running');
    assert.deepEqual(
      instancesOn(nodeDirs[1]).filter((i) => placed.includes(i)),
      [],
      'nothing placed on the node that is gone',
    );
    // Started again in its namespace (its key and address kept in its data dir): back in the zone.
    execFileSync('ip', [
      'netns',
      'exec',
      nodeNetns[1],
      path.join(ROOT, 'dist', 'bin', 'eucalyptus-nc'),
      'start',
      '--data-dir',
      nodeDirs[1],
    ]);
    await waitFor(
      'the second node answering again',
      async () => {
        const zones = await runOk('euca-describe-availability-zones', ['verbose'], one);
        return new RegExp(
          `\\|- ${net.replace(/\./g, '\\.')}\\.12\\tcerts\\[cc=true,nc=true\\] @ [^\\t]*\\t$`,
          'm',
        ).test(zones)
          ? true
          : undefined;
      },
      60_000,
    );
    await runOk('euca-terminate-instances', [before, ...placed], one);
  });

  test('the first front end killed mid-workload: nothing it acknowledged is lost, and the second finishes its jobs', async () => {
    const [one, two] = fe.map((f) => f.env);
    // A snapshot long enough to be cut short: a volume with data spread over it.
    const zone = field((await runOk('euca-describe-availability-zones', [], one)).split('\n')[0], 1);
    const vol = field(await runOk('euca-create-volume', ['-s', '1', '-z', zone], one), 1);
    await waitColumn(one, 'euca-describe-volumes', vol, 5, 'available');
    const file = path.join(up.VOLUMES_DIR, zone, vol);
    const fd = fs.openSync(file, 'r+');
    for (let i = 0; i < 64; i++) fs.writeSync(fd, randomBytes(4 * MiB), 0, 4 * MiB, i * 16 * MiB);
    fs.closeSync(fd);

    // Key pairs created one after another through the first front end, which dies among them.
    const acknowledged: string[] = [];
    let stop = false;
    const workload = (async () => {
      for (let i = 0; !stop; i++) {
        const r = await run('euca-create-keypair', [`mid-workload-${i}`], one);
        if (r.code === 0) acknowledged.push(`mid-workload-${i}`);
        else break;
      }
    })();
    await waitFor('some key pairs made', () => (acknowledged.length >= 3 ? true : undefined), 30_000);
    const snap = field(await runOk('euca-create-snapshot', [vol], one), 1);
    process.kill(pidOf(cloudPaths(fe[0].dir).pidFile), 'SIGKILL');
    await workload;
    stop = true;
    assert.equal(
      field((await runOk('euca-describe-snapshots', [snap], two)).split('\n')[0], 3),
      'pending',
      'the snapshot was in flight when its front end died',
    );

    // Every key pair the first acknowledged is there, through the second.
    const pairs = lines(await runOk('euca-describe-keypairs', [], two), 'KEYPAIR').map((l) => field(l, 1));
    for (const name of acknowledged) assert.ok(pairs.includes(name), `${name} was acknowledged and is kept`);
    // The second takes the background work and the snapshot over, and finishes it.
    await waitColumn(two, 'euca-describe-snapshots', snap, 3, 'completed');
    const log = fs.readFileSync(cloudPaths(fe[1].dir).log, 'utf8');
    assert.match(log, /leadership: \S+ runs the background work/);
    assert.match(log, new RegExp(`jobs: taking over \\d+ job\\(s\\) .*${snap}`));
    const copy = field(await runOk('euca-create-volume', ['--snapshot', snap, '-z', zone], two), 1);
    await waitColumn(two, 'euca-describe-volumes', copy, 5, 'available');
    assert.equal(await sha1(path.join(up.VOLUMES_DIR, zone, copy)), await sha1(file), 'the snapshot holds the volume');
    // The nodes, asking the front ends in turn, still reach the cloud: an instance runs.
    const emi = field(lines(await runOk('euca-describe-images', [], two), 'IMAGE')[0], 1);
    const id = field(lines(await runOk('euca-run-instances', [emi], two), 'INSTANCE')[0], 1);
    await waitForState(two, id, 'running');
  });
});
