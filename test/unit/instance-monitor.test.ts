/**
 * The instance monitor's judgement of what a node reports: pending turns running; an instance the
 * node ran or was booting, and no longer lists (it restarted) or lists as ended, is lost, with the
 * node's reason when it gave one; a pending instance the node has not been handed yet (its EBS
 * volumes still being made) is left alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InstanceMonitor } from '../../src/backend/ec2/instances/monitor';
import type { ComputeServices, NodeState } from '../../src/backend/ec2/instances/services';
import type { Instance, InstanceStore } from '../../src/backend/ec2/instances/store';

function harness(instances: Partial<Instance>[]) {
  const records = new Map(instances.map((i) => [i.id!, { node: 'n:1', ...i } as Instance]));
  let listed: NodeState[] = [];
  const lost: [string, string | undefined][] = [];
  const terminated: string[] = [];
  const store = {
    list: () => [...records.values()].filter((i) => i.state === 'pending' || i.state === 'running'),
    get: (id: string) => records.get(id),
    update: (id: string, f: Partial<Instance>) => records.set(id, { ...records.get(id)!, ...f }),
    purgeEndedBefore: () => 0,
  } as unknown as InstanceStore;
  const services = {
    nodes: {
      describeInstances: async (node: string) => (node === 'n:1' ? listed : []),
      terminateInstance: async (_node: string, id: string) => void terminated.push(id),
    },
  } as unknown as ComputeServices;
  const monitor = new InstanceMonitor(
    store,
    services,
    () => undefined,
    async () => 3600_000,
    async (i, why) => {
      lost.push([i.id, why]);
      records.set(i.id, { ...i, state: 'terminated' });
    },
    async () => ['n:1'],
  );
  return { monitor, records, lost, terminated, list: (s: NodeState[]) => (listed = s) };
}

test('pending becomes running; a booting instance that vanishes is lost', async () => {
  const h = harness([
    { id: 'i-1', state: 'pending' },
    { id: 'i-2', state: 'pending' },
  ]);
  h.list([{ instanceId: 'i-1', state: 'pending' }]);
  await h.monitor.poll();
  assert.deepEqual(h.lost, []);
  h.list([]);
  await h.monitor.poll();
  assert.deepEqual(h.lost, [['i-1', undefined]]);
  assert.equal(h.records.get('i-2')!.state, 'pending', 'never handed to the node yet: left alone');
});

test('a running instance the node no longer has, or ended with a reason, is lost', async () => {
  const h = harness([
    { id: 'i-1', state: 'running' },
    { id: 'i-2', state: 'pending' },
  ]);
  h.list([{ instanceId: 'i-2', state: 'pending' }]);
  await h.monitor.poll();
  assert.deepEqual(h.lost, [['i-1', undefined]]);
  h.list([{ instanceId: 'i-2', state: 'terminated', reason: 'the image could not be downloaded' }]);
  await h.monitor.poll();
  assert.deepEqual(h.lost[1], ['i-2', 'the image could not be downloaded']);
  h.list([]);
  const fresh = harness([{ id: 'i-3', state: 'pending' }]);
  fresh.list([{ instanceId: 'i-3', state: 'running' }]);
  await fresh.monitor.poll();
  assert.equal(fresh.records.get('i-3')!.state, 'running');
});

test('what a node runs that the cloud has ended or never had is terminated there; nothing else', async () => {
  const h = harness([
    { id: 'i-1', state: 'terminated' },
    { id: 'i-2', state: 'running' },
    { id: 'i-3', state: 'running', node: 'n:2' },
  ]);
  h.list([
    { instanceId: 'i-1', state: 'running' },
    { instanceId: 'i-2', state: 'running' },
    { instanceId: 'i-3', state: 'running' },
    { instanceId: 'i-4', state: 'pending' },
    { instanceId: 'i-5', state: 'shutting-down' },
  ]);
  await h.monitor.poll();
  // i-1 ended, i-3 is placed on another node (which has lost it), i-4 is unknown; i-5 is on its
  // way out already.
  assert.deepEqual(h.terminated.sort(), ['i-1', 'i-3', 'i-4']);
  assert.deepEqual(h.lost, [['i-3', undefined]]);
  assert.equal(h.records.get('i-2')!.state, 'running');
});
