/**
 * Policy documents: what parses, and what is refused with MalformedPolicyDocument (400) or
 * LimitExceeded (409).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceError } from '../../src/backend/errors';
import {
  parseCidr,
  parseIp,
  parseOperator,
  parsePolicy,
  policySize,
  POLICY_SIZE_LIMITS,
} from '../../src/backend/iam/policy/document';

const malformed = (text: string, why?: RegExp) =>
  assert.throws(
    () => parsePolicy(text),
    (e: unknown) =>
      e instanceof ServiceError &&
      e.code === 'MalformedPolicyDocument' &&
      e.status === 400 &&
      (!why || why.test(e.message)),
  );

const doc = (statement: unknown, version: string | null = '2012-10-17') =>
  JSON.stringify({ ...(version !== null ? { Version: version } : {}), Statement: statement });

test('the seed document parses', () => {
  const p = parsePolicy(
    '{ "Version": "2008-10-17", "Statement": [ { "Effect": "Allow", "Action": [ "ec2:RunInstances" ], ' +
      '"Resource": [ "*" ] } ] }',
  );
  assert.deepEqual(p, {
    version: '2008-10-17',
    statements: [{ effect: 'Allow', action: ['ec2:RunInstances'], resource: ['*'], conditions: [] }],
  });
});

test('a single statement object, string Action and Resource, NotAction, NotResource, Sid, Id', () => {
  const p = parsePolicy(
    JSON.stringify({
      Version: '2012-10-17',
      Id: 'x',
      Statement: { Sid: 's1', Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::b/*' },
    }),
  );
  assert.equal(p.id, 'x');
  assert.deepEqual(p.statements, [
    { sid: 's1', effect: 'Deny', notAction: ['iam:*'], notResource: ['arn:aws:s3:::b/*'], conditions: [] },
  ]);
});

test('a missing Version means 2008-10-17', () => {
  assert.equal(parsePolicy(doc({ Effect: 'Allow', Action: '*', Resource: '*' }, null)).version, '2008-10-17');
});

test('conditions parse, values normalized to strings, operator qualifiers recognized', () => {
  const p = parsePolicy(
    doc({
      Effect: 'Allow',
      Action: 'ec2:*',
      Resource: '*',
      Condition: {
        IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.1.1'] },
        Bool: { 'aws:SecureTransport': true },
        NumericLessThan: { 'ec2:Count': 5 },
        'ForAnyValue:StringLikeIfExists': { 'ec2:Tag': 'a*' },
        dateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' },
      },
    }),
  );
  const cs = p.statements[0].conditions;
  assert.equal(cs.length, 5);
  assert.deepEqual(cs[0].values, ['10.0.0.0/8', '192.168.1.1']);
  assert.deepEqual(cs[1].values, ['true']);
  assert.deepEqual(cs[2].values, ['5']);
  assert.deepEqual(cs[3].operator, {
    name: 'ForAnyValue:StringLikeIfExists',
    base: 'StringLike',
    set: 'ForAnyValue',
    ifExists: true,
  });
  assert.equal(cs[4].operator.base, 'DateLessThan');
});

test('malformed JSON', () => {
  malformed('{ "Version": "2012-10-17", "Statement": [ ', /Syntax errors in policy/);
  malformed('', /empty/);
  malformed('[]', /JSON object/);
  malformed('"text"', /JSON object/);
});

test('bad Version, missing or empty Statement, unknown fields', () => {
  malformed(doc({ Effect: 'Allow', Action: '*', Resource: '*' }, '2010-01-01'), /version/);
  malformed(JSON.stringify({ Version: '2012-10-17' }), /Statement/);
  malformed(doc([]), /Statement must not be empty/);
  malformed(JSON.stringify({ Version: '2012-10-17', Statement: [], Foo: 1 }), /Unknown field Foo/);
  malformed(doc({ Effect: 'Allow', Action: '*', Resource: '*', Bogus: 1 }), /unknown field Bogus/);
  malformed(doc(['x']), /must be an object/);
});

test('missing or bad Effect', () => {
  malformed(doc({ Action: '*', Resource: '*' }), /missing Effect/);
  malformed(doc({ Effect: 'allow', Action: '*', Resource: '*' }), /Effect must be Allow or Deny/);
  malformed(doc({ Effect: 'Permit', Action: '*', Resource: '*' }), /Effect must be Allow or Deny/);
});

test('Action/NotAction and Resource/NotResource: exactly one of each, well formed', () => {
  malformed(doc({ Effect: 'Allow', Resource: '*' }), /Action and NotAction/);
  malformed(doc({ Effect: 'Allow', Action: '*', NotAction: 'ec2:*', Resource: '*' }), /Action and NotAction/);
  malformed(doc({ Effect: 'Allow', Action: '*' }), /Resource and NotResource/);
  malformed(doc({ Effect: 'Allow', Action: '*', Resource: '*', NotResource: '*' }), /Resource and NotResource/);
  malformed(doc({ Effect: 'Allow', Action: [], Resource: '*' }), /must not be empty/);
  malformed(doc({ Effect: 'Allow', Action: 'RunInstances', Resource: '*' }), /invalid action/);
  malformed(doc({ Effect: 'Allow', Action: ['ec2:Run', 3], Resource: '*' }), /non-empty string/);
  malformed(doc({ Effect: 'Allow', Action: '*', Resource: 'bucket/key' }), /invalid resource/);
});

test('identity policies name no Principal; Sids are unique', () => {
  malformed(doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), /principal/);
  malformed(
    doc([
      { Sid: 'a', Effect: 'Allow', Action: '*', Resource: '*' },
      { Sid: 'a', Effect: 'Deny', Action: '*', Resource: '*' },
    ]),
    /unique/,
  );
});

test('bad condition operators and values', () => {
  const cond = (c: unknown) => doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: c });
  malformed(cond({ StringEqualz: { 'aws:username': 'x' } }), /Unknown condition operator: StringEqualz/);
  malformed(cond({ 'ForSomeValues:StringEquals': { 'aws:username': 'x' } }), /Unknown condition operator/);
  malformed(cond({ NullIfExists: { 'aws:username': 'true' } }), /Unknown condition operator/);
  malformed(cond('x'), /Condition must be an object/);
  malformed(cond({ StringEquals: 'x' }), /object of keys/);
  malformed(cond({ StringEquals: {} }), /names no key/);
  malformed(cond({ StringEquals: { username: 'x' } }), /Invalid condition key/);
  malformed(cond({ StringEquals: { 'aws:username': [] } }), /no value/);
  malformed(cond({ StringEquals: { 'aws:username': { a: 1 } } }), /values must be/);
  malformed(cond({ IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } }), /not an IP address/);
  malformed(cond({ IpAddress: { 'aws:SourceIp': '300.0.0.1' } }), /not an IP address/);
  malformed(cond({ DateLessThan: { 'aws:CurrentTime': 'tomorrow' } }), /not a date/);
  malformed(cond({ NumericLessThan: { 'ec2:n': 'five' } }), /not a number/);
  malformed(cond({ Bool: { 'aws:SecureTransport': 'yes' } }), /true or false/);
});

test('too large: LimitExceeded (409) at the user and group quotas, white space not counted', () => {
  const big = (n: number) => doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::' + 'b'.repeat(n) });
  const base = policySize(big(0));
  const atUser = big(POLICY_SIZE_LIMITS.user - base);
  assert.equal(policySize(atUser), 2048);
  parsePolicy(atUser);
  parsePolicy(atUser.replace(/,/g, ',     \n'));
  const over = big(POLICY_SIZE_LIMITS.user - base + 1);
  assert.throws(
    () => parsePolicy(over),
    (e: unknown) =>
      e instanceof ServiceError && e.code === 'LimitExceeded' && e.status === 409 && /2048/.test(e.message),
  );
  parsePolicy(over, { owner: 'group' });
  assert.throws(
    () => parsePolicy(big(5120), { owner: 'group' }),
    (e: unknown) => e instanceof ServiceError && e.code === 'LimitExceeded' && /5120/.test(e.message),
  );
  assert.equal(POLICY_SIZE_LIMITS.group, 5120);
});

test('operators parse case-insensitively with qualifiers', () => {
  assert.equal(parseOperator('stringlike')?.base, 'StringLike');
  assert.deepEqual(parseOperator('ForAllValues:StringEquals'), {
    name: 'ForAllValues:StringEquals',
    base: 'StringEquals',
    set: 'ForAllValues',
    ifExists: false,
  });
  assert.equal(parseOperator('NotIpAddressIfExists')?.ifExists, true);
  assert.equal(parseOperator('IfExists'), undefined);
  assert.equal(parseOperator('Nope'), undefined);
});

test('IP addresses and CIDR blocks, IPv4 and IPv6', () => {
  assert.equal(parseIp('10.1.2.3')?.value, 0x0a010203n);
  assert.equal(parseIp('::1')?.value, 1n);
  assert.equal(parseIp('2001:db8::')?.value, 0x20010db8n << 96n);
  assert.equal(parseIp('::ffff:10.0.0.1')?.value, (0xffffn << 32n) | 0x0a000001n);
  assert.equal(parseIp('1:2:3:4:5:6:7:8')?.width, 128);
  assert.equal(parseIp('1:2:3:4:5:6:7'), undefined);
  assert.equal(parseIp('1::2::3'), undefined);
  assert.equal(parseIp('host'), undefined);
  assert.deepEqual(parseCidr('192.168.0.0/16'), { value: 0xc0a80000n, width: 32, prefix: 16 });
  assert.equal(parseCidr('2001:db8::/32')?.prefix, 32);
  assert.equal(parseCidr('10.0.0.0/8/1'), undefined);
  assert.equal(parseCidr('10.0.0.0/x'), undefined);
});
