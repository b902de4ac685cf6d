/**
 * Other S3 tools against Walrus with an account's keys: Debian's s3cmd (Signature V4 and V2, at
 * the root path, as it always addresses S3), the aws CLI (s3 and s3api, multipart above 8 MiB,
 * server-side multipart copy) and boto3 sending aws-chunked bodies with checksum trailers. Every
 * round trip compares MD5s of the bytes.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { createAccount, filesUnder } from '../helpers/s3';
import { cloudPaths } from '../../src/shared/paths';

const S3CMD = '/usr/bin/s3cmd';
const MiB = 1024 * 1024;
const md5File = (file: string) => createHash('md5').update(fs.readFileSync(file)).digest('hex');

describe('S3 clients against Walrus', () => {
  let cloud: TestCloud;
  let work: string;
  let small: string;
  let big: string;
  let awsEnv: Record<string, string>;

  before(async () => {
    cloud = await startCloud();
    work = tempDir('walrus-clients-');
    small = path.join(work, 'small.bin');
    big = path.join(work, 'big.bin');
    fs.writeFileSync(small, randomBytes(1000));
    fs.writeFileSync(big, randomBytes(12 * MiB + 123));
    awsEnv = {
      ...cloud.env,
      AWS_ACCESS_KEY_ID: cloud.eucarc.EC2_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: cloud.eucarc.EC2_SECRET_KEY,
      AWS_DEFAULT_REGION: 'eucalyptus',
      HOME: work,
    };
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.doesNotMatch(cloud.output(), /internal error| 500 /);
  });

  /** Runs a boto3 script of test/clients with the account's keys (and `env`); it must print exactly `lines`. */
  const clientPrints = async (script: string, env: Record<string, string>, lines: string[]) => {
    const r = await run('python3', [path.join(ROOT, 'test', 'clients', script)], { ...awsEnv, ...env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [...lines, ''].join('\n'));
  };

  test('s3cmd, Signature V4 and --signature-v2: mb, put (multipart), ls, get, del, rb', async () => {
    assert.ok(fs.existsSync(S3CMD), `${S3CMD} is missing: run scripts/test-prereqs.sh, which installs Debian's s3cmd`);
    const config = path.join(work, '.s3cfg');
    fs.writeFileSync(
      config,
      `[default]\naccess_key = ${cloud.eucarc.EC2_ACCESS_KEY}\nsecret_key = ${cloud.eucarc.EC2_SECRET_KEY}\n` +
        `host_base = 127.0.0.1:${cloud.port}\nhost_bucket = 127.0.0.1:${cloud.port}\nuse_https = False\nsignature_v2 = False\n`,
    );
    for (const sig of [[], ['--signature-v2']]) {
      const bucket = sig.length ? 's3cmd-v2' : 's3cmd-v4';
      const s3cmd = async (...args: string[]) => {
        const r = await run(S3CMD, ['-c', config, '--no-progress', ...sig, ...args], { ...cloud.env, HOME: work });
        assert.equal(r.code, 0, `s3cmd ${args.join(' ')}: ${r.stderr}${r.stdout}`);
        return r.stdout;
      };
      await s3cmd('mb', `s3://${bucket}`);
      await s3cmd('put', small, `s3://${bucket}/dir/small.bin`);
      await s3cmd('put', '--multipart-chunk-size-mb=5', big, `s3://${bucket}/big.bin`);
      const listing = await s3cmd('ls', '-r', `s3://${bucket}`);
      assert.match(listing, new RegExp(`\\s${12 * MiB + 123}\\s+s3://${bucket}/big.bin`));
      assert.match(listing, new RegExp(`\\s1000\\s+s3://${bucket}/dir/small.bin`));
      assert.match(await s3cmd('ls', `s3://${bucket}`), /DIR\s+s3:\/\/s3cmd-v\d\/dir\//);
      for (const [key, file] of [
        ['big.bin', big],
        ['dir/small.bin', small],
      ]) {
        const out = path.join(work, `${bucket}-${path.basename(key)}`);
        await s3cmd('get', '--force', `s3://${bucket}/${key}`, out);
        assert.equal(md5File(out), md5File(file), key);
      }
      await s3cmd('del', '--recursive', '--force', `s3://${bucket}`);
      await s3cmd('rb', `s3://${bucket}`);
    }
  });

  test(
    'aws CLI: s3 mb/cp/ls/rb (multipart above 8 MiB, multipart copy) and s3api ' + 'put/get/list-objects-v2',
    async () => {
      const aws = async (...args: string[]) => {
        const r = await run('aws', ['--endpoint-url', cloud.eucarc.S3_URL, ...args], awsEnv);
        assert.equal(r.code, 0, `aws ${args.join(' ')}: ${r.stderr}`);
        return r.stdout;
      };
      await aws('s3', 'mb', 's3://aws-cli');
      await aws('s3', 'cp', small, 's3://aws-cli/dir/small.bin');
      await aws('s3', 'cp', big, 's3://aws-cli/dir/big.bin');
      const head = JSON.parse(await aws('s3api', 'head-object', '--bucket', 'aws-cli', '--key', 'dir/big.bin'));
      assert.match(head.ETag, /-2"$/, 'a file over 8 MiB goes up in parts');
      assert.equal(head.ContentLength, 12 * MiB + 123);
      await aws('s3', 'cp', 's3://aws-cli/dir/big.bin', 's3://aws-cli/copy/big.bin');
      const listing = await aws('s3', 'ls', '--recursive', 's3://aws-cli');
      for (const key of ['dir/small.bin', 'dir/big.bin', 'copy/big.bin'])
        assert.match(listing, new RegExp(`\\s${key}$`, 'm'));
      for (const [key, file] of [
        ['dir/big.bin', big],
        ['copy/big.bin', big],
        ['dir/small.bin', small],
      ]) {
        const out = path.join(work, `aws-${key.replace('/', '-')}`);
        await aws('s3', 'cp', `s3://aws-cli/${key}`, out);
        assert.equal(md5File(out), md5File(file), key);
      }

      const put = JSON.parse(
        await aws(
          's3api',
          'put-object',
          '--bucket',
          'aws-cli',
          '--key',
          'api/object',
          '--body',
          small,
          '--content-type',
          'text/x-test',
          '--metadata',
          'origin=s3api',
        ),
      );
      assert.equal(put.ETag, `"${md5File(small)}"`);
      const out = path.join(work, 'api-object');
      const got = JSON.parse(await aws('s3api', 'get-object', '--bucket', 'aws-cli', '--key', 'api/object', out));
      assert.deepEqual(
        [got.ContentType, got.Metadata, md5File(out)],
        ['text/x-test', { origin: 's3api' }, md5File(small)],
      );
      const page = JSON.parse(
        await aws(
          's3api',
          'list-objects-v2',
          '--no-paginate',
          '--bucket',
          'aws-cli',
          '--prefix',
          'dir/',
          '--delimiter',
          '/',
        ),
      );
      assert.deepEqual(
        page.Contents.map((c: { Key: string }) => c.Key),
        ['dir/big.bin', 'dir/small.bin'],
      );
      assert.equal(page.KeyCount, 2);
      const paged = JSON.parse(await aws('s3api', 'list-objects-v2', '--bucket', 'aws-cli', '--page-size', '1'));
      assert.deepEqual(
        paged.Contents.map((c: { Key: string }) => c.Key),
        ['api/object', 'copy/big.bin', 'dir/big.bin', 'dir/small.bin'],
      );
      await aws('s3', 'rb', '--force', 's3://aws-cli');
      const left = JSON.parse(await aws('s3api', 'list-buckets'));
      assert.deepEqual(left.Buckets, []);
    },
  );

  test(
    'boto3: aws-chunked bodies with a trailing CRC32 (put_object and upload_part), as botocore sends them ' +
      'over TLS',
    async () => {
      const r = await run('python3', [path.join(ROOT, 'test', 'clients', 'boto3_s3.py')], awsEnv);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        'put STREAMING-UNSIGNED-PAYLOAD-TRAILER aws-chunked x-amz-checksum-crc32\n' +
          'get True True\n' +
          'part STREAMING-UNSIGNED-PAYLOAD-TRAILER aws-chunked x-amz-checksum-crc32\n' +
          'multipart True True\n',
      );
    },
  );
  test('boto3: the S3 semantics applications rely on, and features Walrus lacks refused, not ignored', async () => {
    await clientPrints(
      'boto3_s3_semantics.py',
      {
        EC2_ACCOUNT_NUMBER: cloud.eucarc.EC2_ACCOUNT_NUMBER,
      },
      [
        'delete bucket with only uploads ok',
        'max-keys 0 False 0',
        'empty token 3',
        "bucket pages ['sem'] ['sem-z'] False",
        "get behind a delete marker NoSuchKey 404 ('true', True)",
        "head behind a delete marker ('true', True)",
        'if-none-match on an existing key PreconditionFailed 412',
        'if-none-match on a new key ok',
        'if-match stale PreconditionFailed 412',
        'if-match current ok',
        'cond body two',
        'expected owner ok AccessDenied 403',
        'eleven tags InvalidTag 400',
        'content-encoding gzip',
        'part copy past the end InvalidRange 416',
        'website NotImplemented 501',
        'not written NoSuchWebsiteConfiguration 404',
        'complete again True NoSuchUpload 404',
        'part 2 206 2 True True',
        'head part 1 True 2',
        'part 3 InvalidPartNumber 416 InvalidRequest 400',
        'plain part 1 two False InvalidPartNumber 416',
        'wrong whole BadDigest 400',
        'composite True COMPOSITE True COMPOSITE',
        'full object True FULL_OBJECT',
        'sha whole object InvalidRequest 400',
        'version acl True False',
        "version tags [{'Key': 'old', 'Value': 'yes'}] []",
        'acl of a delete marker MethodNotAllowed 405 NoSuchVersion 404',
        'v4 over a Date header 200',
        'an Expect other than 100-continue ok',
        'preflight of a presigned URL 200 https://app.example',
        'attributes True True STANDARD True 2 True [(1, 5242880)]',
        'attributes asked badly InvalidArgument 400',
        'non-ASCII metadata 200 =?UTF-8?B?Y2Fmw6kgYXUgbGFpdA==?= café au lait 日本',
        'storage classes NotImplemented 501 ok 404 404',
        'aws-chunked named over a plain body gzip',
      ],
    );
  });
  test('browser-form uploads (POST Object), V4 and V2 policies as boto3 makes them, posted as a browser does', async () => {
    await clientPrints('boto3_s3_post.py', {}, [
      'v4 201 True True',
      "stored hello form text/plain {'who': 'browser'}",
      'public read 200',
      'too large 400 EntityTooLarge',
      'too small 400 EntityTooSmall',
      'extra field 403 AccessDenied True',
      'condition failed 403 AccessDenied',
      'bad signature 403 SignatureDoesNotMatch',
      'expired 403 AccessDenied',
      "v2 204 ['AWSAccessKeyId', 'policy', 'signature'] signed v2",
      'anonymous, private bucket 403 AccessDenied',
      'anonymous, open bucket 204 anonymous',
      'redirect 303 True',
      'sealed 204 AES256 AES256',
      'lock asked 400 InvalidArgument',
      'not multipart 412 PreconditionFailed',
      'x-amz-tagging field 400 InvalidArgument',
      'header with CR LF 400 InvalidArgument',
      'policy null 400 InvalidPolicyDocument',
      'fields as file parts 204 fields as files',
      'key from the file name 204 named by its file',
    ]);
  });
  test('Object Lock with boto3: retention modes, legal hold, default retention, the governance bypass', async () => {
    // A user of the admin's account who may do anything in S3 but lift a GOVERNANCE retention.
    const user = `locker-${randomBytes(3).toString('hex')}`;
    const created = (await runOk('euare-usercreate', ['-u', user, '-k'], cloud.env)).trim().split('\n');
    await runOk(
      'euare-useruploadpolicy',
      [
        '-u',
        user,
        '-p',
        'all-but-bypass',
        '-o',
        JSON.stringify({
          Statement: [
            { Effect: 'Allow', Action: 's3:*', Resource: '*' },
            { Effect: 'Deny', Action: 's3:BypassGovernanceRetention', Resource: '*' },
          ],
        }),
      ],
      cloud.env,
    );
    const other = await createAccount(cloud, `lockother${randomBytes(3).toString('hex')}`);
    await clientPrints(
      'boto3_s3_lock.py',
      {
        WORKER_KEY: created[created.length - 2],
        WORKER_SECRET: created[created.length - 1],
        OTHER_KEY: other.accessKeyId,
        OTHER_SECRET: other.secretAccessKey,
        OTHER_ACCOUNT: other.accountId,
      },
      [
        'lock where there is none InvalidRequest 400 ObjectLockConfigurationNotFoundError 404',
        'lock on an unversioned bucket InvalidBucketState 409',
        'versioned for good Enabled InvalidBucketState 409',
        "configuration {'ObjectLockEnabled': 'Enabled'}",
        'head GOVERNANCE True',
        'delete the key: a marker True',
        'delete the version AccessDenied 403 AccessDenied 403',
        'shorten without bypass AccessDenied 403',
        'extend ok True',
        'delete with bypass ok',
        'compliance AccessDenied 403 AccessDenied 403',
        "multi-object delete [('AccessDenied', True)]",
        'legal hold ON AccessDenied 403',
        'hold lifted ok',
        'no retention NoSuchObjectLockConfiguration 404 InvalidArgument 400',
        'default retention GOVERNANCE AccessDenied 403',
        'multipart COMPLIANCE AccessDenied 403',
        'by ACL grants AccessDenied 403 AccessDenied 403 AccessDenied 403',
      ],
    );
  });
  test("bucket policies with S3's condition keys, as another account's user meets them", async () => {
    const bob = await createAccount(cloud, `polbob${randomBytes(3).toString('hex')}`);
    // A user of bob's account whose own policy would deny reading objects tagged share=yes.
    const bobEnv = { ...cloud.env, EC2_ACCESS_KEY: bob.accessKeyId, EC2_SECRET_KEY: bob.secretAccessKey };
    const prober = (await runOk('euare-usercreate', ['-u', 'prober', '-k'], bobEnv)).trim().split('\n');
    const deny = {
      Statement: [
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
        {
          Effect: 'Deny',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { StringEquals: { 's3:ExistingObjectTag/share': 'yes' } },
        },
      ],
    };
    await runOk('euare-useruploadpolicy', ['-u', 'prober', '-p', 'probe', '-o', JSON.stringify(deny)], bobEnv);
    await clientPrints(
      'boto3_s3_policy.py',
      {
        BOB_KEY: bob.accessKeyId,
        BOB_SECRET: bob.secretAccessKey,
        BOB_ACCOUNT: bob.accountId,
        PROBER_KEY: prober[prober.length - 2],
        PROBER_SECRET: prober[prober.length - 1],
      },
      [
        's3:prefix ok AccessDenied AccessDenied',
        's3:max-keys ok AccessDenied',
        's3:ExistingObjectTag ok AccessDenied',
        's3:RequestObjectTag ok AccessDenied',
        's3:x-amz-acl ok AccessDenied',
        'IfExists ok AccessDenied',
        's3:x-amz-copy-source ok AccessDenied',
        'aws:Referer 200 403',
        'arn:aws:s3:::* and a Service principal ok AccessDenied MalformedPolicy',
        'tags of another account ok',
      ],
    );
  });
  test('bucket controls with boto3: Public Access Block, policy status, Ownership Controls', async () => {
    const bob = await createAccount(cloud, `ctlbob${randomBytes(3).toString('hex')}`);
    await clientPrints(
      'boto3_s3_controls.py',
      {
        EC2_ACCOUNT_NUMBER: cloud.eucarc.EC2_ACCOUNT_NUMBER,
        BOB_KEY: bob.accessKeyId,
        BOB_SECRET: bob.secretAccessKey,
        BOB_ACCOUNT: bob.accountId,
      },
      [
        'no block NoSuchPublicAccessBlockConfiguration',
        'block True False',
        'public ACLs refused AccessDenied AccessDenied AccessDenied ok',
        'existing public ACL 200',
        'public ACL ignored 403',
        'block removed 200 NoSuchPublicAccessBlockConfiguration',
        'no policy status NoSuchBucketPolicy',
        'pinned policy public False',
        'open policy public True',
        'public by policy 200 ok',
        'restricted 403 AccessDenied ok',
        'public policy refused AccessDenied ok',
        "ownership [{'ObjectOwnership': 'BucketOwnerPreferred'}]",
        'preferred True AccessDenied',
        'enforced with a shared ACL InvalidBucketAclWithObjectOwnership',
        'acls off AccessControlListNotSupported AccessControlListNotSupported ok AccessControlListNotSupported',
        "bucket owner owns it True ['FULL_CONTROL'] AccessDenied ok",
      ],
    );
  });
  test('server access logging with boto3: S3-format lines delivered into a target bucket', async () => {
    const other = await createAccount(cloud, `logother${randomBytes(3).toString('hex')}`);
    const otherBucket = `others-logs-${randomBytes(3).toString('hex')}`;
    const r0 = await run('aws', ['--endpoint-url', cloud.eucarc.S3_URL, 's3', 'mb', `s3://${otherBucket}`], {
      ...awsEnv,
      AWS_ACCESS_KEY_ID: other.accessKeyId,
      AWS_SECRET_ACCESS_KEY: other.secretAccessKey,
    });
    assert.equal(r0.code, 0, r0.stderr);
    await clientPrints(
      'boto3_s3_logging.py',
      {
        EC2_ACCOUNT_NUMBER: cloud.eucarc.EC2_ACCOUNT_NUMBER,
        OTHER_BUCKET: otherBucket,
      },
      [
        'not logging None',
        'target elsewhere InvalidTargetBucketForLogging InvalidTargetBucketForLogging',
        "logging {'TargetBucket': 'logs', 'TargetPrefix': 'access/'}",
        'delivered True True',
        'format True {True}',
        'put True',
        'head 404 True',
        "anonymous [('REST.GET.OBJECT', '403', 'AccessDenied', 'https://site.example/')]",
        'turned off None',
      ],
    );
  });
  test("the aws CLI's s3api over Walrus's features: Object Lock, bucket controls, attributes, logging, encryption", async () => {
    const s3api = async (...args: string[]) => {
      const r = await run('aws', ['--endpoint-url', cloud.eucarc.S3_URL, 's3api', ...args], awsEnv);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const fails = async (code: string, ...args: string[]) => {
      const r = await run('aws', ['--endpoint-url', cloud.eucarc.S3_URL, 's3api', ...args], awsEnv);
      assert.notEqual(r.code, 0, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, new RegExp(`\\(${code}\\)`), args.join(' '));
    };
    const bucket = `cli-vault-${randomBytes(3).toString('hex')}`;
    await s3api('create-bucket', '--bucket', bucket, '--object-lock-enabled-for-bucket');
    await s3api(
      'put-object-lock-configuration',
      '--bucket',
      bucket,
      '--object-lock-configuration',
      JSON.stringify({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } }),
    );
    const put = await s3api('put-object', '--bucket', bucket, '--key', 'k', '--body', small);
    assert.equal((await s3api('get-object-retention', '--bucket', bucket, '--key', 'k')).Retention.Mode, 'GOVERNANCE');
    await fails('AccessDenied', 'delete-object', '--bucket', bucket, '--key', 'k', '--version-id', put.VersionId);
    await s3api(
      'delete-object',
      '--bucket',
      bucket,
      '--key',
      'k',
      '--version-id',
      put.VersionId,
      '--bypass-governance-retention',
    );
    await s3api(
      'put-public-access-block',
      '--bucket',
      bucket,
      '--public-access-block-configuration',
      'BlockPublicAcls=true,IgnorePublicAcls=false,BlockPublicPolicy=true,RestrictPublicBuckets=false',
    );
    await fails(
      'AccessDenied',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'p',
      '--body',
      small,
      '--acl',
      'public-read',
    );
    const everyone = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
    });
    await fails('AccessDenied', 'put-bucket-policy', '--bucket', bucket, '--policy', everyone);
    await s3api('delete-public-access-block', '--bucket', bucket);
    await s3api('put-bucket-policy', '--bucket', bucket, '--policy', everyone);
    assert.equal((await s3api('get-bucket-policy-status', '--bucket', bucket)).PolicyStatus.IsPublic, true);
    await s3api(
      'put-bucket-ownership-controls',
      '--bucket',
      bucket,
      '--ownership-controls',
      'Rules=[{ObjectOwnership=BucketOwnerEnforced}]',
    );
    await fails(
      'AccessControlListNotSupported',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'owned',
      '--body',
      small,
      '--acl',
      'public-read',
    );
    await s3api('put-object', '--bucket', bucket, '--key', 'big', '--body', big);
    const attrs = await s3api(
      'get-object-attributes',
      '--bucket',
      bucket,
      '--key',
      'big',
      '--object-attributes',
      'ObjectSize',
      'ETag',
    );
    assert.equal(attrs.ObjectSize, fs.statSync(big).size);
    await s3api(
      'put-bucket-encryption',
      '--bucket',
      bucket,
      '--server-side-encryption-configuration',
      JSON.stringify({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] }),
    );
    await s3api('put-object', '--bucket', bucket, '--key', 'sealed', '--body', small);
    assert.equal((await s3api('head-object', '--bucket', bucket, '--key', 'sealed')).ServerSideEncryption, 'AES256');
    const logs = `cli-logs-${randomBytes(3).toString('hex')}`;
    await s3api('create-bucket', '--bucket', logs);
    await s3api(
      'put-bucket-logging',
      '--bucket',
      bucket,
      '--bucket-logging-status',
      JSON.stringify({ LoggingEnabled: { TargetBucket: logs, TargetPrefix: 'cli/' } }),
    );
    assert.equal((await s3api('get-bucket-logging', '--bucket', bucket)).LoggingEnabled.TargetBucket, logs);
  });
  test('server-side encryption: SSE-S3, SSE-C and a default with boto3 and the aws CLI, sealed on disk', async () => {
    const mark = `plaintext-${randomBytes(8).toString('hex')}`;
    await clientPrints(
      'boto3_s3_encryption.py',
      {
        PLAINTEXT_MARK: mark,
      },
      [
        'sse-s3 AES256 AES256 True AES256',
        'sse-s3 range True',
        'sse header on a read InvalidArgument 400',
        'sse-c AES256 True False',
        'sse-c without key InvalidRequest 400 400 400',
        'sse-c other key InvalidRequest 400',
        'sse-c with key True AES256',
        'sse-c key for a plain object ok InvalidRequest 400',
        'sse-kms KMS.NotFoundException 400 404 404',
        'unknown sse InvalidArgument 400',
        'no default ServerSideEncryptionConfigurationNotFoundError 404',
        'default AES256',
        'sealed by default AES256',
        'kms default KMS.NotFoundException 400',
        'default removed ServerSideEncryptionConfigurationNotFoundError 404 None',
        'mp-s3 AES256 AES256 True True True',
        'mp-c part without key InvalidRequest 400',
        'mp-c None AES256 True True True',
        'copy sse-c to sse-s3 AES256 True',
        'copy sse-c without its key InvalidRequest 400',
        'reseal in place True InvalidRequest 400',
        'part copy from sse-c True',
      ],
    );
    // The aws CLI's --sse and --sse-c, both ways.
    const key = path.join(work, 'customer.key');
    fs.writeFileSync(key, randomBytes(32));
    const source = path.join(work, 'marked.txt');
    fs.writeFileSync(source, mark.repeat(500));
    const aws = (...args: string[]) => run('aws', ['--endpoint-url', cloud.eucarc.S3_URL, ...args], awsEnv);
    const sseC = ['--sse-c', 'AES256', '--sse-c-key', `fileb://${key}`];
    for (const [name, sealing] of [
      ['cli-s3', ['--sse', 'AES256']],
      ['cli-c', sseC],
    ] as const) {
      assert.equal((await aws('s3', 'cp', source, `s3://enc/${name}`, ...sealing)).code, 0);
      const back = path.join(work, `${name}.back`);
      const reading = name === 'cli-c' ? sseC : [];
      const got = await aws('s3', 'cp', `s3://enc/${name}`, back, ...reading);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(md5File(back), md5File(source));
    }
    const head = await aws('s3api', 'head-object', '--bucket', 'enc', '--key', 'cli-s3');
    assert.equal(JSON.parse(head.stdout).ServerSideEncryption, 'AES256');
    assert.notEqual((await aws('s3', 'cp', 's3://enc/cli-c', path.join(work, 'nokey'))).code, 0);
    // Every sealed object's bytes are ciphertext on disk: the plaintext is in no file but the plain ones.
    const { walrusDir, keysDir } = cloudPaths(cloud.dataDir);
    const holding = filesUnder(walrusDir).filter((f) => fs.readFileSync(path.join(walrusDir, f)).includes(mark));
    assert.equal(holding.length, 2, `only the two plain objects that hold it ("e" and "pc"): ${holding}`);
    const master = fs.statSync(path.join(keysDir, 'walrus-master.key'));
    assert.equal(master.mode & 0o777, 0o600);
  });
});
