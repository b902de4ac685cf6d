/** Requests to (action, resources): EC2 Query actions, IAM actions and S3 operations. */
import assert from 'node:assert/strict';
import { ec2Model } from '../../src/shared/wire/ec2-model';
import { iamModel } from '../../src/shared/wire/iam-model';
import { parseQuery } from '../../src/shared/wire/query';
import { test } from 'node:test';
import {
  authorizationFor,
  ec2Authorization,
  iamAuthorization,
  iamArn,
  s3Authorization,
} from '../../src/backend/iam/policy/actions';

const A = '123456789012';
const ec2 = (type: string, id: string) => `arn:aws:ec2::${A}:${type}/${id}`;

test('lists: what an action reads as items is what is authorized, odd indexes are refused', () => {
  const params = {
    'InstanceId.1': 'i-1',
    'InstanceId.1.0': 'i-2',
    'InstanceId. 1': 'i-3',
    'InstanceId.0x2': 'i-4',
    'InstanceId.+3': 'i-5',
    'InstanceId.1e0': 'i-6',
    'InstanceId.01': 'i-7',
  };
  // Authorization reads the input the model read: the one item it acts on; the rest are refused.
  const { input, unknown } = parseQuery(ec2Model, 'TerminateInstances', params);
  assert.equal(unknown.length, 6);
  assert.deepEqual(ec2Authorization('TerminateInstances', input, A).resources, [ec2('instance', 'i-1')]);
  const ordered = parseQuery(ec2Model, 'TerminateInstances', {
    'InstanceId.2': 'i-b',
    'InstanceId.10': 'i-c',
    'InstanceId.1': 'i-a',
  });
  assert.deepEqual(ec2Authorization('TerminateInstances', ordered.input, A).resources, [
    ec2('instance', 'i-a'),
    ec2('instance', 'i-b'),
    ec2('instance', 'i-c'),
  ]);
});

test('EC2: describes have no resource', () => {
  assert.deepEqual(ec2Authorization('DescribeInstances', { InstanceIds: ['i-1'] }, A), {
    action: 'ec2:DescribeInstances',
    resources: ['*'],
  });
  assert.deepEqual(ec2Authorization('AllocateAddress', {}, A), { action: 'ec2:AllocateAddress', resources: ['*'] });
});

test('EC2: RunInstances names its image, type, key pair, groups and zone', () => {
  const r = ec2Authorization(
    'RunInstances',
    {
      ImageId: 'emi-1',
      InstanceType: 'c1.medium',
      KeyName: 'k',
      SecurityGroups: ['default', 'web'],
      Placement: { AvailabilityZone: 'PARTI00' },
      MinCount: 1,
    },
    A,
  );
  assert.deepEqual(r, {
    action: 'ec2:RunInstances',
    resources: [
      ec2('image', 'emi-1'),
      ec2('vmtype', 'c1.medium'),
      ec2('keypair', 'k'),
      ec2('securitygroup', 'default'),
      ec2('securitygroup', 'web'),
      ec2('availabilityzone', 'PARTI00'),
    ],
  });
  assert.deepEqual(ec2Authorization('RunInstances', { ImageId: 'emi-1' }, A).resources, [
    ec2('image', 'emi-1'),
    ec2('vmtype', 'm1.small'),
  ]);
});

test('EC2: instances, volumes, snapshots, images, groups, key pairs, addresses, tags', () => {
  assert.deepEqual(ec2Authorization('TerminateInstances', { InstanceIds: ['i-1', 'i-2'] }, A).resources, [
    ec2('instance', 'i-1'),
    ec2('instance', 'i-2'),
  ]);
  assert.deepEqual(
    ec2Authorization('AttachVolume', { VolumeId: 'vol-1', InstanceId: 'i-1', Device: '/dev/sdf' }, A).resources,
    [ec2('volume', 'vol-1'), ec2('instance', 'i-1')],
  );
  assert.deepEqual(ec2Authorization('CreateSnapshot', { VolumeId: 'vol-1' }, A).resources, [ec2('volume', 'vol-1')]);
  assert.deepEqual(ec2Authorization('DeleteSnapshot', { SnapshotId: 'snap-1' }, A).resources, [
    ec2('snapshot', 'snap-1'),
  ]);
  assert.deepEqual(ec2Authorization('CreateVolume', { Size: 1, AvailabilityZone: 'z' }, A).resources, [
    ec2('availabilityzone', 'z'),
  ]);
  assert.deepEqual(ec2Authorization('DeregisterImage', { ImageId: 'emi-1' }, A).resources, [ec2('image', 'emi-1')]);
  assert.deepEqual(ec2Authorization('ModifyImageAttribute', { ImageId: 'emi-1' }, A).resources, [
    ec2('image', 'emi-1'),
  ]);
  assert.deepEqual(ec2Authorization('AuthorizeSecurityGroupIngress', { GroupName: 'web' }, A), {
    action: 'ec2:AuthorizeSecurityGroupIngress',
    resources: [ec2('securitygroup', 'web')],
  });
  assert.deepEqual(ec2Authorization('CreateKeyPair', { KeyName: 'mykey' }, A).resources, [ec2('keypair', 'mykey')]);
  assert.deepEqual(ec2Authorization('AssociateAddress', { PublicIp: '1.2.3.4', InstanceId: 'i-1' }, A).resources, [
    ec2('address', '1.2.3.4'),
    ec2('instance', 'i-1'),
  ]);
  assert.deepEqual(ec2Authorization('CreateTags', { Resources: ['i-1', 'emi-2', 'vol-3', 'x-4'] }, A).resources, [
    ec2('instance', 'i-1'),
    ec2('image', 'emi-2'),
    ec2('volume', 'vol-3'),
  ]);
});

test('IAM: the target user or group ARN, with its path', () => {
  assert.deepEqual(iamAuthorization('CreateUser', { UserName: 'alice', Path: '/dev/' }, A), {
    action: 'iam:CreateUser',
    resources: [`arn:aws:iam::${A}:user/dev/alice`],
  });
  assert.deepEqual(
    iamAuthorization('DeleteUser', { UserName: 'alice' }, A, {
      find: (t, n) => (t === 'user' && n === 'alice' ? { name: 'alice', path: '/dev/' } : undefined),
    }).resources,
    [`arn:aws:iam::${A}:user/dev/alice`],
  );
  assert.deepEqual(
    iamAuthorization('PutGroupPolicy', { GroupName: 'g', PolicyName: 'p', PolicyDocument: '{}' }, A).resources,
    [`arn:aws:iam::${A}:group/g`],
  );
  assert.deepEqual(iamAuthorization('AddUserToGroup', { GroupName: 'g', UserName: 'u' }, A).resources, [
    `arn:aws:iam::${A}:group/g`,
  ]);
  assert.deepEqual(iamAuthorization('CreateAccessKey', {}, A, { callerUserName: 'bob' }).resources, [
    `arn:aws:iam::${A}:user/bob`,
  ]);
  assert.deepEqual(iamAuthorization('ListUsers', {}, A), { action: 'iam:ListUsers', resources: ['*'] });
  assert.equal(iamArn(A, 'group', 'g', '/a/b'), `arn:aws:iam::${A}:group/a/b/g`);
});

test('IAM: a rename or move names both sides (seed 000, "Modify a Group")', () => {
  const at = { find: (_t: string, n: string) => ({ name: n, path: '/area_abc/' }) };
  assert.deepEqual(iamAuthorization('UpdateGroup', { GroupName: 'g', NewPath: '/area_efg/' }, A, at).resources, [
    `arn:aws:iam::${A}:group/area_abc/g`,
    `arn:aws:iam::${A}:group/area_efg/g`,
  ]);
  assert.deepEqual(iamAuthorization('UpdateUser', { UserName: 'u', NewUserName: 'v' }, A, at).resources, [
    `arn:aws:iam::${A}:user/area_abc/u`,
    `arn:aws:iam::${A}:user/area_abc/v`,
  ]);
  assert.deepEqual(iamAuthorization('UpdateGroup', { GroupName: 'g' }, A, at).resources, [
    `arn:aws:iam::${A}:group/area_abc/g`,
  ]);
});

test('IAM: the ARN names the entity the action acts on, as stored, whatever other parameter is sent', () => {
  const find = (t: string, n: string) =>
    t === 'group' && n.toLowerCase() === 'admins'
      ? { name: 'admins', path: '/' }
      : t === 'user' && n === 'admin'
        ? { name: 'admin', path: '/' }
        : undefined;
  // A group found without case is one resource, however it is spelled.
  assert.deepEqual(iamAuthorization('AddUserToGroup', { GroupName: 'ADMINS', UserName: 'u' }, A, { find }).resources, [
    `arn:aws:iam::${A}:group/admins`,
  ]);
  // CreateAccessKey acts on a user: a GroupName beside it is not what is authorized...
  assert.deepEqual(
    iamAuthorization('CreateAccessKey', { UserName: 'admin', GroupName: 'devs' }, A, { find }).resources,
    [`arn:aws:iam::${A}:user/admin`],
  );
  // ...and is refused before that, as a parameter the action does not take.
  assert.deepEqual(
    parseQuery(iamModel, 'CreateAccessKey', {
      Action: 'CreateAccessKey',
      Version: 'v',
      UserName: 'admin',
      GroupName: 'devs',
    }).unknown,
    ['GroupName'],
  );
  assert.deepEqual(
    parseQuery(
      iamModel,
      'AddUserToGroup',
      { Action: 'x', GroupName: 'g', UserName: 'u', DelegateAccount: 'a' },
      new Set(['DelegateAccount']),
    ).unknown,
    [],
  );
});

test('EC2: a resource named by its ID or its name is one ARN, from the stored name', () => {
  const canonical = (type: string, v: string) =>
    type === 'securitygroup' && (v === 'sg-12345678' || v === 'default') ? 'default' : undefined;
  const byId = ec2Authorization('AuthorizeSecurityGroupIngress', { GroupId: 'sg-12345678' }, A, canonical);
  const byName = ec2Authorization('AuthorizeSecurityGroupIngress', { GroupName: 'default' }, A, canonical);
  assert.deepEqual(byId.resources, [ec2('securitygroup', 'default')]);
  assert.deepEqual(byName.resources, byId.resources);
  assert.deepEqual(
    ec2Authorization(
      'RunInstances',
      { ImageId: 'emi-1', SecurityGroupIds: ['sg-12345678'] },
      A,
      canonical,
    ).resources.filter((r) => r.includes('securitygroup')),
    [ec2('securitygroup', 'default')],
  );
});

test('S3: object tagging has its own actions', () => {
  const s3 = (method: string, path: string, query = {}) => s3Authorization({ method, path, query }).action;
  assert.equal(s3('GET', '/b/k', { tagging: '' }), 's3:GetObjectTagging');
  assert.equal(s3('PUT', '/b/k', { tagging: '' }), 's3:PutObjectTagging');
  assert.equal(s3('DELETE', '/b/k', { tagging: '' }), 's3:DeleteObjectTagging');
  assert.equal(s3('PUT', '/b', { tagging: '' }), 's3:PutBucketTagging');
  assert.equal(s3('PUT', '/b', { cors: '' }), 's3:PutBucketCORS');
  assert.equal(s3('GET', '/b', { lifecycle: '' }), 's3:GetLifecycleConfiguration');
});

test('S3: service, bucket and object operations', () => {
  const s3 = (method: string, path: string, query = {}) => s3Authorization({ method, path, query });
  assert.deepEqual(s3('GET', '/'), { action: 's3:ListAllMyBuckets', resources: ['arn:aws:s3:::*'] });
  assert.deepEqual(s3('PUT', '/b'), { action: 's3:CreateBucket', resources: ['arn:aws:s3:::b'] });
  assert.deepEqual(s3('GET', '/b', { prefix: 'x' }), { action: 's3:ListBucket', resources: ['arn:aws:s3:::b'] });
  assert.deepEqual(s3('HEAD', '/b/'), { action: 's3:ListBucket', resources: ['arn:aws:s3:::b'] });
  assert.deepEqual(s3('DELETE', '/b'), { action: 's3:DeleteBucket', resources: ['arn:aws:s3:::b'] });
  assert.deepEqual(s3('GET', '/b', { acl: '' }), { action: 's3:GetBucketAcl', resources: ['arn:aws:s3:::b'] });
  assert.deepEqual(s3('GET', '/b', { location: '' }).action, 's3:GetBucketLocation');
  assert.deepEqual(s3('PUT', '/b', { acl: '' }).action, 's3:PutBucketAcl');
  assert.deepEqual(s3('GET', '/b/a/key.txt'), { action: 's3:GetObject', resources: ['arn:aws:s3:::b/a/key.txt'] });
  assert.deepEqual(s3('HEAD', '/b/k'), { action: 's3:GetObject', resources: ['arn:aws:s3:::b/k'] });
  assert.deepEqual(s3('PUT', '/b/k'), { action: 's3:PutObject', resources: ['arn:aws:s3:::b/k'] });
  assert.deepEqual(s3('PUT', '/b/k', { acl: '' }).action, 's3:PutObjectAcl');
  assert.deepEqual(s3('GET', '/b/k', { acl: '' }).action, 's3:GetObjectAcl');
  assert.deepEqual(s3('DELETE', '/b/k'), { action: 's3:DeleteObject', resources: ['arn:aws:s3:::b/k'] });
  assert.deepEqual(s3('DELETE', '/b/k', { versionId: 'v' }).action, 's3:DeleteObjectVersion');
  assert.deepEqual(s3('GET', '/b/k', { versionId: 'v' }).action, 's3:GetObjectVersion');
  assert.deepEqual(s3('POST', '/b/k', { uploads: '' }).action, 's3:PutObject');
  assert.deepEqual(s3('DELETE', '/b/k', { uploadId: 'u' }).action, 's3:AbortMultipartUpload');
  assert.deepEqual(s3('POST', '/b', { delete: '' }), { action: 's3:DeleteObject', resources: ['arn:aws:s3:::b/*'] });
  assert.deepEqual(s3Authorization({ method: 'get', path: '/k/x', bucket: 'vhost' }), {
    action: 's3:GetObject',
    resources: ['arn:aws:s3:::vhost/k/x'],
  });
});

test('the dispatcher', () => {
  assert.equal(
    authorizationFor({ service: 'ec2', action: 'RunInstances', input: { ImageId: 'emi-1' }, accountId: A }).action,
    'ec2:RunInstances',
  );
  assert.equal(
    authorizationFor({ service: 'iam', action: 'GetUser', input: {}, accountId: A, options: { callerUserName: 'u' } })
      .resources[0],
    `arn:aws:iam::${A}:user/u`,
  );
  assert.equal(authorizationFor({ service: 's3', method: 'GET', path: '/b/k' }).action, 's3:GetObject');
});
