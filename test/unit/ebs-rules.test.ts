/**
 * The EBS rules that depend on a moment hard to catch from outside, called on the volume and
 * snapshot services themselves with a principal (no HTTP, no request): a volume still creating can
 * be neither snapshotted nor deleted, a snapshot still pending cannot be deleted; each refusal is
 * IncorrectState and changes nothing. Another account's volume is not found.
 */
import { UNRECORDED_JOBS } from '../../src/backend/jobs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VolumeService, type VolumeServiceDeps } from '../../src/backend/ec2/volumes/service';
import { SnapshotService, type SnapshotServiceDeps } from '../../src/backend/ec2/volumes/snapshots';
import type { Snapshot, Volume } from '../../src/backend/storage/store';
import type { Principal } from '../../src/backend/store/types';

const ACCOUNT = '123456789012';
const principal = (accountId: string, account = 'acme'): Principal =>
  ({ account: { id: accountId, name: account }, user: { name: 'admin' }, accessKeyId: 'AKI' }) as Principal;
const alice = principal(ACCOUNT);

/** The services over one volume and maybe one snapshot; every write is recorded. */
function service(
  volume: Volume,
  snapshot?: Snapshot,
): { volumes: VolumeService; snapshots: SnapshotService; writes: string[] } {
  const writes: string[] = [];
  const record = (what: string) => () => void writes.push(what);
  const deps = {
    volumes: {
      volume: (id: string) => (id === volume.id ? volume : undefined),
      snapshot: (id: string) => (id === snapshot?.id ? snapshot : undefined),
      permissions: () => [],
      insertSnapshot: record('insertSnapshot'),
      setVolumeStatus: record('setVolumeStatus'),
      deleteSnapshot: record('deleteSnapshot'),
    },
    storage: { remove: record('remove'), deleteSnapshot: record('storage.deleteSnapshot') },
    zones: () => ['z'],
    jobs: UNRECORDED_JOBS,
    log: () => undefined,
  };
  const snapshots: SnapshotService = new SnapshotService({
    ...deps,
    ownVolume: (p: Principal, id: string) => volumes.own(p, id),
  } as unknown as SnapshotServiceDeps);
  const volumes: VolumeService = new VolumeService({ ...deps, snapshots } as unknown as VolumeServiceDeps);
  return { volumes, snapshots, writes };
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
  const { volumes, snapshots, writes } = service(creating);
  await assert.rejects(() => snapshots.createSnapshot(alice, { volumeId: creating.id, description: '' }), {
    code: 'IncorrectState',
    message: /creating/,
  });
  await assert.rejects(volumes.delete(alice, creating.id), { code: 'IncorrectState' });
  assert.deepEqual(writes, []);
});

test('a snapshot still pending is not deleted', async () => {
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
  const { snapshots, writes } = service(creating, pending);
  await assert.rejects(() => snapshots.deleteSnapshot(alice, pending.id), { code: 'IncorrectState' });
  assert.deepEqual(writes, []);
});

test("another account's volume is not found, whatever its state", async () => {
  const available = { ...creating, status: 'available' as const };
  const { volumes, snapshots, writes } = service(available);
  const bob = principal('210987654321', 'bobco');
  await assert.rejects(volumes.delete(bob, available.id), { code: 'InvalidVolume.NotFound' });
  await assert.rejects(() => snapshots.createSnapshot(bob, { volumeId: available.id, description: '' }), {
    code: 'InvalidVolume.NotFound',
  });
  await assert.rejects(() => volumes.own(bob, 'vol-nothex'), { code: 'InvalidVolumeID.Malformed' });
  assert.deepEqual(writes, []);
});

test('sizes and zones are checked before anything is written', async () => {
  const { volumes, writes } = service(creating);
  await assert.rejects(() => volumes.create(alice, { zone: 'nowhere', sizeGiB: 1 }), { code: 'InvalidParameterValue' });
  await assert.rejects(() => volumes.create(alice, { zone: 'z', sizeGiB: 0 }), { code: 'InvalidParameterValue' });
  await assert.rejects(() => volumes.create(alice, { zone: 'z', sizeGiB: 1025 }), { code: 'InvalidParameterValue' });
  await assert.rejects(() => volumes.create(alice, { zone: 'z' }), { code: 'MissingParameter' });
  assert.deepEqual(writes, []);
});
