/**
 * The EBS rules that depend on a moment hard to catch from outside: a volume still creating can
 * be neither snapshotted nor deleted, a snapshot still pending cannot be deleted; each refusal is
 * IncorrectState and changes nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestContext } from '../../src/backend/context';
import { createSnapshot, deleteSnapshot, deleteVolume } from '../../src/backend/ec2/volumes/handlers';
import type { Snapshot, Volume } from '../../src/backend/storage/store';

const ACCOUNT = '123456789012';

function context(
  params: Record<string, string>,
  volume: Volume,
  snapshot?: Snapshot,
): { ctx: RequestContext; writes: string[] } {
  const writes: string[] = [];
  const record = (what: string) => () => void writes.push(what);
  const ctx = {
    principal: { account: { id: ACCOUNT, name: 'acme' }, user: { name: 'admin' } },
    params,
    cloud: {
      volumes: {
        volume: (id: string) => (id === volume.id ? volume : undefined),
        snapshot: (id: string) => (id === snapshot?.id ? snapshot : undefined),
        permissions: () => [],
        insertSnapshot: record('insertSnapshot'),
        setVolumeStatus: record('setVolumeStatus'),
        deleteSnapshot: record('deleteSnapshot'),
      },
      storage: { remove: record('remove'), deleteSnapshot: record('storage.deleteSnapshot') },
    },
  } as unknown as RequestContext;
  return { ctx, writes };
}

const creating: Volume = {
  id: 'vol-0000ABCD',
  accountId: ACCOUNT,
  zone: 'z',
  sizeGiB: 1,
  status: 'creating',
  created: '2026-01-01T00:00:00Z',
};

test('a volume still creating is neither snapshotted nor deleted', async () => {
  const snap = context({ VolumeId: creating.id }, creating);
  assert.throws(() => createSnapshot(snap.ctx), { code: 'IncorrectState', message: /creating/ });
  await assert.rejects(deleteVolume(context({ VolumeId: creating.id }, creating).ctx), { code: 'IncorrectState' });
  assert.deepEqual(snap.writes, []);
});

test('a snapshot still pending is not deleted', () => {
  const pending: Snapshot = {
    id: 'snap-0000ABCD',
    accountId: ACCOUNT,
    volumeId: creating.id,
    volumeSizeGiB: 1,
    status: 'pending',
    progress: 40,
    description: '',
    started: '2026-01-01T00:00:00Z',
  };
  const { ctx, writes } = context({ SnapshotId: pending.id }, creating, pending);
  assert.throws(() => deleteSnapshot(ctx), { code: 'IncorrectState' });
  assert.deepEqual(writes, []);
});
