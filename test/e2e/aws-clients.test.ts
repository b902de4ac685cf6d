/**
 * AWS's own clients against the embedded cloud: the aws CLI and boto3 sign with Signature V4,
 * boto 2 (Debian's python3-boto) with V2, across EC2, Walrus (S3) and Euare (IAM).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, run } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';

const SCRIPTS = path.join(ROOT, 'test', 'clients');

describe('AWS clients', () => {
  let cloud: TestCloud;
  let awsEnv: Record<string, string>;
  before(async () => {
    cloud = await startCloud();
    awsEnv = {
      ...cloud.env,
      AWS_ACCESS_KEY_ID: cloud.eucarc.EC2_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: cloud.eucarc.EC2_SECRET_KEY,
      AWS_DEFAULT_REGION: 'eucalyptus',
      HOME: cloud.dataDir,
    };
  });
  after(async () => cloud.stop());

  test('aws CLI (Signature V4): DescribeAvailabilityZones, ListBuckets, GetUser', async () => {
    const zones = await run(
      'aws',
      ['--endpoint-url', cloud.eucarc.EC2_URL, 'ec2', 'describe-availability-zones', '--output', 'text'],
      awsEnv,
    );
    assert.equal(zones.code, 0, zones.stderr);
    assert.match(zones.stdout, /^AVAILABILITYZONES\t.*cluster01/m);
    const buckets = await run(
      'aws',
      ['--endpoint-url', cloud.eucarc.S3_URL, 's3api', 'list-buckets', '--output', 'json'],
      awsEnv,
    );
    assert.equal(buckets.code, 0, buckets.stderr);
    assert.equal(JSON.parse(buckets.stdout).Owner.DisplayName, 'eucalyptus');
    const user = await run(
      'aws',
      ['--endpoint-url', cloud.eucarc.EUARE_URL, 'iam', 'get-user', '--output', 'json'],
      awsEnv,
    );
    assert.equal(user.code, 0, user.stderr);
    assert.equal(JSON.parse(user.stdout).User.UserName, 'admin');
  });

  test('aws CLI with a wrong secret is refused with SignatureDoesNotMatch', async () => {
    const r = await run('aws', ['--endpoint-url', cloud.eucarc.EC2_URL, 'ec2', 'describe-availability-zones'], {
      ...awsEnv,
      AWS_SECRET_ACCESS_KEY: 'wrong',
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /SignatureDoesNotMatch/);
  });

  test('boto3 (Signature V4, header and presigned URL)', async () => {
    const r = await run('python3', [path.join(SCRIPTS, 'boto3_client.py')], awsEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      // SDKs (EC2 API 2016-11-15) are shown EC2's regions only: Walrus is no EC2 endpoint.
      'zones cluster01:available\nregions eucalyptus\npresigned 200 ListAllMyBucketsResult\n',
    );
  });

  test('boto 2 (Signature V2 for EC2 and Euare, the S3 V2 header for Walrus)', async () => {
    const r = await run('/usr/bin/python3', [path.join(SCRIPTS, 'boto2_client.py')], awsEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'zones cluster01:available\nbuckets 0\nuser admin\npresigned 200\nobject hello v2\npresigned object hello v2\n',
    );
  });

  test("boto3 with Signature V2 (signature_version='s3'): bucket and object calls and a presigned URL under /services/Walrus", async () => {
    const r = await run('python3', [path.join(SCRIPTS, 'boto3_s3_v2.py')], awsEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "get hello v2\nlist ['dir/hello.txt']\nacl FULL_CONTROL\npresigned hello v2\ndeleted\n");
  });
});
