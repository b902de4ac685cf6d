/**
 * The cluster controller's scheduler with fake node controllers: capacity free / max per VM type
 * from the nodes' DescribeResource, ROUNDROBIN against GREEDY placement, InsufficientInstanceCapacity
 * when fewer than MIN fit, capacity returning on release, unreachable nodes, and the VM types.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { ClusterController, type SchedulingPolicy } from '../../src/backend/cluster/controller';
import { type NodeAddress, type NodeCapacity, type NodeClient, SqlNodeStore } from '../../src/backend/cluster/nodes';
import { SqlVmTypeStore } from '../../src/backend/cluster/vm-types';
import { vmTypeState } from '../../src/backend/cluster/zone-view';
import { SqlStore } from '../../src/backend/store/sql-store';
import { testStoreLocation } from '../helpers/database';
import { tempDir } from '../helpers/cli';

class FakeNodes implements NodeClient {
  down = new Set<string>();
  constructor(readonly capacity: Record<string, NodeCapacity>) {}
  async describeResource(node: NodeAddress): Promise<NodeCapacity> {
    if (this.down.has(node.host)) throw new Error('connection refused');
    return this.capacity[node.host];
  }
}

async function cluster(policy: SchedulingPolicy, capacity: Record<string, NodeCapacity>) {
  const s = await SqlStore.open(await testStoreLocation(path.join(tempDir('euca-cc-'), 'cloud.db')));
  const client = new FakeNodes(capacity);
  const cc = new ClusterController({
    db: s.db,
    vmTypes: new SqlVmTypeStore(s.db),
    nodes: new SqlNodeStore(s.db),
    client,
    policy,
    timeoutMs: 200,
  });
  for (const host of Object.keys(capacity)) await cc.registerNode('cluster01', { host, port: 8775 });
  await cc.refresh();
  return { s, cc, client };
}

const free = async (cc: ClusterController, type: string) =>
  (await cc.availability('cluster01')).vmTypes.find((t) => t.name === type)!;

test("seed 001's capacity: free / max per type from the nodes' resources", async () => {
  // Two nodes of 4 cores, 4 GiB, 80 GiB: 8 m1.small by cores, 4 m1.large, 2 c1.xlarge.
  const { s, cc } = await cluster('ROUNDROBIN', {
    a: { cores: 4, memoryMiB: 4096, diskGiB: 80 },
    b: { cores: 4, memoryMiB: 4096, diskGiB: 80 },
  });
  const a = await cc.availability('cluster01');
  assert.deepEqual(
    a.vmTypes.map((t) => [t.name, t.free, t.max]),
    [
      ['m1.small', 8, 8],
      ['c1.medium', 8, 8],
      ['m1.large', 4, 4],
      ['m1.xlarge', 4, 4],
      ['c1.xlarge', 2, 2],
    ],
  );
  assert.equal(vmTypeState(a.vmTypes[0]), '0008 / 0008  1   128  10');
  assert.equal(vmTypeState({ free: 64, max: 64, cpus: 2, memoryMiB: 1024, diskGiB: 20 }), '0064 / 0064  2  1024  20');
  await cc.placeInstances('cluster01', 'm1.large', 1, 1);
  assert.deepEqual(
    [(await free(cc, 'm1.small')).free, (await free(cc, 'm1.small')).max, (await free(cc, 'c1.xlarge')).free],
    [6, 8, 1],
  );
  await s.close();
});

test('ROUNDROBIN rotates through the nodes, GREEDY fills the first', async () => {
  const caps = {
    a: { cores: 4, memoryMiB: 4096, diskGiB: 100 },
    b: { cores: 4, memoryMiB: 4096, diskGiB: 100 },
    c: { cores: 4, memoryMiB: 4096, diskGiB: 100 },
  };
  const rr = await cluster('ROUNDROBIN', caps);
  assert.deepEqual(
    (await rr.cc.placeInstances('cluster01', 'm1.small', 1, 4)).map((p) => p.node.host),
    ['a', 'b', 'c', 'a'],
  );
  // The rotation carries on from where the last request stopped.
  assert.deepEqual(
    (await rr.cc.placeInstances('cluster01', 'm1.small', 2, 2)).map((p) => p.node.host),
    ['b', 'c'],
  );
  await rr.s.close();
  const greedy = await cluster('GREEDY', caps);
  assert.deepEqual(
    (await greedy.cc.placeInstances('cluster01', 'm1.small', 1, 6)).map((p) => p.node.host),
    ['a', 'a', 'a', 'a', 'b', 'b'],
  );
  await greedy.s.close();
});

test(
  'fewer than MIN fit: InsufficientInstanceCapacity and nothing reserved; as many as fit up to MAX ' +
    'otherwise; release returns room',
  async () => {
    const { s, cc } = await cluster('GREEDY', { a: { cores: 2, memoryMiB: 1024, diskGiB: 40 } });
    await assert.rejects(
      () => cc.placeInstances('cluster01', 'm1.large', 3, 3),
      (e: any) => e.code === 'InsufficientInstanceCapacity',
    );
    assert.equal((await free(cc, 'm1.large')).free, 1, 'two cores: one m1.large');
    const placed = await cc.placeInstances('cluster01', 'm1.small', 1, 5);
    assert.equal(placed.length, 2, 'two cores: two m1.small');
    assert.equal((await free(cc, 'm1.small')).free, 0);
    await assert.rejects(() => cc.placeInstances('cluster01', 'm1.small', 1, 1), /Not enough resources available/);
    await cc.releaseInstance(placed[0]);
    await cc.releaseInstance(placed[0]);
    assert.equal((await free(cc, 'm1.small')).free, 1);
    await assert.rejects(
      () => cc.placeInstances('cluster01', 'm9.huge', 1, 1),
      /Invalid value 'm9.huge' for InstanceType/,
    );
    await s.close();
  },
);

test('a node that stops answering three polls in a row is marked unreachable and offers no room', async () => {
  const { s, cc, client } = await cluster('ROUNDROBIN', {
    a: { cores: 2, memoryMiB: 1024, diskGiB: 40 },
    b: { cores: 2, memoryMiB: 1024, diskGiB: 40 },
  });
  client.down.add('b');
  await cc.refresh();
  await cc.refresh();
  // One or two late answers are a busy node, not a lost one.
  assert.equal((await free(cc, 'm1.small')).max, 4);
  await cc.refresh();
  const a = await cc.availability('cluster01');
  assert.deepEqual(
    a.nodes.map((n) => [n.host, n.status]),
    [
      ['a', 'enabled'],
      ['b', 'unreachable'],
    ],
  );
  assert.equal((await free(cc, 'm1.small')).max, 2);
  assert.deepEqual(
    (await cc.placeInstances('cluster01', 'm1.small', 2, 2)).map((p) => p.node.host),
    ['a', 'a'],
  );
  await s.close();
});

test('VM types: the five of seed 001, changeable by the administrator', async () => {
  const s = await SqlStore.open(await testStoreLocation(path.join(tempDir('euca-cc-'), 'cloud.db')));
  const types = new SqlVmTypeStore(s.db);
  assert.deepEqual(
    (await types.list()).map((t) => [t.name, t.cpus, t.memoryMiB, t.diskGiB]),
    [
      ['m1.small', 1, 128, 10],
      ['c1.medium', 1, 256, 10],
      ['m1.large', 2, 512, 10],
      ['m1.xlarge', 2, 1024, 20],
      ['c1.xlarge', 4, 2048, 20],
    ],
  );
  assert.ok(await types.modify('m1.small', { memoryMiB: 256 }));
  assert.deepEqual(await types.get('m1.small'), { name: 'm1.small', cpus: 1, memoryMiB: 256, diskGiB: 10 });
  assert.equal(await types.modify('m9.huge', { cpus: 1 }), false);
  await assert.rejects(() => types.modify('m1.small', { cpus: 0 }), /positive integer/);
  await s.close();
});
