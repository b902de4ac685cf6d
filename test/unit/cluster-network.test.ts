/**
 * The network manager's arithmetic and bookkeeping without a daemon: seed 001's MANAGED numbers
 * (64 addresses → 61 instances, a /16 → 1024 networks), VNET_PUBLICIPS ranges, VNET_MACMAP,
 * the startup checks naming the bad setting, address allocation in every mode, elastic IPs and
 * the rendered iptables file.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseNetworkConfig } from '../../src/backend/cluster/network/config';
import {
  intToIp,
  ipToInt,
  macForIp,
  managedNetwork,
  maskPrefix,
  networkCount,
  parseAddressList,
  parseMacMap,
  subnetFitsMask,
} from '../../src/backend/cluster/network/ip';
import { chainName, MAX_CHAIN_NAME, renderIptables } from '../../src/backend/cluster/network/iptables';
import { NetworkManager } from '../../src/backend/cluster/network/manager';
import { SqlStore } from '../../src/backend/store/sql-store';
import { testStoreLocation } from '../helpers/database';
import { tempDir } from '../helpers/cli';

async function store(): Promise<SqlStore> {
  return SqlStore.open(await testStoreLocation(path.join(tempDir('euca-net-'), 'cloud.db')));
}

test("seed 001's arithmetic: a /16 holds 1024 networks of 64, each for 61 instances", () => {
  assert.equal(networkCount('255.255.0.0', 64), 1024);
  assert.equal(networkCount('255.0.0.0', 128), 131072);
  // 61 instance addresses of 64 (.66 to .126), 253 of 256: less network, router and broadcast.
  assert.deepEqual(
    [managedNetwork('10.0.0.0', 256, 0).firstHost, managedNetwork('10.0.0.0', 256, 0).lastHost],
    ['10.0.0.2', '10.0.0.254'],
  );
  assert.deepEqual(managedNetwork('192.168.0.0', 64, 1), {
    index: 1,
    network: '192.168.0.64',
    router: '192.168.0.65',
    broadcast: '192.168.0.127',
    firstHost: '192.168.0.66',
    lastHost: '192.168.0.126',
  });
  assert.equal(managedNetwork('192.168.0.0', 64, 1023).broadcast, '192.168.255.255');
});

test('addresses and masks', () => {
  assert.equal(ipToInt('10.128.0.1'), 0x0a800001);
  assert.equal(intToIp(0xc0000201), '192.0.2.1');
  assert.equal(maskPrefix('255.255.0.0'), 16);
  assert.equal(maskPrefix('255.255.255.224'), 27);
  assert.equal(maskPrefix('0.0.0.0'), 0);
  assert.equal(maskPrefix('255.0.255.0'), undefined);
  assert.ok(subnetFitsMask('192.168.0.0', '255.255.0.0'));
  assert.ok(!subnetFitsMask('192.168.1.0', '255.255.0.0'));
  assert.equal(macForIp('10.128.0.2'), 'D0:0D:0A:80:00:02');
});

test('VNET_PUBLICIPS: ranges and lists, in order, without duplicates', () => {
  assert.deepEqual(parseAddressList('192.0.2.10-192.0.2.12 198.51.100.7,192.0.2.11'), [
    '192.0.2.10',
    '192.0.2.11',
    '192.0.2.12',
    '198.51.100.7',
  ]);
  assert.equal(parseAddressList('192.0.2.10-192.0.2.40').length, 31);
  assert.throws(() => parseAddressList('192.0.2.12-192.0.2.10'), /ends before it starts/);
  assert.throws(() => parseAddressList('192.0.2.300'), /not an IPv4 address/);
});

test("VNET_MACMAP: the seed's pairs (one MAC has five octets there, and is read as written)", () => {
  assert.deepEqual(parseMacMap('AA:DD:11:CE:FF:ED=192.168.1.3 AA:DD:CE:FF:EE=192.168.1.4'), [
    { mac: 'AA:DD:11:CE:FF:ED', ip: '192.168.1.3' },
    { mac: 'AA:DD:CE:FF:EE', ip: '192.168.1.4' },
  ]);
  assert.throws(() => parseMacMap('AA:DD:11:CE:FF:ED'), /not a MAC=IP pair/);
});

test('settings that cannot work stop the cloud with a message naming the setting', () => {
  const managed = {
    VNET_MODE: 'MANAGED',
    VNET_SUBNET: '192.168.0.0',
    VNET_NETMASK: '255.255.0.0',
    VNET_ADDRSPERNET: '64',
  };
  assert.equal(parseNetworkConfig(managed).networks, 1024);
  assert.equal(
    parseNetworkConfig({ ...managed, VNET_ADDRSPERNET: undefined as any, VNET_ADDRSPPERNET: '128' }).addrsPerNet,
    128,
  );
  assert.throws(
    () => parseNetworkConfig({ ...managed, VNET_MODE: 'BRIDGED' }),
    /VNET_MODE "BRIDGED" is not a networking mode/,
  );
  assert.throws(
    () => parseNetworkConfig({ ...managed, VNET_SUBNET: '192.168.1.0' }),
    /VNET_SUBNET 192\.168\.1\.0 does not fit VNET_NETMASK 255\.255\.0\.0/,
  );
  assert.throws(() => parseNetworkConfig({ ...managed, VNET_NETMASK: '255.0.255.0' }), /VNET_NETMASK/);
  assert.throws(
    () => parseNetworkConfig({ ...managed, VNET_ADDRSPERNET: '60' }),
    /VNET_ADDRSPERNET "60" must be a power of two/,
  );
  assert.throws(() => parseNetworkConfig({ ...managed, VNET_PUBLICIPS: '192.0.2.1-x' }), /VNET_PUBLICIPS/);
  const stat = { VNET_MODE: 'STATIC', VNET_SUBNET: '192.168.1.0', VNET_NETMASK: '255.255.255.0' };
  assert.throws(
    () => parseNetworkConfig({ ...stat, VNET_MACMAP: 'AA:DD:11:CE:FF:ED=192.168.2.3' }),
    /VNET_MACMAP AA:DD:11:CE:FF:ED=192\.168\.2\.3 is outside VNET_SUBNET/,
  );
  assert.throws(() => parseNetworkConfig(stat), /VNET_MACMAP must list/);
  assert.equal(parseNetworkConfig({}).mode, 'SYSTEM');
});

test('MANAGED: a network per active security group, a VLAN each, public addresses at boot, freed on release', async () => {
  const s = await store();
  const net = await NetworkManager.open(
    s.db,
    parseNetworkConfig({
      VNET_MODE: 'MANAGED',
      VNET_SUBNET: '10.128.0.0',
      VNET_NETMASK: '255.255.0.0',
      VNET_ADDRSPERNET: '32',
      VNET_PUBLICIPS: '192.0.2.10-192.0.2.11',
    }),
  );
  const a1 = await net.allocateInstanceAddresses('111', 'default', 'public', 'i-00000001');
  const a2 = await net.allocateInstanceAddresses('111', 'default', 'public', 'i-00000002');
  const b1 = await net.allocateInstanceAddresses('222', 'default', 'public', 'i-00000003');
  const p1 = await net.allocateInstanceAddresses('111', 'web', 'private');
  assert.deepEqual(a1, { mac: 'D0:0D:0A:80:00:02', privateIp: '10.128.0.2', publicIp: '192.0.2.10', vlan: 10 });
  assert.deepEqual(a2, { mac: 'D0:0D:0A:80:00:03', privateIp: '10.128.0.3', publicIp: '192.0.2.11', vlan: 10 });
  // The pool is empty: the instance runs on its private address only.
  assert.deepEqual(b1, { mac: 'D0:0D:0A:80:00:22', privateIp: '10.128.0.34', vlan: 11 });
  assert.equal(p1.publicIp, undefined);
  assert.equal(p1.vlan, 12);
  assert.deepEqual(
    (await net.groupNetworks()).map((n) => [n.accountId, n.groupName, n.cidr]),
    [
      ['111', 'default', '10.128.0.0/27'],
      ['222', 'default', '10.128.0.32/27'],
      ['111', 'web', '10.128.0.64/27'],
    ],
  );
  await net.releaseInstanceAddresses(a1);
  assert.equal((await net.publicAddress('192.0.2.10'))!.accountId, undefined);
  await net.releaseInstanceAddresses(b1);
  assert.equal(await net.groupNetwork('222', 'default'), undefined, 'a group with no instance left frees its network');
  // The freed network index is the next one given out.
  assert.equal((await net.allocateInstanceAddresses('333', 'default', 'private')).privateIp, '10.128.0.34');
  await s.close();
});

test('MANAGED: a network holds VNET_ADDRSPERNET - 3 instances, and the networks run out', async () => {
  const s = await store();
  const net = await NetworkManager.open(
    s.db,
    parseNetworkConfig({
      VNET_MODE: 'MANAGED-NOVLAN',
      VNET_SUBNET: '10.0.0.0',
      VNET_NETMASK: '255.255.255.192',
      VNET_ADDRSPERNET: '32',
    }),
  );
  for (let i = 0; i < 29; i++) assert.equal((await net.allocateInstanceAddresses('1', 'g', 'private')).vlan, undefined);
  await assert.rejects(() => net.allocateInstanceAddresses('1', 'g', 'private'), /holds 29 instances/);
  await net.allocateInstanceAddresses('1', 'h', 'private');
  await assert.rejects(
    () => net.allocateInstanceAddresses('1', 'k', 'private'),
    /all 2 security group networks are in use/,
  );
  await s.close();
});

test('STATIC hands out VNET_MACMAP pairs first come first served; SYSTEM from the subnet, public = private', async () => {
  const s = await store();
  const st = await NetworkManager.open(
    s.db,
    parseNetworkConfig({
      VNET_MODE: 'STATIC',
      VNET_SUBNET: '192.168.1.0',
      VNET_NETMASK: '255.255.255.0',
      VNET_MACMAP: 'AA:DD:11:CE:FF:ED=192.168.1.3 AA:DD:CE:FF:EE=192.168.1.4',
    }),
  );
  assert.deepEqual(await st.allocateInstanceAddresses('1', 'default'), {
    mac: 'AA:DD:11:CE:FF:ED',
    privateIp: '192.168.1.3',
    publicIp: '192.168.1.3',
  });
  const second = await st.allocateInstanceAddresses('2', 'default');
  assert.equal(second.privateIp, '192.168.1.4');
  await assert.rejects(() => st.allocateInstanceAddresses('3', 'default'), /all 2 VNET_MACMAP pairs are in use/);
  await st.releaseInstanceAddresses(second);
  assert.equal((await st.allocateInstanceAddresses('3', 'default')).mac, 'AA:DD:CE:FF:EE');
  await s.close();
  const s2 = await store();
  const sys = await NetworkManager.open(
    s2.db,
    parseNetworkConfig({ VNET_MODE: 'SYSTEM', VNET_SUBNET: '172.16.0.0', VNET_NETMASK: '255.255.255.252' }),
  );
  assert.deepEqual(await sys.allocateInstanceAddresses('1', 'default'), {
    mac: 'D0:0D:AC:10:00:02',
    privateIp: '172.16.0.2',
    publicIp: '172.16.0.2',
  });
  await assert.rejects(() => sys.allocateInstanceAddresses('1', 'default'), /No free address left/);
  await s2.close();
});

test('elastic IPs: allocate, associate (the boot address goes back), release; rendered into nat', async () => {
  const s = await store();
  const net = await NetworkManager.open(
    s.db,
    parseNetworkConfig({
      VNET_MODE: 'MANAGED-NOVLAN',
      VNET_SUBNET: '10.128.0.0',
      VNET_NETMASK: '255.255.0.0',
      VNET_PUBLICIPS: '192.0.2.10 192.0.2.11',
    }),
  );
  const inst = await net.allocateInstanceAddresses('111', 'default', 'public', 'i-00000001');
  assert.equal(inst.publicIp, '192.0.2.10');
  const eip = await net.allocateElastic('111');
  assert.equal(eip, '192.0.2.11');
  await assert.rejects(() => net.allocateElastic('111'), /AddressLimitExceeded|no public address is left/);
  assert.equal(await net.associateElastic(eip, '222', 'i-00000001', inst.privateIp), false, 'not its elastic IP');
  assert.equal(await net.associateElastic(eip, '111', 'i-00000001', inst.privateIp), true);
  assert.equal(
    (await net.publicAddress('192.0.2.10'))!.accountId,
    undefined,
    'the boot-time address went back to the pool',
  );
  assert.equal(await net.publicAddressOf('i-00000001'), eip);
  const rules = renderIptables({
    subnet: '10.128.0.0',
    netmask: '255.255.0.0',
    networks: await net.groupNetworks(),
    publicAddresses: await net.publicAddresses(),
    accountName: (id) => (id === '111' ? 'alice' : id),
    groupRules: () => [
      { protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0'], sourceGroups: [] },
      {
        protocol: 'icmp',
        fromPort: -1,
        toPort: -1,
        cidrs: ['198.51.100.0/24'],
        sourceGroups: [{ accountId: '111', name: 'default' }],
      },
    ],
  });
  assert.match(rules, /^:alice-default - \[0:0\]$/m);
  assert.match(rules, /^-A FORWARD -d 10\.128\.0\.0\/27 -j alice-default$/m);
  assert.match(rules, /^-A alice-default -s 0\.0\.0\.0\/0 -p tcp -m tcp --dport 22:22 -j ACCEPT$/m);
  assert.match(rules, /^-A alice-default -s 198\.51\.100\.0\/24 -p icmp -m icmp --icmp-type any -j ACCEPT$/m);
  assert.match(rules, /^-A PREROUTING -d 192\.0\.2\.11\/32 -j DNAT --to-destination 10\.128\.0\.2$/m);
  assert.match(
    rules,
    /^-A POSTROUTING -s 10\.128\.0\.2\/32 ! -d 10\.128\.0\.0\/16 -j SNAT --to-source 192\.0\.2\.11$/m,
  );
  assert.doesNotMatch(rules, /192\.0\.2\.10/);
  await net.releaseInstanceAddresses(inst);
  assert.equal(
    (await net.publicAddress(eip))!.accountId,
    '111',
    'the elastic IP stays allocated after its instance goes',
  );
  assert.equal((await net.publicAddress(eip))!.instanceId, undefined);
  await s.close();
});

test('the pool follows VNET_PUBLICIPS across restarts, keeping addresses in use', async () => {
  const dir = tempDir('euca-net-');
  const s = await SqlStore.open(await testStoreLocation(path.join(dir, 'cloud.db')));
  const conf = { VNET_MODE: 'MANAGED-NOVLAN', VNET_SUBNET: '10.128.0.0', VNET_NETMASK: '255.255.0.0' };
  const first = await NetworkManager.open(
    s.db,
    parseNetworkConfig({ ...conf, VNET_PUBLICIPS: '192.0.2.10-192.0.2.12' }),
  );
  await first.allocateElastic('111');
  const second = await NetworkManager.open(s.db, parseNetworkConfig({ ...conf, VNET_PUBLICIPS: '192.0.2.20' }));
  assert.deepEqual(
    (await second.publicAddresses()).map((a) => a.ip),
    ['192.0.2.10', '192.0.2.20'],
  );
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('chain names fit iptables: plain when short, a stable digest otherwise', () => {
  assert.equal(chainName('alice', 'default'), 'alice-default');
  const long = chainName('a-rather-long-account-name', 'web servers');
  assert.match(long, /^EU_[0-9a-f]{25}$/);
  assert.equal(long.length, MAX_CHAIN_NAME);
  assert.equal(chainName('a-rather-long-account-name', 'web servers'), long);
  assert.notEqual(chainName('a-rather-long-account-name', 'web  servers'), long);
  assert.match(chainName('bob', 'it\'s "quoted"'), /^EU_/);
});
