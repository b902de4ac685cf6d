/**
 * Tenant authorization, attacked: the findings of security review issue 12, one test each, each
 * asserting what the fixed cloud does (every one of them fails on the code it was written against).
 *
 *  1. Copy reads any object: CopyObject / UploadPartCopy check only the destination, so an
 *     anonymous caller (through a bucket policy allowing s3:PutObject to "*") or another account
 *     copies a private object of account A into a bucket it can read; chained, B copies A's
 *     private image bundle and registers it as its own image.
 *  2. Authorization on a parameter the action does not take: CreateAccessKey with an extra
 *     GroupName is authorized against the group's ARN, so a user allowed iam:* only on one group
 *     mints an access key for the account's admin.
 *  3. Copy within an account ignores IAM on the source: a user allowed s3:GetObject/PutObject only
 *     on one bucket copies any object of the account into it.
 *  7. A Deny dodged by spelling: IAM group names resolve case-insensitively but ARNs are matched
 *     as written (GroupName=ADMINS escapes a Deny on group/admins); an EC2 security group named by
 *     GroupId escapes a Deny on securitygroup/<name>.
 *  8. Internal bucket names can be squatted: another account creates `eucalyptus-snapshots`.
 * 12. SigV4 credential scope and expiry: a signature scoped to another service (s3, iam, sts) is
 *     accepted by EC2 and IAM; a presigned URL may live for decades (X-Amz-Expires unbounded).
 * 13b. RegisterImage is an existence oracle: an object one cannot read and a missing one answer
 *     differently.
 *
 * One cloud for the whole file; account A is its admin (cloud.env), account B is made with
 * euare-accountcreate.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import aws4 from 'aws4';
import { type CliError } from '../../src/shared/errors';
import { type S3Client } from '../../src/cli/s3';
import { run, runOk, tempDir } from '../helpers/cli';
import { s3StringToSignV2 } from '../../src/shared/auth/sigv2';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';
import { waitFor } from '../helpers/node';
import { adminKeys, type Keys, type RawResponse, rawRequest, s3Client } from '../helpers/s3';

type Env = Record<string, string>;

/** Credentials printed by `-k` (key id, then secret, the last two lines) as `source eucarc` sets them. */
function withKey(env: Env, printed: string): Env {
  const [id, secret] = printed.trim().split('\n').slice(-2);
  return { ...env, EC2_ACCESS_KEY: id, EC2_SECRET_KEY: secret, AWS_ACCESS_KEY: id, AWS_SECRET_KEY: secret };
}

const keysOf = (env: Env): Keys => ({ accessKeyId: env.EC2_ACCESS_KEY, secretAccessKey: env.EC2_SECRET_KEY });

/** An S3 call refused with one of the given error codes. */
const refused = (call: Promise<unknown>, code: RegExp, why: string) =>
  assert.rejects(
    call,
    (e: CliError) => {
      assert.match(String(e.code), code, `${why}: ${e.code} ${e.message}`);
      return true;
    },
    why,
  );

async function fails(cmd: string, args: string[], env: Env, code: RegExp): Promise<string> {
  const r = await run(cmd, args, env);
  assert.equal(r.code, 1, `${cmd} ${args.join(' ')} should fail: ${r.stdout}`);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, code);
  return r.stderr;
}

/** Whether an object exists, asked as someone who may read it. */
async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.headObject(bucket, key);
    return true;
  } catch (e) {
    if ((e as CliError).code === 'NoSuchKey') return false;
    throw e;
  }
}

/** The <Code> of an AWS error document (EC2's Response/Errors/Error, IAM's ErrorResponse, S3's Error). */
const errorCode = (r: RawResponse) => /<Code>([^<]*)<\/Code>/.exec(r.body.toString())?.[1] ?? '';

/** One HTTP request as aws4 signed it. */
function sendSigned(signed: aws4.Request & { host: string; path: string }, body?: string): Promise<RawResponse> {
  const [host, port] = signed.host.split(':');
  return rawRequest(Number(port), signed.method!, signed.path, signed.headers as Record<string, string>, body, {
    host,
  });
}

/**
 * A Query (EC2 or Euare) request signed with SigV4 for any service name in its credential scope:
 * what the euare-* and euca-* commands cannot send (parameters they do not take, a wrong scope).
 */
function signedQuery(
  endpoint: string,
  params: Record<string, string>,
  keys: Keys,
  service: string,
  region = 'us-east-1',
): Promise<RawResponse> {
  const url = new URL(endpoint);
  const body = new URLSearchParams(params).toString();
  const signed = aws4.sign(
    {
      host: url.host,
      path: url.pathname || '/',
      method: 'POST',
      service,
      region,
      body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    },
    keys,
  ) as aws4.Request & { host: string; path: string };
  return sendSigned(signed, body);
}

const IAM_VERSION = '2010-05-08';
const EC2_VERSION = '2014-06-15';

describe('tenant authorization (issue 12)', () => {
  let cloud: TestCloud;
  let a: Env;
  let aId: string;
  let aS3: S3Client;
  let b: Env;
  let bS3: S3Client;
  let s3Prefix: string;
  let work: string;

  before(async () => {
    cloud = await startCloud();
    work = tempDir('euca-tenant-authz-');
    a = cloud.env;
    aId = (await runOk('euare-getcallerid', [], a)).match(/arn:aws:iam::(\d{12})/)![1];
    aS3 = await s3Client(cloud);
    b = withKey(a, await runOk('euare-accountcreate', ['-a', 'bravo', '-k'], a));
    bS3 = await s3Client(cloud, { keys: keysOf(b) });
    s3Prefix = new URL(cloud.eucarc.S3_URL).pathname.replace(/\/+$/, '');
    await aS3.createBucket('abucket');
    await aS3.putObject('abucket', 'secret.txt', Buffer.from('account A private bytes'));
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.doesNotMatch(cloud.output(), /internal error| 500 /);
  });

  test('8: another account cannot squat an internal bucket name; snapshots still complete', async () => {
    await refused(
      bS3.createBucket('eucalyptus-snapshots'),
      /^(BucketAlreadyExists|InvalidBucketName)$/,
      'B created the bucket snapshots are stored in',
    );
    const zone = (await runOk('euca-describe-availability-zones', [], a)).split('\n')[0].split('\t')[1];
    const vol = (await runOk('euca-create-volume', ['-s', '1', '-z', zone], a)).split('\t')[1];
    await waitFor(
      `${vol} available`,
      async () => ((await runOk('euca-describe-volumes', [vol], a)).split('\t')[5] === 'available' ? true : undefined),
      60_000,
    );
    const snap = (await runOk('euca-create-snapshot', [vol], a)).split('\t')[1];
    await waitFor(
      `${snap} completed`,
      async () => {
        const state = (await runOk('euca-describe-snapshots', [snap], a)).split('\t')[3];
        assert.notEqual(state, 'failed', `${snap} failed`);
        return state === 'completed' ? true : undefined;
      },
      120_000,
    );
    // The cloud's own bucket is nobody's through S3, the cloud administrator's included: not
    // listed, not readable, its chunks not to be planted or removed.
    assert.ok(!(await aS3.listBuckets()).buckets.some((b) => b.Name === 'eucalyptus-snapshots'));
    await refused(aS3.listObjects('eucalyptus-snapshots'), /^AccessDenied$/, 'the snapshot bucket was listed');
    await refused(
      aS3.putObject('eucalyptus-snapshots', `${snap}/000000000000`, Buffer.from('planted')),
      /^AccessDenied$/,
      'a chunk was planted',
    );
    await refused(
      aS3.createBucket('eucalyptus-snapshots'),
      /^BucketAlreadyExists$/,
      'the snapshot bucket was created again',
    );
  });

  test(
    '1: a copy needs read permission on its source (anonymous, another account, UploadPartCopy, a ' +
      'registered bundle)',
    async (t) => {
      await bS3.createBucket('bbucket');
      const policy = {
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::bbucket/*' }],
      };
      await bS3.request({
        method: 'PUT',
        bucket: 'bbucket',
        query: { policy: '' },
        body: JSON.stringify(policy),
        headers: { 'Content-Type': 'application/json' },
      });

      await t.test('(a) anonymous copy through a bucket policy allowing s3:PutObject to "*"', async () => {
        const r = await rawRequest(cloud.port, 'PUT', `${s3Prefix}/bbucket/anon.txt`, {
          'x-amz-copy-source': '/abucket/secret.txt',
        });
        const leaked = await exists(bS3, 'bbucket', 'anon.txt');
        assert.equal(
          r.status,
          403,
          `anonymous copy answered ${r.status}${leaked ? ": bbucket/anon.txt now holds A's secret" : ''}`,
        );
        assert.equal(errorCode(r), 'AccessDenied');
        assert.equal(leaked, false);
      });

      await t.test('(b) CopyObject by another account', async () => {
        await refused(
          bS3.copyObject({ bucket: 'abucket', key: 'secret.txt' }, { bucket: 'bbucket', key: 'stolen.txt' }),
          /^AccessDenied$/,
          "B copied A's private object",
        );
        assert.equal(await exists(bS3, 'bbucket', 'stolen.txt'), false);
      });

      await t.test('(c) UploadPartCopy by another account', async () => {
        const upload = await bS3.createMultipartUpload('bbucket', 'parts.bin');
        try {
          await refused(
            bS3.request({
              method: 'PUT',
              bucket: 'bbucket',
              key: 'parts.bin',
              query: { partNumber: '1', uploadId: upload },
              headers: { 'x-amz-copy-source': '/abucket/secret.txt' },
            }),
            /^AccessDenied$/,
            "B copied A's private object into a part",
          );
          assert.deepEqual(await bS3.listParts('bbucket', 'parts.bin', upload), []);
        } finally {
          await bS3.abortMultipartUpload('bbucket', 'parts.bin', upload);
        }
      });

      await t.test('(d) control: a public-read object copies, the same bytes', async () => {
        await aS3.putObject('abucket', 'public.txt', Buffer.from('anyone may read this'), { acl: 'public-read' });
        await bS3.copyObject({ bucket: 'abucket', key: 'public.txt' }, { bucket: 'bbucket', key: 'public-copy.txt' });
        assert.equal((await bS3.getObjectBuffer('bbucket', 'public-copy.txt')).body.toString(), 'anyone may read this');
      });

      await t.test("(e) chained: B copies A's private bundle and cannot register it", async () => {
        const name = `private-${randomBytes(3).toString('hex')}.img`;
        const dir = path.join(work, 'bundle');
        fs.mkdirSync(dir);
        const file = path.join(dir, name);
        fs.writeFileSync(file, Buffer.concat([randomBytes(64 * 1024), Buffer.alloc(1024 * 1024)]));
        await runOk('euca-bundle-image', ['-i', file, '-d', dir], a);
        await runOk('euca-upload-bundle', ['-b', 'aimages', '-m', path.join(dir, `${name}.manifest.xml`)], a);
        const keys = fs.readdirSync(dir).filter((f) => f.startsWith(`${name}.`) && f !== name);
        assert.ok(keys.includes(`${name}.manifest.xml`) && keys.some((k) => k.includes('.part.')), keys.join(' '));
        const copied: string[] = [];
        for (const key of keys) {
          try {
            await bS3.copyObject({ bucket: 'aimages', key }, { bucket: 'bbucket', key });
            copied.push(key);
          } catch (e) {
            assert.equal((e as CliError).code, 'AccessDenied', `copy of ${key}: ${(e as Error).message}`);
          }
        }
        const reg = await run('euca-register', [`bbucket/${name}.manifest.xml`], b);
        assert.notEqual(reg.code, 0, `B registered A's private bundle as its own image: ${reg.stdout.trim()}`);
        assert.deepEqual(copied, [], "B copied objects of A's private bundle");
        assert.doesNotMatch(await runOk('euca-describe-images', [], b), new RegExp(name.replace(/\./g, '\\.')));
      });
    },
  );

  test('2: CreateAccessKey is authorized on its user, not on a GroupName it does not take', async () => {
    await runOk('euare-groupcreate', ['-g', 'devs'], a);
    const gm = keysOf(withKey(a, await runOk('euare-usercreate', ['-u', 'gm', '-k'], a)));
    await runOk(
      'euare-useruploadpolicy',
      [
        '-u',
        'gm',
        '-p',
        'devs-only',
        '-o',
        JSON.stringify({
          Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: `arn:aws:iam::${aId}:group/devs` }],
        }),
      ],
      a,
    );
    const before = await runOk('euare-userlistkeys', ['-u', 'admin'], a);

    const ok = await signedQuery(
      cloud.eucarc.EUARE_URL,
      { Action: 'GetGroup', Version: IAM_VERSION, GroupName: 'devs' },
      gm,
      'iam',
    );
    assert.equal(ok.status, 200, `control: gm's GetGroup devs: ${ok.body}`);

    const smuggled = await signedQuery(
      cloud.eucarc.EUARE_URL,
      { Action: 'CreateAccessKey', Version: IAM_VERSION, UserName: 'admin', GroupName: 'devs' },
      gm,
      'iam',
    );
    const after = await runOk('euare-userlistkeys', ['-u', 'admin'], a);
    assert.ok(
      smuggled.status >= 400 && smuggled.status < 500,
      `gm minted a key for admin ` +
        `(HTTP ${smuggled.status}): ${/<AccessKeyId>([^<]*)/.exec(smuggled.body.toString())?.[1] ?? smuggled.body}`,
    );
    assert.match(errorCode(smuggled), /^(UnknownParameter|AccessDenied)$/);
    assert.equal(after, before, "admin's keys changed");

    const plain = await signedQuery(
      cloud.eucarc.EUARE_URL,
      { Action: 'CreateAccessKey', Version: IAM_VERSION, UserName: 'admin' },
      gm,
      'iam',
    );
    assert.equal(plain.status, 403);
    assert.equal(errorCode(plain), 'AccessDenied');
    assert.equal(await runOk('euare-userlistkeys', ['-u', 'admin'], a), before);
  });

  test("3: a copy within the account needs the user's s3:GetObject on the source", async () => {
    await aS3.createBucket('apublic');
    await aS3.putObject('apublic', 'a.txt', Buffer.from('in apublic'));
    const cp = keysOf(withKey(a, await runOk('euare-usercreate', ['-u', 'cp', '-k'], a)));
    await runOk(
      'euare-useruploadpolicy',
      [
        '-u',
        'cp',
        '-p',
        'apublic',
        '-o',
        JSON.stringify({
          Statement: [
            { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::apublic/*' },
          ],
        }),
      ],
      a,
    );
    const s3 = await s3Client(cloud, { keys: cp });

    await s3.copyObject({ bucket: 'apublic', key: 'a.txt' }, { bucket: 'apublic', key: 'b.txt' });
    assert.equal((await s3.getObjectBuffer('apublic', 'b.txt')).body.toString(), 'in apublic');

    await refused(
      s3.copyObject({ bucket: 'abucket', key: 'secret.txt' }, { bucket: 'apublic', key: 'stolen.txt' }),
      /^AccessDenied$/,
      'cp copied abucket/secret.txt, which its policy does not let it read',
    );
    assert.equal(await exists(aS3, 'apublic', 'stolen.txt'), false);
  });

  test('7: a Deny cannot be dodged by spelling a resource differently', async (t) => {
    await t.test('(a) IAM group name in another case', async () => {
      await runOk('euare-groupcreate', ['-g', 'admins'], a);
      const dd = withKey(a, await runOk('euare-usercreate', ['-u', 'dd', '-k'], a));
      const doc = {
        Statement: [
          { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
          { Effect: 'Deny', Action: 'iam:*', Resource: `arn:aws:iam::${aId}:group/admins` },
        ],
      };
      await runOk('euare-useruploadpolicy', ['-u', 'dd', '-p', 'not-admins', '-o', JSON.stringify(doc)], a);
      // The Deny as written holds.
      await fails('euare-groupadduser', ['-g', 'admins', '-u', 'dd'], dd, /\(AccessDenied\)/);

      const r = await run('euare-groupadduser', ['-g', 'ADMINS', '-u', 'dd'], dd);
      const members = await runOk('euare-grouplistusers', ['-g', 'admins'], a);
      assert.doesNotMatch(members, /user\/dd$/m, `dd joined admins by asking for ADMINS (exit ${r.code}) ${r.stderr}`);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /\(AccessDenied\)/);
      await fails('euare-grouplistusers', ['-g', 'Admins'], dd, /\(AccessDenied\)/);
    });

    await t.test('(b) EC2 security group by GroupId', async () => {
      const sg = withKey(a, await runOk('euare-usercreate', ['-u', 'sg', '-k'], a));
      const doc = {
        Statement: [
          { Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
          {
            Effect: 'Deny',
            Action: 'ec2:AuthorizeSecurityGroupIngress',
            Resource: 'arn:aws:ec2:::securitygroup/default',
          },
        ],
      };
      await runOk('euare-useruploadpolicy', ['-u', 'sg', '-p', 'not-default', '-o', JSON.stringify(doc)], a);
      // euca-describe-groups does not print the id: ask DescribeSecurityGroups.
      const described = await signedQuery(
        cloud.eucarc.EC2_URL,
        { Action: 'DescribeSecurityGroups', Version: EC2_VERSION, 'GroupName.1': 'default' },
        adminKeys(cloud),
        'ec2',
      );
      const groupId = /<groupId>(sg-[0-9a-fA-F]+)<\/groupId>/.exec(described.body.toString())?.[1];
      assert.ok(groupId, described.body.toString());

      // Control: how an opened tcp 22 shows, on another group, where the Deny does not reach.
      const TCP_22 = /^PERMISSION\t.*\ttcp\t22\t22\t/m;
      await runOk('euca-create-group', ['web', '-d', 'web'], sg);
      await runOk('euca-authorize', ['web', '-P', 'tcp', '-p', '22'], sg);
      assert.match(await runOk('euca-describe-groups', ['web'], a), TCP_22);

      await fails('euca-authorize', ['default', '-P', 'tcp', '-p', '22'], sg, /\(UnauthorizedOperation\)/);
      const r = await signedQuery(
        cloud.eucarc.EC2_URL,
        {
          Action: 'AuthorizeSecurityGroupIngress',
          Version: EC2_VERSION,
          GroupId: groupId,
          'IpPermissions.1.IpProtocol': 'tcp',
          'IpPermissions.1.FromPort': '22',
          'IpPermissions.1.ToPort': '22',
          'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
        },
        keysOf(sg),
        'ec2',
      );
      const rules = await runOk('euca-describe-groups', ['default'], a);
      assert.doesNotMatch(rules, TCP_22, `sg opened tcp 22 on default by its GroupId ${groupId} (HTTP ${r.status})`);
      assert.equal(r.status, 403, r.body.toString());
      assert.equal(errorCode(r), 'UnauthorizedOperation');
    });
  });

  test('13b: RegisterImage answers the same for an object one cannot read and a missing one', async () => {
    await aS3.putObject('abucket', 'private.manifest.xml', Buffer.from('<?xml version="1.0"?><manifest/>'));
    const outcome = async (key: string) => {
      const r = await run('euca-register', [`abucket/${key}`], b);
      assert.equal(r.code, 1, r.stdout);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      return r.stderr.split(key).join('KEY');
    };
    assert.equal(await outcome('private.manifest.xml'), await outcome('nothing-here.manifest.xml'));
  });

  test('12: SigV4 is scoped to the service it is sent to; presigned URLs have a bounded life', async (t) => {
    const keys = adminKeys(cloud);
    await t.test('(a) EC2 and IAM refuse a signature scoped to another service', async () => {
      const regions = { Action: 'DescribeRegions', Version: '2013-02-01' };
      assert.equal(
        (await signedQuery(cloud.eucarc.EC2_URL, regions, keys, 'ec2')).status,
        200,
        'control: scoped to ec2',
      );
      for (const service of ['s3', 'iam']) {
        const r = await signedQuery(cloud.eucarc.EC2_URL, regions, keys, service);
        assert.ok(r.status >= 400 && r.status < 500, `EC2 answered ${r.status} to a request signed for ${service}`);
      }
      const users = { Action: 'ListUsers', Version: IAM_VERSION };
      assert.equal(
        (await signedQuery(cloud.eucarc.EUARE_URL, users, keys, 'iam')).status,
        200,
        'control: scoped to iam',
      );
      for (const service of ['sts', 'ec2']) {
        const r = await signedQuery(cloud.eucarc.EUARE_URL, users, keys, service);
        assert.ok(r.status >= 400 && r.status < 500, `IAM answered ${r.status} to a request signed for ${service}`);
      }
    });

    await t.test('(b) a presigned GET may not ask to live for decades', async () => {
      await aS3.putObject('abucket', 'presigned.txt', Buffer.from('presigned'));
      const url = new URL(cloud.eucarc.S3_URL);
      const presign = (expires: number) =>
        aws4.sign(
          {
            host: url.host,
            path: `${s3Prefix}/abucket/presigned.txt?X-Amz-Expires=${expires}`,
            method: 'GET',
            service: 's3',
            region: 'us-east-1',
            signQuery: true,
          },
          keys,
        ) as aws4.Request & { host: string; path: string };
      const ok = await sendSigned(presign(3600));
      assert.equal(ok.status, 200, ok.body.toString());
      assert.equal(ok.body.toString(), 'presigned');
      const forever = await sendSigned(presign(1_000_000_000));
      assert.equal(forever.status, 400, `a URL presigned for 1e9 seconds answered ${forever.status}`);
      assert.equal(errorCode(forever), 'AuthorizationQueryParametersError');
      // Signature V2's Expires is a time, not a length: bounded all the same.
      const presignV2 = (expires: number) => {
        const resource = `${s3Prefix}/abucket/presigned.txt`;
        const signature = createHmac('sha1', keys.secretAccessKey)
          .update(s3StringToSignV2('GET', {}, resource, {}, String(expires)))
          .digest('base64');
        return rawRequest(
          cloud.port,
          'GET',
          `${resource}?AWSAccessKeyId=${keys.accessKeyId}&Expires=${expires}&Signature=${encodeURIComponent(signature)}`,
        );
      };
      const inAnHour = Math.floor(Date.now() / 1000) + 3600;
      assert.equal((await presignV2(inAnHour)).status, 200);
      assert.equal((await presignV2(4102444800)).status, 403, 'a V2 URL valid until 2100 was accepted');
    });
  });

  test('7 (lists): an item the policy check cannot see is an item the action does not act on', async () => {
    const groupId = async (name: string) => {
      const r = await signedQuery(
        cloud.eucarc.EC2_URL,
        { Action: 'DescribeSecurityGroups', Version: EC2_VERSION, 'GroupName.1': name },
        adminKeys(cloud),
        'ec2',
      );
      return /<groupId>(sg-[0-9a-fA-F]+)<\/groupId>/.exec(r.body.toString())![1];
    };
    await runOk('euca-create-group', ['tag-allowed', '-d', 'a'], a);
    await runOk('euca-create-group', ['tag-secret', '-d', 's'], a);
    const [allowed, secret] = [await groupId('tag-allowed'), await groupId('tag-secret')];
    const tagger = keysOf(withKey(a, await runOk('euare-usercreate', ['-u', 'tagger', '-k'], a)));
    const doc = {
      Statement: [{ Effect: 'Allow', Action: 'ec2:CreateTags', Resource: 'arn:aws:ec2:::securitygroup/tag-allowed' }],
    };
    await runOk('euare-useruploadpolicy', ['-u', 'tagger', '-p', 'one-group', '-o', JSON.stringify(doc)], a);
    const tag = (extra: Record<string, string>) =>
      signedQuery(
        cloud.eucarc.EC2_URL,
        { Action: 'CreateTags', Version: EC2_VERSION, 'Tag.1.Key': 'owned', 'Tag.1.Value': 'by-tagger', ...extra },
        tagger,
        'ec2',
      );
    assert.equal((await tag({ 'ResourceId.1': allowed, 'ResourceId.2': secret })).status, 403);
    for (const odd of ['ResourceId.1.0', 'ResourceId.01', 'ResourceId.+2', 'ResourceId.1e0'])
      await tag({ 'ResourceId.1': allowed, [odd]: secret });
    const tags = await runOk('euca-describe-tags', [], a);
    assert.doesNotMatch(tags, new RegExp(`\\t${secret}\\t`), 'the group the policy never saw was tagged');
  });

  test(
    "one rule for whose images a user sees: another account's private image is nobody's but the cloud " +
      "administrator's",
    async () => {
      const private_ = await registerTestImage(b);
      const ops = withKey(a, await runOk('euare-usercreate', ['-u', 'ops', '-k'], a));
      await runOk(
        'euare-useruploadpolicy',
        [
          '-u',
          'ops',
          '-p',
          'ec2-all',
          '-o',
          JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }] }),
        ],
        a,
      );
      // A user of the eucalyptus account is not the cloud administrator: neither sees nor launches it.
      await fails('euca-run-instances', [private_], ops, /InvalidAMIID\.NotFound/);
      await fails('euca-describe-images', [private_], ops, /InvalidAMIID\.NotFound/);
      assert.match(await runOk('euca-describe-images', [private_], a), new RegExp(`^IMAGE\\t${private_}\\t`, 'm'));
    },
  );
});
