/**
 * The wire generated from AWS's models: the checked-in code is what the generator makes of the
 * checked-in models; requests are read as SDKs send them (EC2's flattened lists, IAM's
 * `.member.N`, nested structures, booleans, numbers, timestamps); a parameter an operation does
 * not define is left over, to be refused; every action the cloud serves has a model and the
 * other way round. S3's requests are read from the path, query string and headers the model
 * places each member in.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { ec2Service } from '../../src/backend/ec2';
import type { Ec2Services } from '../../src/backend/ec2/services';
import { iamService } from '../../src/backend/iam';
import type { IdentityService } from '../../src/backend/iam/service';
import type { DescribeInstancesRequest, RunInstancesRequest } from '../../src/shared/wire/ec2';
import { ec2Model } from '../../src/shared/wire/ec2-model';
import { iamModel } from '../../src/shared/wire/iam-model';
import { parseQuery } from '../../src/shared/wire/query';
import { parseRest } from '../../src/shared/wire/rest';
import type { CopyObjectRequest, GetObjectRequest, ListObjectsV2Request } from '../../src/shared/wire/s3';
import { s3Model } from '../../src/shared/wire/s3-model';
import { ROOT } from '../helpers/cli';

test('the generated wire is what scripts/wire/generate.mjs makes of the models', () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'wire', 'generate.mjs'), '--check'], { stdio: 'pipe' });
});

test('EC2 requests: flattened lists, nested structures, numbers and booleans as SDKs send them', () => {
  const { input, unknown } = parseQuery<DescribeInstancesRequest>(ec2Model, 'DescribeInstances', {
    Action: 'DescribeInstances',
    Version: '2016-11-15',
    'InstanceId.2': 'i-00000002',
    'InstanceId.1': 'i-00000001',
    'Filter.1.Name': 'tag:Name',
    'Filter.1.Value.1': 'web',
    'Filter.1.Value.2': 'db',
    MaxResults: '10',
  });
  assert.deepEqual(unknown, []);
  assert.deepEqual(input.InstanceIds, ['i-00000001', 'i-00000002']);
  assert.deepEqual(input.Filters, [{ Name: 'tag:Name', Values: ['web', 'db'] }]);
  assert.equal(input.MaxResults, 10);

  const run = parseQuery<RunInstancesRequest>(ec2Model, 'RunInstances', {
    ImageId: 'emi-12345678',
    MinCount: '1',
    MaxCount: '2',
    'Placement.AvailabilityZone': 'cluster01',
    'BlockDeviceMapping.1.DeviceName': '/dev/sdb',
    'BlockDeviceMapping.1.Ebs.VolumeSize': '5',
    'BlockDeviceMapping.1.Ebs.DeleteOnTermination': 'false',
    DisableApiTermination: 'true',
    AddressingType: 'private',
  });
  assert.deepEqual(run.unknown, []);
  assert.equal(run.input.MaxCount, 2);
  assert.equal(run.input.Placement?.AvailabilityZone, 'cluster01');
  assert.deepEqual(run.input.BlockDeviceMappings, [
    { DeviceName: '/dev/sdb', Ebs: { VolumeSize: 5, DeleteOnTermination: false } },
  ]);
  assert.equal(run.input.DisableApiTermination, true);
});

test('a parameter an operation does not define is left over; a value of the wrong kind is refused', () => {
  const p = parseQuery(ec2Model, 'DescribeKeyPairs', {
    'KeyName.1': 'k',
    'KeyName.0': 'no index 0',
    'KeyName.01': 'no leading zero',
    'InstanceId.1': 'i-00000001',
    Bogus: 'x',
  });
  assert.deepEqual(p.unknown.sort(), ['Bogus', 'InstanceId.1', 'KeyName.0', 'KeyName.01']);
  assert.throws(() => parseQuery(ec2Model, 'RunInstances', { MinCount: 'one' }), {
    code: 'InvalidParameterValue',
    message: /MinCount/,
  });
  assert.throws(() => parseQuery(ec2Model, 'DescribeInstances', { MaxResults: '5e2' }), {
    code: 'InvalidParameterValue',
  });
  assert.throws(() => parseQuery(ec2Model, 'RunInstances', { DisableApiTermination: 'yes' }), {
    code: 'InvalidParameterValue',
  });
});

test("IAM requests: scalars by member name, lists as .member.N, Euare's own operations", () => {
  assert.deepEqual(parseQuery(iamModel, 'ListUsers', { PathPrefix: '/a/', MaxItems: '5' }).input, {
    PathPrefix: '/a/',
    MaxItems: 5,
  });
  assert.deepEqual(parseQuery(iamModel, 'DeleteUser', { UserName: 'bob', IsRecursive: 'true' }).input, {
    UserName: 'bob',
    IsRecursive: true,
  });
  assert.deepEqual(parseQuery(iamModel, 'CreateAccount', { AccountName: 'acme' }).input, { AccountName: 'acme' });
  assert.deepEqual(parseQuery(iamModel, 'GetUser', { GroupName: 'g' }).unknown, ['GroupName']);
});

test('every served action has a model, and every modelled operation is served', () => {
  const ec2 = Object.keys(ec2Service({} as Ec2Services).actions).sort();
  const modelled = (m: { operations: Record<string, unknown> }) => Object.keys(m.operations).sort();
  assert.deepEqual(ec2, modelled(ec2Model));
  assert.deepEqual(Object.keys(iamService({} as IdentityService).actions).sort(), modelled(iamModel));
});

test('S3 requests: members from the path, the query string and the headers, typed', () => {
  const list = parseRest<ListObjectsV2Request>(s3Model, 'ListObjectsV2', {
    uri: { Bucket: 'b' },
    query: new Map([
      ['list-type', '2'],
      ['max-keys', '7'],
      ['fetch-owner', 'true'],
      ['prefix', 'a/'],
      ['x-id', 'ListObjectsV2'],
    ]),
    headers: {},
  });
  assert.deepEqual(list, { Bucket: 'b', MaxKeys: 7, FetchOwner: true, Prefix: 'a/' });

  const copy = parseRest<CopyObjectRequest>(s3Model, 'CopyObject', {
    uri: { Bucket: 'b', Key: 'k/1' },
    query: new Map(),
    headers: {
      'x-amz-copy-source': '/src/key',
      'x-amz-meta-colour': 'blue',
      'x-amz-meta-size': 'L',
      'x-amz-copy-source-if-match': '"abc"',
      'content-type': 'text/plain',
      'x-amz-acl': 'public-read',
      host: 'walrus',
    },
  });
  assert.equal(copy.Key, 'k/1');
  assert.equal(copy.CopySource, '/src/key');
  assert.deepEqual(copy.Metadata, { colour: 'blue', size: 'L' });
  assert.equal(copy.CopySourceIfMatch, '"abc"');
  assert.equal(copy.ContentType, 'text/plain');
  assert.equal(copy.ACL, 'public-read');

  const get = parseRest<GetObjectRequest>(s3Model, 'GetObject', {
    uri: { Bucket: 'b', Key: 'k' },
    query: new Map([
      ['versionId', 'v1'],
      ['response-content-type', 'x/y'],
      ['partNumber', ''],
    ]),
    headers: { range: 'bytes=0-9', 'if-modified-since': 'Mon, 30 Nov 2026 16:00:00 GMT' },
  });
  assert.deepEqual(get, {
    Bucket: 'b',
    Key: 'k',
    VersionId: 'v1',
    ResponseContentType: 'x/y',
    Range: 'bytes=0-9',
    IfModifiedSince: 'Mon, 30 Nov 2026 16:00:00 GMT',
  });
});

test('S3 requests: an integer or boolean S3 cannot read is InvalidArgument', () => {
  const read = (query: [string, string][]) =>
    parseRest(s3Model, 'ListObjectsV2', { uri: { Bucket: 'b' }, query: new Map(query), headers: {} });
  for (const bad of ['-1', 'ten', '1e3', '99999999999'])
    assert.throws(() => read([['max-keys', bad]]), { code: 'InvalidArgument', message: /max-keys/ });
  assert.throws(() => read([['fetch-owner', 'yes']]), { code: 'InvalidArgument', message: /fetch-owner/ });
  assert.throws(() => parseRest(s3Model, 'NoSuchOperation', { uri: {}, query: new Map(), headers: {} }));
});
