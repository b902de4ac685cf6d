/**
 * Policy evaluation: explicit Deny beats Allow, otherwise Allow, otherwise implicit deny; action
 * and resource wildcards; NotAction/NotResource; every condition operator family; and
 * Eucalyptus's admin rules.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy } from '../../src/backend/iam/policy/document';
import { accessDenied } from '../../src/backend/iam/policy/index';
import {
  actionMatches,
  evaluate,
  isAllowed,
  type PolicyRequest,
  resourceMatches,
} from '../../src/backend/iam/policy/evaluate';

const policy = (...statements: object[]) =>
  parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }));
const allow = (Action: unknown, Resource: unknown = '*', Condition?: object) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
const deny = (Action: unknown, Resource: unknown = '*', Condition?: object) => ({
  Effect: 'Deny',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
const req = (action: string, resources: string[] = ['*'], context: PolicyRequest['context'] = {}): PolicyRequest => ({
  action,
  resources,
  context,
});

const ACCT = '123456789012';
const inst = (id: string, acct = ACCT) => `arn:aws:ec2::${acct}:instance/${id}`;

test('no policy: implicit deny of every action', () => {
  assert.equal(evaluate(req('ec2:DescribeInstances'), []), 'ImplicitDeny');
  assert.equal(evaluate(req('s3:GetObject', ['arn:aws:s3:::b/k']), []), 'ImplicitDeny');
});

test('an Allow allows; other actions stay denied', () => {
  const p = [policy(allow('ec2:RunInstances'))];
  assert.equal(evaluate(req('ec2:RunInstances'), p), 'Allow');
  assert.equal(evaluate(req('ec2:TerminateInstances'), p), 'ImplicitDeny');
});

test('explicit Deny beats Allow, across statements and across policies (another group)', () => {
  assert.equal(evaluate(req('ec2:RunInstances'), [policy(allow('ec2:*'), deny('ec2:RunInstances'))]), 'Deny');
  assert.equal(evaluate(req('ec2:RunInstances'), [policy(allow('*')), policy(deny('ec2:Run*'))]), 'Deny');
  assert.equal(evaluate(req('ec2:DescribeImages'), [policy(allow('*')), policy(deny('ec2:Run*'))]), 'Allow');
});

test('ec2:Describe* lets describes through and nothing else', () => {
  const p = [policy(allow('ec2:Describe*'))];
  for (const a of ['ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:describeregions', 'EC2:DESCRIBEKEYPAIRS'])
    assert.equal(evaluate(req(a), p), 'Allow', a);
  for (const a of ['ec2:RunInstances', 'ec2:CreateKeyPair', 's3:DescribeX', 'iam:DescribeX'])
    assert.equal(evaluate(req(a), p), 'ImplicitDeny', a);
});

test('action wildcards: *, ?, service prefix, case-insensitive', () => {
  assert.ok(actionMatches('*', 'iam:CreateUser'));
  assert.ok(actionMatches('iam:*', 'iam:CreateUser'));
  assert.ok(!actionMatches('iam:*', 'ec2:CreateUser'));
  assert.ok(actionMatches('ec2:?unInstances', 'ec2:RunInstances'));
  assert.ok(!actionMatches('ec2:?Instances', 'ec2:RunInstances'));
  assert.ok(actionMatches('S3:getobject', 's3:GetObject'));
  assert.ok(actionMatches('s3:*Object', 's3:DeleteObject'));
  assert.ok(!actionMatches('s3:*Object', 's3:DeleteObjectVersion'));
  assert.ok(!actionMatches('ec2:Run.*', 'ec2:RunInstances'), 'regex characters are literal');
});

test('resource ARNs with wildcards', () => {
  assert.ok(resourceMatches('*', 'arn:aws:s3:::b/k'));
  assert.ok(resourceMatches('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c'));
  assert.ok(!resourceMatches('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket'));
  assert.ok(!resourceMatches('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket2/k'));
  assert.ok(resourceMatches('arn:aws:s3:::bucket/key', 'arn:aws:s3:::bucket/key'));
  assert.ok(!resourceMatches('arn:aws:s3:::bucket/key', 'arn:aws:s3:::bucket/Key'), 'resources are case-sensitive');
  assert.ok(resourceMatches('arn:aws:ec2:::instance/*', inst('i-12345678')), 'an empty account matches any account');
  assert.ok(resourceMatches('arn:aws:ec2:::image/emi-*', `arn:aws:ec2::${ACCT}:image/emi-ABCD1234`));
  assert.ok(!resourceMatches('arn:aws:ec2:::image/emi-*', `arn:aws:ec2::${ACCT}:image/eki-ABCD1234`));
  assert.ok(resourceMatches(`arn:aws:ec2::${ACCT}:instance/i-*`, inst('i-1')));
  assert.ok(!resourceMatches(`arn:aws:ec2::${ACCT}:instance/i-*`, inst('i-1', '999999999999')));
  assert.ok(resourceMatches(`arn:aws:iam::${ACCT}:user/dev/*`, `arn:aws:iam::${ACCT}:user/dev/alice`));
  assert.ok(!resourceMatches(`arn:aws:iam::${ACCT}:user/dev/*`, `arn:aws:iam::${ACCT}:user/ops/bob`));
  assert.ok(resourceMatches('arn:aws:iam::*:user/?ob', `arn:aws:iam::${ACCT}:user/bob`));
  assert.ok(!resourceMatches('arn:aws:iam::*:user/?ob', `arn:aws:iam::${ACCT}:user/blob`));
  assert.ok(!resourceMatches('arn:aws:ec2:::instance/*', '*'), 'a pattern does not match an action with no resource');
});

test('resource policy variables', () => {
  const p = [policy(allow('s3:*', 'arn:aws:s3:::home/${aws:username}/*'))];
  assert.equal(evaluate(req('s3:GetObject', ['arn:aws:s3:::home/alice/f'], { 'aws:username': 'alice' }), p), 'Allow');
  assert.equal(
    evaluate(req('s3:GetObject', ['arn:aws:s3:::home/bob/f'], { 'aws:username': 'alice' }), p),
    'ImplicitDeny',
  );
  assert.equal(evaluate(req('s3:GetObject', ['arn:aws:s3:::home/alice/f'], {}), p), 'ImplicitDeny');
  assert.equal(evaluate(req('s3:GetObject', ['arn:aws:s3:::home/*/f'], { 'aws:username': '*' }), p), 'Allow');
  assert.equal(
    evaluate(req('s3:GetObject', ['arn:aws:s3:::home/x/f'], { 'aws:username': '*' }), p),
    'ImplicitDeny',
    'a value with * is literal',
  );
});

test('resource-scoped allow and deny on EC2, S3 and IAM', () => {
  const p = [
    policy(
      allow('ec2:TerminateInstances', 'arn:aws:ec2:::instance/i-1*'),
      allow('s3:GetObject', 'arn:aws:s3:::pub/*'),
      allow('iam:*', `arn:aws:iam::${ACCT}:user/dev/*`),
    ),
  ];
  assert.equal(evaluate(req('ec2:TerminateInstances', [inst('i-12')]), p), 'Allow');
  assert.equal(evaluate(req('ec2:TerminateInstances', [inst('i-22')]), p), 'ImplicitDeny');
  assert.equal(
    evaluate(req('ec2:TerminateInstances', [inst('i-12'), inst('i-22')]), p),
    'ImplicitDeny',
    'every resource must be allowed',
  );
  assert.equal(evaluate(req('s3:GetObject', ['arn:aws:s3:::pub/a']), p), 'Allow');
  assert.equal(evaluate(req('s3:GetObject', ['arn:aws:s3:::priv/a']), p), 'ImplicitDeny');
  assert.equal(evaluate(req('iam:CreateAccessKey', [`arn:aws:iam::${ACCT}:user/dev/alice`]), p), 'Allow');
  assert.equal(evaluate(req('iam:CreateAccessKey', [`arn:aws:iam::${ACCT}:user/admin`]), p), 'ImplicitDeny');
  const d = [policy(allow('ec2:*'), deny('ec2:*', 'arn:aws:ec2:::instance/i-protected'))];
  assert.equal(evaluate(req('ec2:TerminateInstances', [inst('i-other')]), d), 'Allow');
  assert.equal(evaluate(req('ec2:TerminateInstances', [inst('i-other'), inst('i-protected')]), d), 'Deny');
  assert.equal(evaluate(req('ec2:TerminateInstances', []), d), 'Allow', 'no resources means *');
});

test('NotAction', () => {
  const p = [policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })];
  assert.equal(evaluate(req('ec2:RunInstances'), p), 'Allow');
  assert.equal(evaluate(req('s3:PutObject', ['arn:aws:s3:::b/k']), p), 'Allow');
  assert.equal(evaluate(req('iam:CreateUser'), p), 'ImplicitDeny');
  const d = [policy(allow('*'), { Effect: 'Deny', NotAction: ['ec2:Describe*', 's3:Get*'], Resource: '*' })];
  assert.equal(evaluate(req('ec2:DescribeInstances'), d), 'Allow');
  assert.equal(evaluate(req('ec2:RunInstances'), d), 'Deny');
});

test('NotResource', () => {
  const p = [
    policy({ Effect: 'Allow', Action: 's3:*', NotResource: ['arn:aws:s3:::secret', 'arn:aws:s3:::secret/*'] }),
  ];
  assert.equal(evaluate(req('s3:GetObject', ['arn:aws:s3:::open/k']), p), 'Allow');
  assert.equal(evaluate(req('s3:GetObject', ['arn:aws:s3:::secret/k']), p), 'ImplicitDeny');
  assert.equal(evaluate(req('s3:ListBucket', ['arn:aws:s3:::secret']), p), 'ImplicitDeny');
  const d = [policy(allow('s3:*'), { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::mine/*' })];
  assert.equal(evaluate(req('s3:GetObject', ['arn:aws:s3:::mine/k']), d), 'Allow');
  assert.equal(evaluate(req('s3:GetObject', ['arn:aws:s3:::yours/k']), d), 'Deny');
});

test('IpAddress / NotIpAddress on aws:SourceIp, CIDR matching', () => {
  const p = [
    policy(allow('ec2:*', '*', { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32'] } })),
  ];
  const from = (ip: string) => evaluate(req('ec2:RunInstances', ['*'], { 'aws:SourceIp': ip }), p);
  assert.equal(from('10.255.3.4'), 'Allow');
  assert.equal(from('11.0.0.1'), 'ImplicitDeny');
  assert.equal(from('192.168.1.7'), 'Allow');
  assert.equal(from('192.168.1.8'), 'ImplicitDeny');
  assert.equal(from('2001:db8:1::5'), 'Allow');
  assert.equal(from('2001:db9::5'), 'ImplicitDeny');
  assert.equal(from('::ffff:10.1.1.1'), 'Allow', 'an IPv4-mapped address');
  assert.equal(from('not-an-ip'), 'ImplicitDeny');
  assert.equal(evaluate(req('ec2:RunInstances'), p), 'ImplicitDeny', 'no source address: the condition fails');
  const odd = [policy(allow('ec2:*', '*', { IpAddress: { 'aws:SourceIp': '172.16.5.0/22' } }))];
  assert.equal(evaluate(req('ec2:X', ['*'], { 'aws:SourceIp': '172.16.7.255' }), odd), 'Allow');
  assert.equal(evaluate(req('ec2:X', ['*'], { 'aws:SourceIp': '172.16.8.0' }), odd), 'ImplicitDeny');
  const n = [policy(allow('*'), deny('*', '*', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }))];
  assert.equal(evaluate(req('ec2:RunInstances', ['*'], { 'aws:SourceIp': '10.1.1.1' }), n), 'Allow');
  assert.equal(evaluate(req('ec2:RunInstances', ['*'], { 'aws:SourceIp': '8.8.8.8' }), n), 'Deny');
});

test('DateLessThan / DateGreaterThan on aws:CurrentTime', () => {
  const p = [
    policy(
      allow('s3:*', '*', {
        DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
        DateLessThan: { 'aws:CurrentTime': '2021-01-01T00:00:00Z' },
      }),
    ),
  ];
  const at = (t: string) => evaluate(req('s3:GetObject', ['*'], { 'aws:CurrentTime': t }), p);
  assert.equal(at('2020-06-01T12:00:00Z'), 'Allow');
  assert.equal(at('2019-12-31T23:59:59Z'), 'ImplicitDeny');
  assert.equal(at('2021-01-01T00:00:00Z'), 'ImplicitDeny', 'strictly less');
  assert.equal(at('2022-01-01T00:00:00Z'), 'ImplicitDeny');
  const eq = [policy(allow('s3:*', '*', { DateLessThanEquals: { 'aws:CurrentTime': '1577836800' } }))];
  assert.equal(
    evaluate(req('s3:X', ['*'], { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }), eq),
    'Allow',
    'epoch seconds in the policy',
  );
  assert.equal(evaluate(req('s3:X', ['*'], { 'aws:CurrentTime': '2020-01-01T00:00:01Z' }), eq), 'ImplicitDeny');
});

test('Bool on aws:SecureTransport', () => {
  const p = [policy(allow('*'), deny('s3:*', '*', { Bool: { 'aws:SecureTransport': 'false' } }))];
  assert.equal(evaluate(req('s3:GetObject', ['*'], { 'aws:SecureTransport': 'true' }), p), 'Allow');
  assert.equal(evaluate(req('s3:GetObject', ['*'], { 'aws:SecureTransport': 'false' }), p), 'Deny');
  assert.equal(evaluate(req('s3:GetObject', ['*'], { 'aws:SecureTransport': 'FALSE' }), p), 'Deny');
  assert.equal(
    evaluate(req('s3:GetObject', ['*'], {}), p),
    'Allow',
    'absent key: the condition fails, the Deny does not apply',
  );
});

test('String operators; keys case-insensitive, values case-sensitive unless IgnoreCase', () => {
  const ctx = { 'ec2:InstanceType': 'm1.small', 'AWS:UserName': 'Alice' };
  const one = (cond: object, c: PolicyRequest['context'] = ctx) =>
    evaluate(req('ec2:RunInstances', ['*'], c), [policy(allow('ec2:*', '*', cond))]);
  assert.equal(one({ StringEquals: { 'ec2:instancetype': 'm1.small' } }), 'Allow');
  assert.equal(one({ StringEquals: { 'ec2:InstanceType': ['c1.medium', 'm1.small'] } }), 'Allow', 'any of the values');
  assert.equal(one({ StringEquals: { 'ec2:InstanceType': 'M1.SMALL' } }), 'ImplicitDeny');
  assert.equal(one({ StringEqualsIgnoreCase: { 'ec2:InstanceType': 'M1.SMALL' } }), 'Allow');
  assert.equal(one({ StringNotEquals: { 'ec2:InstanceType': 'm1.small' } }), 'ImplicitDeny');
  assert.equal(one({ StringNotEquals: { 'ec2:InstanceType': 'm1.large' } }), 'Allow');
  assert.equal(one({ StringNotEquals: { 'ec2:Missing': 'x' } }), 'Allow', 'a negated operator holds for an absent key');
  assert.equal(one({ StringLike: { 'ec2:InstanceType': 'm1.*' } }), 'Allow');
  assert.equal(one({ StringLike: { 'ec2:InstanceType': 'm?.small' } }), 'Allow');
  assert.equal(one({ StringLike: { 'ec2:InstanceType': 'c1.*' } }), 'ImplicitDeny');
  assert.equal(one({ StringNotLike: { 'ec2:InstanceType': 'c1.*' } }), 'Allow');
  assert.equal(one({ StringEquals: { 'aws:username': 'Alice' } }), 'Allow');
  assert.equal(one({ StringEquals: { 'ec2:Missing': 'x' } }), 'ImplicitDeny');
  assert.equal(one({ StringEqualsIfExists: { 'ec2:Missing': 'x' } }), 'Allow');
  assert.equal(
    one({ StringEquals: { 'ec2:InstanceType': 'm1.small' }, StringLike: { 'aws:username': 'B*' } }),
    'ImplicitDeny',
    'every condition must hold',
  );
});

test('Numeric, Null, Arn and set operators', () => {
  const one = (cond: object, c: PolicyRequest['context']) =>
    evaluate(req('ec2:RunInstances', ['*'], c), [policy(allow('ec2:*', '*', cond))]);
  assert.equal(one({ NumericLessThan: { 'ec2:Count': 5 } }, { 'ec2:Count': '4' }), 'Allow');
  assert.equal(one({ NumericLessThan: { 'ec2:Count': 5 } }, { 'ec2:Count': '5' }), 'ImplicitDeny');
  assert.equal(one({ NumericGreaterThanEquals: { 'ec2:Count': '5' } }, { 'ec2:Count': '5' }), 'Allow');
  assert.equal(one({ NumericEquals: { 'ec2:Count': '5' } }, { 'ec2:Count': 'x' }), 'ImplicitDeny');
  assert.equal(one({ Null: { 'ec2:Tag': 'true' } }, {}), 'Allow');
  assert.equal(one({ Null: { 'ec2:Tag': 'true' } }, { 'ec2:Tag': 'a' }), 'ImplicitDeny');
  assert.equal(one({ Null: { 'ec2:Tag': 'false' } }, { 'ec2:Tag': 'a' }), 'Allow');
  assert.equal(
    one({ ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::b/*' } }, { 'aws:SourceArn': 'arn:aws:s3:::b/x' }),
    'Allow',
  );
  assert.equal(
    one({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:s3:::b/*' } }, { 'aws:SourceArn': 'arn:aws:s3:::b/x' }),
    'ImplicitDeny',
  );
  assert.equal(one({ 'ForAllValues:StringEquals': { 'ec2:Tags': ['a', 'b'] } }, { 'ec2:Tags': ['a', 'b'] }), 'Allow');
  assert.equal(
    one({ 'ForAllValues:StringEquals': { 'ec2:Tags': ['a', 'b'] } }, { 'ec2:Tags': ['a', 'c'] }),
    'ImplicitDeny',
  );
  assert.equal(
    one({ 'ForAllValues:StringEquals': { 'ec2:Tags': ['a'] } }, {}),
    'Allow',
    'ForAllValues holds vacuously',
  );
  assert.equal(one({ 'ForAnyValue:StringEquals': { 'ec2:Tags': ['a'] } }, { 'ec2:Tags': ['z', 'a'] }), 'Allow');
  assert.equal(one({ 'ForAnyValue:StringEquals': { 'ec2:Tags': ['a'] } }, {}), 'ImplicitDeny');
});

test('Eucalyptus: account admins and the cloud admin are allowed everything; other users only by policy', () => {
  const r = req('ec2:TerminateInstances', [inst('i-1')]);
  assert.ok(isAllowed({ accountName: 'eucalyptus', userName: 'admin' }, r, []));
  assert.ok(
    isAllowed({ accountName: 'eucalyptus', userName: 'admin', accountId: '000000000001' }, r, []),
    'the cloud admin, anywhere',
  );
  assert.ok(isAllowed({ accountName: 'dev', userName: 'admin' }, r, []));
  assert.ok(
    isAllowed({ accountName: 'dev', userName: 'admin', accountId: ACCT }, r, []),
    'an account admin, within the account',
  );
  assert.ok(
    !isAllowed({ accountName: 'dev', userName: 'admin', accountId: '999999999999' }, r, []),
    'not in another account',
  );
  assert.ok(
    isAllowed(
      { accountName: 'dev', userName: 'admin', accountId: '999999999999' },
      req('s3:GetObject', ['arn:aws:s3:::b/k']),
      [],
    ),
  );
  assert.ok(
    !isAllowed({ accountName: 'eucalyptus', userName: 'alice' }, r, []),
    "the cloud account's other users need policies",
  );
  assert.ok(!isAllowed({ accountName: 'dev', userName: 'alice' }, r, []));
  assert.ok(isAllowed({ accountName: 'dev', userName: 'alice' }, r, [policy(allow('ec2:*'))]));
  assert.ok(
    !isAllowed({ accountName: 'dev', userName: 'alice' }, r, [policy(allow('ec2:*')), policy(deny('ec2:Terminate*'))]),
  );
});

test('denials answer as each service does, all 403', () => {
  assert.deepEqual([accessDenied('ec2').code, accessDenied('ec2').status], ['UnauthorizedOperation', 403]);
  assert.deepEqual([accessDenied('s3').code, accessDenied('s3').message], ['AccessDenied', 'Access Denied']);
  const e = accessDenied('iam', 'iam:CreateUser', `arn:aws:iam::${ACCT}:user/alice`, `arn:aws:iam::${ACCT}:user/bob`);
  assert.equal(e.code, 'AccessDenied');
  assert.equal(e.status, 403);
  assert.equal(
    e.message,
    `User: arn:aws:iam::${ACCT}:user/alice is not authorized to perform: iam:CreateUser on resource: ` +
      `arn:aws:iam::${ACCT}:user/bob`,
  );
});

test('resource policies: Principal and NotPrincipal decide which statements apply to whom', () => {
  const acct = '111122223333';
  const doc = parsePolicy(
    JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { AWS: acct }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
        { Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' },
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: `arn:aws:iam::${acct}:user/ops` },
          Action: 's3:DeleteObject',
          Resource: 'arn:aws:s3:::b/*',
        },
      ],
    }),
    { resourcePolicy: true },
  );
  const ask = (action: string, resource: string, requester?: { accountId: string; userArn: string }) =>
    evaluate({ action, resources: [resource], context: {}, requester }, [doc]);
  const alice = { accountId: acct, userArn: `arn:aws:iam::${acct}:user/alice` };
  const ops = { accountId: acct, userArn: `arn:aws:iam::${acct}:user/ops` };
  const stranger = { accountId: '999988887777', userArn: 'arn:aws:iam::999988887777:user/x' };
  assert.equal(ask('s3:GetObject', 'arn:aws:s3:::b/k', alice), 'Allow');
  assert.equal(ask('s3:GetObject', 'arn:aws:s3:::b/k', stranger), 'ImplicitDeny');
  assert.equal(ask('s3:GetObject', 'arn:aws:s3:::b/k'), 'ImplicitDeny');
  assert.equal(ask('s3:ListBucket', 'arn:aws:s3:::b'), 'Allow');
  assert.equal(ask('s3:DeleteObject', 'arn:aws:s3:::b/k', alice), 'Deny');
  assert.equal(ask('s3:DeleteObject', 'arn:aws:s3:::b/k', ops), 'ImplicitDeny');
  assert.equal(ask('s3:DeleteObject', 'arn:aws:s3:::b/k'), 'Deny');
  assert.throws(
    () => parsePolicy('{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}', { resourcePolicy: true }),
    /Principal/,
  );
  assert.throws(
    () =>
      parsePolicy('{"Statement":{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"s3:*","Resource":"*"}}', {
        resourcePolicy: true,
      }),
    /invalid principal/,
  );
  assert.throws(
    () => parsePolicy('{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}'),
    /should not specify a principal/,
  );
});
