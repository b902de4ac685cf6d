/**
 * The issue's table of enforcement cases, from request to decision: the request mapped to its
 * action and resources, evaluated against a user's and their groups' policies.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  authorizationFor,
  buildPolicy,
  isAllowed,
  parsePolicy,
  requestContext,
  type ServiceRequest,
} from '../../src/backend/iam/policy/index';
import { impliedEc2Requests } from '../../src/backend/iam/policy/actions';

const A = '123456789012';
const alice = { accountName: 'dev', userName: 'alice', accountId: A };
const p = (text: string) => parsePolicy(text);
const doc = (...statements: object[]) => p(JSON.stringify({ Version: '2012-10-17', Statement: statements }));

const EC2 = (action: string, input: object = {}): ServiceRequest => ({
  service: 'ec2',
  action,
  input,
  accountId: A,
});
const IAM = (action: string, input: object = {}): ServiceRequest => ({
  service: 'iam',
  action,
  input,
  accountId: A,
});
const S3 = (method: string, path: string, query: Record<string, string> = {}): ServiceRequest => ({
  service: 's3',
  method,
  path,
  query,
});

const ctx = requestContext({
  sourceIp: '::ffff:10.1.2.3',
  secure: false,
  now: new Date('2020-06-01T00:00:00Z'),
  userName: 'alice',
  accountId: A,
});

function allowed(r: ServiceRequest, policies: ReturnType<typeof p>[], context = ctx) {
  const { action, resources } = authorizationFor(r);
  return isAllowed(alice, { action, resources, context }, policies);
}

const ALL: ServiceRequest[] = [
  EC2('DescribeInstances'),
  EC2('RunInstances', { ImageId: 'emi-1' }),
  EC2('TerminateInstances', { InstanceIds: ['i-1'] }),
  EC2('CreateKeyPair', { KeyName: 'k' }),
  IAM('CreateUser', { UserName: 'bob' }),
  IAM('ListUsers'),
  S3('GET', '/'),
  S3('PUT', '/b'),
  S3('GET', '/b/k'),
  S3('DELETE', '/b/k'),
];

test('the request context', () => {
  assert.equal(ctx['aws:SourceIp'], '10.1.2.3');
  assert.equal(ctx['aws:CurrentTime'], '2020-06-01T00:00:00.000Z');
  assert.equal(ctx['aws:SecureTransport'], 'false');
  assert.equal(ctx['aws:username'], 'alice');
});

test('a user with no policy is denied every action; the account admin is allowed all', () => {
  for (const r of ALL) assert.equal(allowed(r, []), false, JSON.stringify(r));
  for (const r of ALL)
    assert.ok(
      isAllowed({ accountName: 'dev', userName: 'admin', accountId: A }, { ...authorizationFor(r), context: ctx }, []),
    );
});

test('Allow ec2:Describe* lets describes through and nothing else', () => {
  const pol = [doc({ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' })];
  assert.deepEqual(
    ALL.map((r) => allowed(r, pol)),
    [true, false, false, false, false, false, false, false, false, false],
  );
});

test("the seed's RunInstances policy allows running and nothing else", () => {
  const pol = [p(buildPolicy('Allow', ['ec2:RunInstances']))];
  assert.deepEqual(
    ALL.map((r) => allowed(r, pol)),
    [false, true, false, false, false, false, false, false, false, false],
  );
});

test('a Deny from one group beats an Allow from another', () => {
  const pol = [
    p(buildPolicy('Allow', ['ec2:*', 's3:*', 'iam:*'])),
    p(buildPolicy('Deny', ['ec2:TerminateInstances', 's3:Delete*', 'iam:CreateUser'])),
  ];
  assert.deepEqual(
    ALL.map((r) => allowed(r, pol)),
    [true, true, false, true, false, true, true, true, true, false],
  );
});

test('resource ARNs on EC2, S3 and IAM', () => {
  const pol = [
    doc(
      {
        Effect: 'Allow',
        Action: 'ec2:RunInstances',
        Resource: ['arn:aws:ec2:::image/emi-1', 'arn:aws:ec2:::vmtype/*'],
      },
      { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' },
      { Effect: 'Allow', Action: 'iam:*', Resource: `arn:aws:iam::${A}:user/b*` },
    ),
  ];
  assert.ok(allowed(EC2('RunInstances', { ImageId: 'emi-1' }), pol));
  assert.ok(!allowed(EC2('RunInstances', { ImageId: 'emi-2' }), pol));
  assert.ok(!allowed(EC2('RunInstances', { ImageId: 'emi-1', KeyName: 'k' }), pol), 'the key pair is not allowed');
  assert.ok(allowed(S3('GET', '/b/k'), pol));
  assert.ok(!allowed(S3('GET', '/c/k'), pol));
  assert.ok(!allowed(S3('PUT', '/b'), pol), 'the bucket itself is not b/*');
  assert.ok(allowed(IAM('CreateUser', { UserName: 'bob' }), pol));
  assert.ok(!allowed(IAM('CreateUser', { UserName: 'carol' }), pol));
});

test('each condition operator allows and denies on EC2, S3 and IAM alike', () => {
  const cases: [object, boolean][] = [
    [{ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, true],
    [{ IpAddress: { 'aws:SourceIp': '192.168.0.0/16' } }, false],
    [{ NotIpAddress: { 'aws:SourceIp': '192.168.0.0/16' } }, true],
    [{ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, false],
    [{ StringEquals: { 'aws:username': 'alice' } }, true],
    [{ StringEquals: { 'aws:username': 'bob' } }, false],
    [{ StringLike: { 'aws:username': 'a*' } }, true],
    [{ StringLike: { 'aws:username': 'b*' } }, false],
    [{ DateLessThan: { 'aws:CurrentTime': '2021-01-01T00:00:00Z' } }, true],
    [{ DateLessThan: { 'aws:CurrentTime': '2019-01-01T00:00:00Z' } }, false],
    [{ DateGreaterThan: { 'aws:CurrentTime': '2019-01-01T00:00:00Z' } }, true],
    [{ DateGreaterThan: { 'aws:CurrentTime': '2021-01-01T00:00:00Z' } }, false],
    [{ Bool: { 'aws:SecureTransport': 'false' } }, true],
    [{ Bool: { 'aws:SecureTransport': 'true' } }, false],
  ];
  for (const [Condition, expected] of cases) {
    const pol = [doc({ Effect: 'Allow', Action: ['ec2:*', 's3:*', 'iam:*'], Resource: '*', Condition })];
    for (const r of [EC2('DescribeInstances'), S3('GET', '/b/k'), IAM('CreateUser', { UserName: 'bob' })]) {
      assert.equal(allowed(r, pol), expected, `${JSON.stringify(Condition)} ${JSON.stringify(r)}`);
    }
    const denyPol = [
      doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*', Condition }),
    ];
    assert.equal(allowed(EC2('DescribeInstances'), denyPol), !expected, `Deny ${JSON.stringify(Condition)}`);
  }
});

test('a stopped instance given a new type, kernel or ramdisk is checked as a launch with them', () => {
  // Anything on EC2, but no large VM types at launch.
  const pol = [
    doc(
      { Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
      { Effect: 'Deny', Action: 'ec2:RunInstances', Resource: 'arn:aws:ec2:::vmtype/*large' },
    ),
  ];
  const change = (input: object) => {
    const implied = impliedEc2Requests('ModifyInstanceAttribute', { InstanceId: 'i-1', ...input });
    return [EC2('ModifyInstanceAttribute', input), ...implied.map((r) => EC2(r.action, r.input))].every((r) =>
      allowed(r, pol),
    );
  };
  assert.equal(allowed(EC2('RunInstances', { ImageId: 'emi-1', InstanceType: 'm1.large' }), pol), false);
  assert.equal(change({ InstanceType: { Value: 'm1.large' } }), false);
  assert.equal(change({ Attribute: 'instanceType', Value: 'c1.xlarge' }), false);
  assert.equal(change({ InstanceType: { Value: 'c1.medium' } }), true);
  assert.equal(change({ DisableApiTermination: { Value: true } }), true);
  // A kernel change alone names the kernel, not a type the instance may not have.
  assert.deepEqual(impliedEc2Requests('ModifyInstanceAttribute', { Kernel: { Value: 'eki-1' } }), [
    { action: 'RunInstances', input: { InstanceType: undefined, KernelId: 'eki-1', RamdiskId: undefined } },
  ]);
  assert.deepEqual(impliedEc2Requests('StopInstances', { InstanceIds: ['i-1'] }), []);
});
