/**
 * Security group rule input: the cloud's checks of protocols, ports, ICMP type and code and CIDR
 * blocks in both request forms, and the commands' reading of -p, -t and negative values.
 */
import assert from 'node:assert/strict';
import type { AuthorizeSecurityGroupIngressRequest } from '../../src/shared/wire/ec2';
import { ec2Model } from '../../src/shared/wire/ec2-model';
import { parseQuery } from '../../src/shared/wire/query';
import { test } from 'node:test';
import { checkPorts, normalizeProtocol, permissionsOf, validateCidr } from '../../src/backend/ec2/groups/permissions';
import { bindNegativeValues, rulePorts } from '../../src/cli/group-rules';

test('CIDR blocks: a.b.c.d/n with octets 0-255 and n 0-32', () => {
  for (const ok of ['0.0.0.0/0', '10.0.0.0/8', '192.168.1.17/32', '255.255.255.255/32'])
    assert.equal(validateCidr(ok), ok);
  for (const bad of [
    '10.0.0.0/33',
    '256.0.0.0/8',
    '10.0.0.0',
    '10.0.0/8',
    '10.0.0.0/-1',
    'a.b.c.d/8',
    '10.0.0.0/8 ',
    '',
  ]) {
    assert.throws(
      () => validateCidr(bad),
      (e: Error & { code?: string }) => e.code === 'InvalidParameterValue' && !e.message.includes('\n'),
      bad,
    );
  }
});

test('ports 0-65535 with from <= to; ICMP type and code -1 to 255; none for all traffic', () => {
  assert.deepEqual(checkPorts('tcp', 22, 22), [22, 22]);
  assert.deepEqual(checkPorts('udp', 0, 65535), [0, 65535]);
  assert.deepEqual(checkPorts('icmp', -1, -1), [-1, -1]);
  assert.deepEqual(checkPorts('icmp', 8, 0), [8, 0]);
  assert.deepEqual(checkPorts('-1', undefined, undefined), [-1, -1]);
  for (const [p, f, t] of [
    ['tcp', -1, 22],
    ['tcp', 22, 65536],
    ['tcp', 30, 20],
    ['icmp', 256, 0],
    ['icmp', 0, -2],
  ] as const) {
    assert.throws(() => checkPorts(p, f, t), /InvalidParameterValue|is invalid/, `${p} ${f} ${t}`);
  }
  assert.throws(
    () => checkPorts('tcp', undefined, 22),
    (e: Error & { code?: string }) => e.code === 'MissingParameter',
  );
});

test('protocols by name or number', () => {
  assert.equal(normalizeProtocol('TCP'), 'tcp');
  assert.equal(normalizeProtocol('17'), 'udp');
  assert.equal(normalizeProtocol('1'), 'icmp');
  assert.equal(normalizeProtocol('all'), '-1');
  assert.throws(() => normalizeProtocol('gre'));
});

/** A request's permissions as the AuthorizeSecurityGroupIngress model reads its parameters. */
const parsePermissions = (params: Record<string, string>) =>
  permissionsOf(
    parseQuery<AuthorizeSecurityGroupIngressRequest>(ec2Model, 'AuthorizeSecurityGroupIngress', params).input,
  );

test('both request forms give the same permissions; a lone source group admits tcp, udp and icmp', () => {
  const flat = parsePermissions({ IpProtocol: 'tcp', FromPort: '22', ToPort: '22', CidrIp: '0.0.0.0/0' });
  const numbered = parsePermissions({
    'IpPermissions.1.IpProtocol': 'tcp',
    'IpPermissions.1.FromPort': '22',
    'IpPermissions.1.ToPort': '22',
    'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
  });
  assert.deepEqual(flat, numbered);
  assert.deepEqual(flat, [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0'], groups: [] }]);
  const bySource = parsePermissions({ SourceSecurityGroupName: 'web', SourceSecurityGroupOwnerId: '123456789012' });
  assert.deepEqual(
    bySource.map((p) => [p.protocol, p.fromPort, p.toPort]),
    [
      ['tcp', 0, 65535],
      ['udp', 0, 65535],
      ['icmp', -1, -1],
    ],
  );
  assert.deepEqual(bySource[0].groups, [{ userId: '123456789012', groupName: 'web' }]);
  const two = parsePermissions({
    'IpPermissions.1.IpProtocol': 'icmp',
    'IpPermissions.1.FromPort': '-1',
    'IpPermissions.1.ToPort': '-1',
    'IpPermissions.1.Groups.1.GroupId': 'sg-12345678',
    'IpPermissions.2.IpProtocol': '-1',
    'IpPermissions.2.IpRanges.1.CidrIp': '10.0.0.0/8',
    'IpPermissions.2.IpRanges.2.CidrIp': '10.1.0.0/16',
  });
  assert.deepEqual(two[0].groups, [{ userId: undefined, groupName: undefined, groupId: 'sg-12345678' }]);
  assert.deepEqual(two[1].cidrs, ['10.0.0.0/8', '10.1.0.0/16']);
  assert.throws(() => parsePermissions({ IpProtocol: 'tcp', FromPort: '22', ToPort: '22' }), /source/);
  assert.throws(
    () => parsePermissions({ IpProtocol: 'tcp', FromPort: '22', ToPort: '22', CidrIp: '1.2.3.4/40' }),
    /CidrIp/,
  );
});

test('the commands read -p and -t as euca2ools does, -1 included', () => {
  assert.deepEqual(rulePorts('tcp', '22'), [22, 22]);
  assert.deepEqual(rulePorts('udp', '5000-5010'), [5000, 5010]);
  assert.deepEqual(rulePorts('tcp', '-1'), [1, 65535]);
  assert.deepEqual(rulePorts('icmp'), [-1, -1]);
  assert.deepEqual(rulePorts('icmp', undefined, '8:0'), [8, 0]);
  assert.equal(rulePorts('-1'), undefined);
  assert.throws(() => rulePorts('tcp'), /required/);
  assert.throws(() => rulePorts('tcp', '20:30'), /"-"/);
  assert.throws(() => rulePorts('icmp', '22'), /not compatible/);
  assert.throws(() => rulePorts('icmp', undefined, '8'), /TYPE:CODE/);
  assert.deepEqual(bindNegativeValues(['-P', 'icmp', '-t', '-1:-1', 'g']), [
    '-P',
    'icmp',
    '--icmp-type-code=-1:-1',
    'g',
  ]);
  assert.deepEqual(bindNegativeValues(['-p', '-1', '-s', '0.0.0.0/0', 'g']), [
    '--port-range=-1',
    '-s',
    '0.0.0.0/0',
    'g',
  ]);
});
