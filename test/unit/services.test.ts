/**
 * The services called as the handlers and the cloud's own work call them: typed arguments and a
 * principal, over real SQLite stores in a temporary data dir, no HTTP. Each refusal is the AWS
 * error and changes nothing; each rule holds on the resolved resource whoever names it.
 */
import { UNRECORDED_JOBS } from '../../src/backend/jobs';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { SecurityGroupService } from '../../src/backend/ec2/groups/service';
import { SqlSecurityGroupStore } from '../../src/backend/ec2/groups/store';
import { ImageService, type ImageServiceDeps } from '../../src/backend/ec2/images/service';
import { type Image, SqlImageStore } from '../../src/backend/ec2/images/store';
import { KeyPairService } from '../../src/backend/ec2/keypairs/service';
import { SqlKeyPairStore } from '../../src/backend/ec2/keypairs/store';
import { ResourceOwners } from '../../src/backend/ec2/resources';
import { TagService } from '../../src/backend/ec2/tags/service';
import { SqlTagStore } from '../../src/backend/ec2/tags/store';
import { createAccountWithAdmin } from '../../src/backend/iam/accounts';
import { IdentityService } from '../../src/backend/iam/service';
import { IdentityStore } from '../../src/backend/iam/store';
import type { RunInput } from '../../src/backend/ec2/instances/launch';
import { InstanceService } from '../../src/backend/ec2/instances/service';
import type { ComputeServices } from '../../src/backend/ec2/instances/services';
import { SqlInstanceStore } from '../../src/backend/ec2/instances/store';
import type { VolumeService } from '../../src/backend/ec2/volumes/service';
import { ServiceError } from '../../src/backend/errors';
import { SqlStore } from '../../src/backend/store/sql-store';
import { testStoreLocation } from '../helpers/database';
import type { Principal } from '../../src/backend/store/types';
import { tempDir } from '../helpers/cli';

/** A fresh store with the cloud administrator and two tenants (alice's and bob's accounts). */
async function world() {
  const store = await SqlStore.open(await testStoreLocation(path.join(tempDir('euca-services-'), 'cloud.db')));
  const principal = async (accountName: string): Promise<Principal> => {
    const account =
      (await store.findAccountByName(accountName)) ??
      (await createAccountWithAdmin(store, accountName, async () => undefined));
    return { account, user: (await store.findUser(account.id, 'admin'))!, accessKeyId: 'AKI' };
  };
  return {
    store,
    cloudAdmin: await principal('eucalyptus'),
    alice: await principal('alice'),
    bob: await principal('bob'),
  };
}

/** An available instance-store machine image of an account (public unless said otherwise). */
const machineImage = (accountId: string, id: string, more: Partial<Image> = {}): Image => ({
  id,
  accountId,
  type: 'machine',
  name: 'img',
  architecture: 'x86_64',
  rootDeviceType: 'instance-store',
  rootDeviceName: '/dev/sda1',
  virtualizationType: 'paravirtual',
  state: 'available',
  isPublic: true,
  blockDeviceMappings: [],
  created: '2026-11-30T00:00:00Z',
  ...more,
});

const rejects = (fn: () => Promise<unknown>, code: string) =>
  assert.rejects(fn, (e: Error & { code?: string }) => e.code === code, `expected ${code}`);

test('key pairs: one account cannot see or delete another account’s; duplicates and bad keys are refused', async () => {
  const { store, alice, bob } = await world();
  const keys = new KeyPairService(new SqlKeyPairStore(store.db));
  const { key, privateKeyPem } = await keys.create(alice, 'mykey');
  assert.match(privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----/);
  await assert.rejects(keys.create(alice, 'mykey'), { code: 'InvalidKeyPair.Duplicate' });
  await rejects(() => keys.import(alice, 'other', 'not a key'), 'InvalidKey.Format');
  await rejects(() => keys.describe(bob, { names: ['mykey'], filters: [] }), 'InvalidKeyPair.NotFound');
  await keys.delete(bob, 'mykey');
  assert.deepEqual(
    (await keys.describe(alice, { names: [], filters: [] })).map((k) => k.fingerprint),
    [key.fingerprint],
  );
});

test('tags: only the owner of a resource tags it; over 50 tags nothing is written', async () => {
  const { store, alice, bob } = await world();
  const images = new SqlImageStore(store.db);
  const image = machineImage(alice.account.id, 'emi-12345678');
  await images.insert(image);
  const owners = new ResourceOwners([
    {
      prefixes: ['emi'],
      owner: async (id) => (await images.get(id))?.accountId,
      notFoundCode: 'InvalidAMIID.NotFound',
    },
  ]);
  const tags = new TagService({
    tags: new SqlTagStore(store.db),
    owners,
    transaction: (fn) => store.transaction(fn),
  });
  await rejects(() => tags.create(bob, [image.id], [{ key: 'k', value: 'v' }]), 'InvalidAMIID.NotFound');
  await rejects(() => tags.create(alice, ['vol-12345678'], [{ key: 'k' }]), 'InvalidID');
  await tags.create(alice, [image.id], [{ key: 'Name', value: 'web' }]);
  const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
  await rejects(() => tags.create(alice, [image.id], many), 'TagLimitExceeded');
  assert.deepEqual(
    (await tags.describe(alice, [])).tags.map((t) => [t.key, t.value]),
    [['Name', 'web']],
  );
  assert.deepEqual((await tags.describe(bob, [])).tags, []);
});

test('security groups: rules only in MANAGED modes; a duplicate rule, default or a group in use changes nothing', async () => {
  const { store, alice, bob } = await world();
  let mode = 'SYSTEM';
  let rendered = 0;
  const groups = new SecurityGroupService({
    groups: new SqlSecurityGroupStore(store.db),
    tags: new SqlTagStore(store.db),
    accountId: async (x) => ((await store.findAccount(x)) ?? (await store.findAccountByName(x)))?.id,
    inUse: async (g) => (g.name === 'busy' ? '1 instance(s) still run in it' : undefined),
    mode: () => mode,
    rulesChanged: async () => void rendered++,
    transaction: (fn) => store.transaction(fn),
  });
  const web = await groups.create(alice, 'web', 'web servers');
  const ssh = [{ protocol: 'tcp' as const, fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0'], groups: [] }];
  await rejects(() => groups.authorizeIngress(alice, { name: 'web' }, ssh), 'UnsupportedOperation');
  mode = 'MANAGED';
  await groups.authorizeIngress(alice, { id: web.id }, ssh);
  await rejects(() => groups.authorizeIngress(alice, { name: 'web' }, ssh), 'InvalidPermission.Duplicate');
  assert.equal(rendered, 1);
  await rejects(() => groups.authorizeIngress(bob, { id: web.id }, ssh), 'InvalidGroup.NotFound');
  await rejects(() => groups.delete(alice, { name: 'default' }), 'CannotDelete');
  await groups.create(alice, 'busy', 'in use');
  await rejects(() => groups.delete(alice, { name: 'busy' }), 'InvalidGroup.InUse');
  await rejects(() => groups.create(alice, 'sg-12345678', 'x'), 'InvalidParameterValue');
  const found = (await groups.describe(alice, { names: [], ids: [], filters: [] })).groups.map((g) => g.name);
  assert.deepEqual(found.sort(), ['busy', 'default', 'web']);
});

test('images: who sees an image is one rule: owner, public, launch permission, the cloud administrator', async () => {
  const { store, cloudAdmin, alice, bob } = await world();
  const images = new SqlImageStore(store.db);
  // Describing and sharing need no registrar, volumes or instances.
  const deps: Partial<ImageServiceDeps> = {
    images,
    tags: new SqlTagStore(store.db),
    accountName: async (id) => (await store.findAccount(id))?.name,
    hypervisor: () => 'kvm',
    transaction: (fn) => store.transaction(fn),
  };
  const service = new ImageService(deps as ImageServiceDeps);
  await images.insert(machineImage(alice.account.id, 'emi-0000000a', { name: 'private', isPublic: false }));
  await images.insert(machineImage(alice.account.id, 'emi-0000000b', { name: 'public' }));
  const seen = async (p: Principal) =>
    (await service.describe(p, { ids: [], owners: [], executableBy: [], filters: [] })).images
      .map((i) => i.name)
      .sort();
  assert.deepEqual(await seen(alice), ['private', 'public']);
  assert.deepEqual(await seen(bob), ['public']);
  assert.deepEqual(await seen(cloudAdmin), ['private', 'public']);
  await rejects(() => service.visible(bob, 'emi-0000000a'), 'InvalidAMIID.NotFound');
  await rejects(
    () =>
      service.modifyAttribute(bob, 'emi-0000000b', {
        add: { accounts: [bob.account.id], all: false },
        remove: { accounts: [], all: false },
        productCodes: [],
      }),
    'AuthFailure',
  );
  await service.modifyAttribute(alice, 'emi-0000000a', {
    add: { accounts: [bob.account.id], all: false },
    remove: { accounts: [], all: false },
    productCodes: [],
  });
  assert.deepEqual(await seen(bob), ['private', 'public']);
});

test('identity: deleting a user is one rule; delegation is the cloud administrator’s alone', async () => {
  const { store, cloudAdmin, alice } = await world();
  const identity = new IdentityService({
    store,
    identity: new IdentityStore(store.db),
    caCertFile: '/nonexistent',
    caKeyFile: '/nonexistent',
  });
  const own = await identity.scope(alice);
  await identity.createUser(own, 'tina', '/dev/');
  await identity.createAccessKey(own, 'tina');
  await rejects(() => identity.deleteUser(own, 'tina', false), 'DeleteConflict');
  assert.equal((await identity.listUsers(own, '/dev/')).length, 1);
  await rejects(() => identity.deleteUser(own, 'admin', true), 'DeleteConflict');
  await identity.deleteUser(own, 'tina', true);
  assert.equal((await identity.listUsers(own, '/dev/')).length, 0);

  await rejects(() => identity.scope(alice, 'eucalyptus'), 'AccessDenied');
  await rejects(() => identity.scope(cloudAdmin, 'nobody'), 'NoSuchEntity');
  const delegated = await identity.scope(cloudAdmin, 'alice');
  await identity.createGroup(delegated, 'ops');
  assert.deepEqual(
    (await identity.listGroups(own)).map((g) => g.name),
    ['ops'],
  );
  await rejects(() => identity.createUser(own, 'bad name!'), 'ValidationError');
});

/** A cluster of one node with room for `slots` m1.small instances, counting what is held. */
function fakeCompute(slots: number) {
  const held = new Set<number>();
  const addresses = new Set<string>();
  let next = 0;
  const nodeCalls: string[] = [];
  const compute: ComputeServices = {
    vmType: async (name) => (name === 'm1.small' ? { name, cpus: 1, memoryMiB: 256, diskGiB: 5 } : undefined),
    zones: async () => ['zone1'],
    place: async (_zone, _type, min, max) => {
      const free = slots - held.size;
      if (free < min) throw new ServiceError('InsufficientInstanceCapacity', 'no room');
      return Array.from({ length: Math.min(max, free) }, () => {
        held.add(++next);
        return { placementId: next, node: 'node1:8775' };
      });
    },
    unplace: async (id) => void held.delete(id),
    allocateAddresses: async (_account, _group, _addressing, instanceId) => {
      const ip = `10.0.0.${addresses.size + 2}`;
      addresses.add(ip);
      return { mac: `d0:0d:${instanceId.slice(2, 4)}:00:00:01`, privateIp: ip };
    },
    releaseAddresses: async (a) => void addresses.delete(a.privateIp),
    publicAddressOf: async () => undefined,
    publicAddresses: async () => new Map(),
    forwardedPorts: async () => [],
    keyPair: async () => undefined,
    securityGroup: async (_account, name) => (name === 'default' ? { id: 'sg-00000001', name } : undefined),
    nodes: {
      runInstance: async (_node, spec) => void nodeCalls.push(`run ${spec.instanceId}`),
      terminateInstance: async (_node, id) => void nodeCalls.push(`terminate ${id}`),
    } as ComputeServices['nodes'],
  };
  return { compute, held, addresses, nodeCalls };
}

test('instances: a launch that cannot be placed takes nothing; terminate checks every instance before any changes', async () => {
  const { store, alice, bob } = await world();
  const images = new SqlImageStore(store.db);
  await images.insert(machineImage(alice.account.id, 'emi-0000000c'));
  const { compute, held, addresses } = fakeCompute(3);
  const instances = new SqlInstanceStore(store.db);
  const volumes = { releaseVolumesOf: async () => undefined, launchVolumes: async () => [] };
  const service = new InstanceService({
    instances,
    compute,
    images,
    jobs: UNRECORDED_JOBS,
    volumes: volumes as unknown as VolumeService,
    snapshots: { launchSnapshot: async () => Promise.reject(new Error('no snapshots here')) },
    tags: new SqlTagStore(store.db),
    property: async () => undefined,
    hypervisor: () => 'kvm',
    log: () => undefined,
  });
  const run = (p: Principal, min: number, max: number, extra: Partial<RunInput> = {}) =>
    service.run(p, {
      imageId: 'emi-0000000c',
      minCount: min,
      maxCount: max,
      securityGroups: [],
      blockDeviceMappings: [],
      ...extra,
    });

  await rejects(() => run(alice, 4, 4), 'InsufficientInstanceCapacity');
  await rejects(() => run(alice, 1, 1, { instanceType: 'm9.huge' }), 'InvalidParameterValue');
  assert.equal(held.size, 0);
  assert.equal((await instances.list({})).length, 0);

  const first = await run(alice, 2, 2, { clientToken: 'once' });
  assert.equal(first.instances.length, 2);
  // The same client token answers the same reservation; with other parameters it is refused.
  assert.equal((await run(alice, 2, 2, { clientToken: 'once' })).reservationId, first.reservationId);
  await rejects(() => run(alice, 1, 1, { clientToken: 'once' }), 'IdempotentParameterMismatch');
  assert.equal(held.size, 2);

  const [a, b] = first.instances.map((i) => i.id);
  await service.modifyAttribute(alice, b, { disableApiTermination: true, whileStopped: {} });
  await rejects(() => service.terminate(alice, [a, b]), 'OperationNotPermitted');
  await rejects(() => service.terminate(bob, [a]), 'InvalidInstanceID.NotFound');
  assert.deepEqual(
    (await instances.list({})).map((i) => i.state),
    ['pending', 'pending'],
  );
  const changes = await service.terminate(alice, [a]);
  assert.equal(changes[0].currentState.name, 'shutting-down');
  // Its place and address come back at once, the other instance keeps its own.
  assert.equal(held.size, 1);
  assert.equal(addresses.size, 1);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal((await instances.get(a))?.state, 'terminated');

  // One token sent twice at once (a client's retry before the first answer): one launch, and
  // what the second request had taken goes back.
  const [r1, r2] = await Promise.all([
    run(alice, 1, 1, { clientToken: 'twice' }),
    run(alice, 1, 1, { clientToken: 'twice' }),
  ]);
  assert.equal(r1.reservationId, r2.reservationId);
  assert.deepEqual(
    r1.instances.map((i) => i.id),
    r2.instances.map((i) => i.id),
  );
  assert.equal(held.size, 2, 'b and the one launch hold a place; the refused insert gave its place back');
});
