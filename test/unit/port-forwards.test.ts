/**
 * What a node forwards to a guest: the ports its security group opens (narrowest rules first, at
 * most MAX_PORT_FORWARDS), from its public address only when that address is this machine's own
 * loopback, from a high port where low ones may not be bound; and the capacity a QEMU guest costs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fits } from '../../src/backend/cluster/controller';
import { openPorts } from '../../src/backend/cluster/network/forwards';
import type { Rule } from '../../src/backend/cluster/network/iptables';
import { hostPort, isLoopback, QemuMachines } from '../../src/backend/node/qemu';
import { MAX_PORT_FORWARDS } from '../../src/shared/nc-protocol';

const rule = (protocol: Rule['protocol'], fromPort?: number, toPort?: number): Rule => ({
  protocol,
  fromPort,
  toPort,
  cidrs: ['0.0.0.0/0'],
  sourceGroups: [],
});

test('the ports a group opens: TCP and UDP, narrowest rules first, no ICMP, at most the limit', () => {
  assert.deepEqual(openPorts([]), []);
  assert.deepEqual(openPorts([rule('tcp', 22, 22), rule('icmp', -1, -1)]), [{ protocol: 'tcp', port: 22 }]);
  assert.deepEqual(openPorts([rule('tcp', 8000, 8002), rule('udp', 53, 53), rule('tcp', 22, 22)]), [
    { protocol: 'tcp', port: 22 },
    { protocol: 'udp', port: 53 },
    { protocol: 'tcp', port: 8000 },
    { protocol: 'tcp', port: 8001 },
    { protocol: 'tcp', port: 8002 },
  ]);
  // Everything open: a wide rule forwards its first ports, after what narrower rules name.
  const all = openPorts([rule('-1'), rule('tcp', 443, 443)]);
  assert.equal(all.length, MAX_PORT_FORWARDS);
  assert.deepEqual(all[0], { protocol: 'tcp', port: 443 });
  assert.deepEqual(all[1], { protocol: 'tcp', port: 1 });
  // The same port twice is forwarded once.
  assert.deepEqual(openPorts([rule('tcp', 22, 22), rule('tcp', 20, 25)]).filter((p) => p.port === 22).length, 1);
});

test('forwards only from this machine: loopback public addresses; high ports where low ones are refused', () => {
  assert.ok(isLoopback('127.0.100.10'));
  assert.ok(!isLoopback('192.0.2.10'));
  assert.ok(!isLoopback(undefined));
  assert.equal(hostPort(22, true), 22);
  assert.equal(hostPort(22, false), 10022);
  assert.equal(hostPort(8080, false), 8080);

  const asUser = new QemuMachines({ accel: 'tcg', maxBoots: 1, mayBindLowPorts: false });
  const ssh = [{ protocol: 'tcp' as const, port: 22 }];
  const local = asUser.forwardsOf('127.0.100.10', ssh);
  assert.deepEqual(local.rules, ['tcp:127.0.100.10:10022-:22']);
  assert.match(local.notes.join('\n'), /22\/tcp is forwarded from 127\.0\.100\.10:10022 \(this node may not bind/);
  // Never an address that is not this machine's own (the uplink): nothing is bound, and the console says why.
  const uplink = asUser.forwardsOf('192.0.2.10', ssh);
  assert.deepEqual(uplink.rules, []);
  assert.match(uplink.notes[0], /no port is forwarded/);
  const asRoot = new QemuMachines({ accel: 'tcg', maxBoots: 1, mayBindLowPorts: true });
  assert.deepEqual(asRoot.forwardsOf('127.0.100.10', ssh).rules, ['tcp:127.0.100.10:22-:22']);
  const many = Array.from({ length: 100 }, (_, i) => ({ protocol: 'tcp' as const, port: 1000 + i }));
  assert.equal(asRoot.forwardsOf('127.0.100.10', many).rules.length, MAX_PORT_FORWARDS);
});

test("capacity counts each guest's memory and the hypervisor's own", () => {
  const small = { name: 'm1.small', cpus: 1, memoryMiB: 128, diskGiB: 2 };
  const node = { cores: 16, memoryMiB: 1024, diskGiB: 100 };
  assert.equal(fits(node, small), 8);
  assert.equal(fits(node, small, 64), 5);
  assert.equal(new QemuMachines({ accel: 'tcg', maxBoots: 1 }).overheadMiB > 0, true);
});
