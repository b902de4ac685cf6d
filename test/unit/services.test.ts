/**
 * The services called as the handlers and the cloud's own work call them: typed arguments and a
 * principal, over real SQLite stores in a temporary data dir, no HTTP. Each refusal is the AWS
 * error and changes nothing; each rule holds on the resolved resource whoever names it.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { SecurityGroupService } from '../../src/backend/ec2/groups/service';
import { SqliteSecurityGroupStore } from '../../src/backend/ec2/groups/store';
import { ImageService, type ImageServiceDeps } from '../../src/backend/ec2/images/service';
import { type Image, SqliteImageStore } from '../../src/backend/ec2/images/store';
import { KeyPairService } from '../../src/backend/ec2/keypairs/service';
import { SqliteKeyPairStore } from '../../src/backend/ec2/keypairs/store';
import { ResourceOwners } from '../../src/backend/ec2/resources';
import { TagService } from '../../src/backend/ec2/tags/service';
import { SqliteTagStore } from '../../src/backend/ec2/tags/store';
import { createAccountWithAdmin } from '../../src/backend/iam/accounts';
import { IdentityService } from '../../src/backend/iam/service';
import { IdentityStore } from '../../src/backend/iam/store';
import type { RunInput } from '../../src/backend/ec2/instances/launch';
import { InstanceService } from '../../src/backend/ec2/instances/service';
import type { ComputeServices } from '../../src/backend/ec2/instances/services';
import { SqliteInstanceStore } from '../../src/backend/ec2/instances/store';
import type { VolumeService } from '../../src/backend/ec2/volumes/service';
import { ServiceError } from '../../src/backend/errors';
import { SqliteStore } from '../../src/backend/store/sqlite';
import type { Principal } from '../../src/backend/store/types';
import { tempDir } from '../helpers/cli';

/** A fresh store with the cloud administrator and two tenants (alice's and bob's accounts). */
function world() {
  const store = new SqliteStore(path.join(tempDir('euca-services-'), 'cloud.db'));
  const principal = (accountName: string): Principal => {
    const account = store.findAccountByName(accountName) ?? createAccountWithAdmin(store, accountName);
    return { account, user: store.findUser(account.id, 'admin')!, accessKeyId: 'AKI' };
  };
  return { store, cloudAdmin: principal('eucalyptus'), alice: principal('alice'), bob: principal('bob') };
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

const rejects = (fn: () => unknown, code: string) =>
  assert.throws(fn, (e: Error & { code?: string }) => e.code === code, `expected ${code}`);

test('key pairs: one account cannot see or delete another account’s; duplicates and bad keys are refused', async () => {
  const { store, alice, bob } = world();
  const keys = new KeyPairService(new SqliteKeyPairStore(store.db));
  const { key, privateKeyPem } = await keys.create(alice, 'mykey');
  assert.match(privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----/);
  await assert.rejects(keys.create(alice, 'mykey'), { code: 'InvalidKeyPair.Duplicate' });
  rejects(() => keys.import(alice, 'other', 'not a key'), 'InvalidKey.Format');
  rejects(() => keys.describe(bob, { names: ['mykey'], filters: [] }), 'InvalidKeyPair.NotFound');
  keys.delete(bob, 'mykey');
  assert.deepEqual(
    keys.describe(alice, { names: [], filters: [] }).map((k) => k.fingerprint),
    [key.fingerprint],
  );
});

test('tags: only the owner of a resource tags it; over 50 tags nothing is written', () => {
  const { store, alice, bob } = world();
  const images = new SqliteImageStore(store.db);
  const image = machineImage(alice.account.id, 'emi-12345678');
  images.insert(image);
  const owners = new ResourceOwners([
    { prefixes: ['emi'], owner: (id) => images.get(id)?.accountId, notFoundCode: 'InvalidAMIID.NotFound' },
  ]);
  const tags = new TagService({
    tags: new SqliteTagStore(store.db),
    owners,
    transaction: (fn) => store.transaction(fn),
  });
  rejects(() => tags.create(bob, [image.id], [{ key: 'k', value: 'v' }]), 'InvalidAMIID.NotFound');
  rejects(() => tags.create(alice, ['vol-12345678'], [{ key: 'k' }]), 'InvalidID');
  tags.create(alice, [image.id], [{ key: 'Name', value: 'web' }]);
  const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
  rejects(() => tags.create(alice, [image.id], many), 'TagLimitExceeded');
  assert.deepEqual(
    tags.describe(alice, []).map((t) => [t.key, t.value]),
    [['Name', 'web']],
  );
  assert.deepEqual(tags.describe(bob, []), []);
});

test('security groups: rules only in MANAGED modes; a duplicate rule, default or a group in use changes nothing', () => {
  const { store, alice, bob } = world();
  let mode = 'SYSTEM';
  let rendered = 0;
  const groups = new SecurityGroupService({
    groups: new SqliteSecurityGroupStore(store.db),
    tags: new SqliteTagStore(store.db),
    accountId: (x) => (store.findAccount(x) ?? store.findAccountByName(x))?.id,
    inUse: (g) => (g.name === 'busy' ? '1 instance(s) still run in it' : undefined),
    mode: () => mode,
    rulesChanged: () => void rendered++,
    transaction: (fn) => store.transaction(fn),
  });
  const web = groups.create(alice, 'web', 'web servers');
  const ssh = [{ protocol: 'tcp' as const, fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0'], groups: [] }];
  rejects(() => groups.authorizeIngress(alice, { name: 'web' }, ssh), 'UnsupportedOperation');
  mode = 'MANAGED';
  groups.authorizeIngress(alice, { id: web.id }, ssh);
  rejects(() => groups.authorizeIngress(alice, { name: 'web' }, ssh), 'InvalidPermission.Duplicate');
  assert.equal(rendered, 1);
  rejects(() => groups.authorizeIngress(bob, { id: web.id }, ssh), 'InvalidGroup.NotFound');
  rejects(() => groups.delete(alice, { name: 'default' }), 'CannotDelete');
  groups.create(alice, 'busy', 'in use');
  rejects(() => groups.delete(alice, { name: 'busy' }), 'InvalidGroup.InUse');
  rejects(() => groups.create(alice, 'sg-12345678', 'x'), 'InvalidParameterValue');
  const found = groups.describe(alice, { names: [], ids: [], filters: [] }).groups.map((g) => g.name);
  assert.deepEqual(found.sort(), ['busy', 'default', 'web']);
});

test('images: who sees an image is one rule: owner, public, launch permission, the cloud administrator', () => {
  const { store, cloudAdmin, alice, bob } = world();
  const images = new SqliteImageStore(store.db);
  // Describing and sharing need no registrar, volumes or instances.
  const deps: Partial<ImageServiceDeps> = {
    images,
    tags: new SqliteTagStore(store.db),
    accountName: (id) => store.findAccount(id)?.name,
    hypervisor: () => 'kvm',
    transaction: (fn) => store.transaction(fn),
  };
  const service = new ImageService(deps as ImageServiceDeps);
  images.insert(machineImage(alice.account.id, 'emi-0000000a', { name: 'private', isPublic: false }));
  images.insert(machineImage(alice.account.id, 'emi-0000000b', { name: 'public' }));
  const seen = (p: Principal) =>
    service
      .describe(p, { ids: [], owners: [], executableBy: [], filters: [] })
      .images.map((i) => i.name)
      .sort();
  assert.deepEqual(seen(alice), ['private', 'public']);
  assert.deepEqual(seen(bob), ['public']);
  assert.deepEqual(seen(cloudAdmin), ['private', 'public']);
  rejects(() => service.visible(bob, 'emi-0000000a'), 'InvalidAMIID.NotFound');
  rejects(
    () =>
      service.modifyAttribute(bob, 'emi-0000000b', {
        add: { accounts: [bob.account.id], all: false },
        remove: { accounts: [], all: false },
        productCodes: [],
      }),
    'AuthFailure',
  );
  service.modifyAttribute(alice, 'emi-0000000a', {
    add: { accounts: [bob.account.id], all: false },
    remove: { accounts: [], all: false },
    productCodes: [],
  });
  assert.deepEqual(seen(bob), ['private', 'public']);
});

test('identity: deleting a user is one rule; delegation is the cloud administrator’s alone', () => {
  const { store, cloudAdmin, alice } = world();
  const identity = new IdentityService({
    store,
    identity: new IdentityStore(store.db),
    caCertFile: '/nonexistent',
    caKeyFile: '/nonexistent',
  });
  const own = identity.scope(alice);
  identity.createUser(own, 'tina', '/dev/');
  identity.createAccessKey(own, 'tina');
  rejects(() => identity.deleteUser(own, 'tina', false), 'DeleteConflict');
  assert.equal(identity.listUsers(own, '/dev/').length, 1);
  rejects(() => identity.deleteUser(own, 'admin', true), 'DeleteConflict');
  identity.deleteUser(own, 'tina', true);
  assert.equal(identity.listUsers(own, '/dev/').length, 0);

  rejects(() => identity.scope(alice, 'eucalyptus'), 'AccessDenied');
  rejects(() => identity.scope(cloudAdmin, 'nobody'), 'NoSuchEntity');
  const delegated = identity.scope(cloudAdmin, 'alice');
  identity.createGroup(delegated, 'ops');
  assert.deepEqual(
    identity.listGroups(own).map((g) => g.name),
    ['ops'],
  );
  rejects(() => identity.createUser(own, 'bad name!'), 'ValidationError');
});

/** A cluster of one node with room for `slots` m1.small instances, counting what is held. */
function fakeCompute(slots: number) {
  const held = new Set<number>();
  const addresses = new Set<string>();
  let next = 0;
  const nodeCalls: string[] = [];
  const compute: ComputeServices = {
    vmType: (name) => (name === 'm1.small' ? { name, cpus: 1, memoryMiB: 256, diskGiB: 5 } : undefined),
    zones: () => ['zone1'],
    place: (_zone, _type, min, max) => {
      const free = slots - held.size;
      if (free < min) throw new ServiceError('InsufficientInstanceCapacity', 'no room');
      return Array.from({ length: Math.min(max, free) }, () => {
        held.add(++next);
        return { placementId: next, node: 'node1:8775' };
      });
    },
    unplace: (id) => void held.delete(id),
    allocateAddresses: (_account, _group, _addressing, instanceId) => {
      const ip = `10.0.0.${addresses.size + 2}`;
      addresses.add(ip);
      return { mac: `d0:0d:${instanceId.slice(2, 4)}:00:00:01`, privateIp: ip };
    },
    releaseAddresses: (a) => void addresses.delete(a.privateIp),
    publicAddressOf: () => undefined,
    keyPair: () => undefined,
    securityGroup: (_account, name) => (name === 'default' ? { id: 'sg-00000001', name } : undefined),
    nodes: {
      runInstance: async (_node, spec) => void nodeCalls.push(`run ${spec.instanceId}`),
      terminateInstance: async (_node, id) => void nodeCalls.push(`terminate ${id}`),
    } as ComputeServices['nodes'],
  };
  return { compute, held, addresses, nodeCalls };
}

test('instances: a launch that cannot be placed takes nothing; terminate checks every instance before any changes', async () => {
  const { store, alice, bob } = world();
  const images = new SqliteImageStore(store.db);
  images.insert(machineImage(alice.account.id, 'emi-0000000c'));
  const { compute, held, addresses } = fakeCompute(3);
  const instances = new SqliteInstanceStore(store.db);
  const volumes = { releaseVolumesOf: async () => undefined, launchVolumes: async () => [] };
  const service = new InstanceService({
    instances,
    compute,
    images,
    volumes: volumes as unknown as VolumeService,
    tags: new SqliteTagStore(store.db),
    property: () => undefined,
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

  rejects(() => run(alice, 4, 4), 'InsufficientInstanceCapacity');
  rejects(() => run(alice, 1, 1, { instanceType: 'm9.huge' }), 'InvalidParameterValue');
  assert.equal(held.size, 0);
  assert.equal(instances.list({}).length, 0);

  const first = run(alice, 2, 2, { clientToken: 'once' });
  assert.equal(first.instances.length, 2);
  // The same client token answers the same reservation; with other parameters it is refused.
  assert.equal(run(alice, 2, 2, { clientToken: 'once' }).reservationId, first.reservationId);
  rejects(() => run(alice, 1, 1, { clientToken: 'once' }), 'IdempotentParameterMismatch');
  assert.equal(held.size, 2);

  const [a, b] = first.instances.map((i) => i.id);
  service.modifyAttribute(alice, b, { disableApiTermination: true, whileStopped: [] });
  rejects(() => service.terminate(alice, [a, b]), 'OperationNotPermitted');
  rejects(() => service.terminate(bob, [a]), 'InvalidInstanceID.NotFound');
  assert.deepEqual(
    instances.list({}).map((i) => i.state),
    ['pending', 'pending'],
  );
  const changes = service.terminate(alice, [a]);
  assert.equal(changes[0].currentState.name, 'shutting-down');
  // Its place and address come back at once, the other instance keeps its own.
  assert.equal(held.size, 1);
  assert.equal(addresses.size, 1);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(instances.get(a)?.state, 'terminated');
});
