/**
 * Walrus bucket and object configurations, through the aws CLI's s3api: bucket tagging, object
 * tagging (also set by put-object --tagging and kept or replaced by copies), CORS (stored, then
 * answering a browser's preflight and decorating replies) and lifecycle rules (stored, and acted
 * on: an expired prefix is deleted by the sweep the cloud runs at start-up), versioning, and
 * bucket policies (who they let in and keep out, beside ACLs and the users' own policies). Errors
 * as S3's.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CliError } from '../../src/shared/errors';
import { run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { createAccount, type Keys, rawRequest, s3Client } from '../helpers/s3';

/** The aws CLI's s3api against a cloud, as its admin or with the given keys (read when called). */
function s3api(target: () => { cloud: TestCloud; home: string; keys?: Keys }) {
  const raw = async (...args: string[]) => {
    const { cloud, home, keys } = target();
    const env = {
      ...cloud.env,
      AWS_ACCESS_KEY_ID: keys?.accessKeyId ?? cloud.eucarc.EC2_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: keys?.secretAccessKey ?? cloud.eucarc.EC2_SECRET_KEY,
      AWS_DEFAULT_REGION: 'eucalyptus',
      HOME: home,
    };
    const r = await run('aws', ['--endpoint-url', cloud.eucarc.S3_URL, 's3api', ...args, '--output', 'json'], env);
    return { ...r, json: r.code === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
  };
  const ok = async (...args: string[]) => {
    const r = await raw(...args);
    assert.equal(r.code, 0, `aws s3api ${args.join(' ')}: ${r.stderr}`);
    return r.json ?? {};
  };
  /** Fails with an error whose code (as the CLI prints it, in parentheses) matches `code`. */
  const fails = async (code: string, ...args: string[]) => {
    const r = await raw(...args);
    assert.notEqual(r.code, 0, `aws s3api ${args.join(' ')} should fail`);
    assert.match(r.stderr, new RegExp(`\\((${code})\\)`));
  };
  return { raw, ok, fails };
}

describe('Walrus configurations', () => {
  let cloud: TestCloud;
  let work: string;
  const { ok: awsOk, fails: awsFails } = s3api(() => ({ cloud, home: work }));

  before(async () => {
    cloud = await startCloud();
    work = tempDir('walrus-configs-');
    await awsOk('create-bucket', '--bucket', 'conf');
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.doesNotMatch(cloud.output(), /internal error| 500 /);
  });

  test('bucket tagging: put, get, replace, delete; bad tag sets refused', async () => {
    await awsFails('NoSuchTagSet', 'get-bucket-tagging', '--bucket', 'conf');
    await awsOk(
      'put-bucket-tagging',
      '--bucket',
      'conf',
      '--tagging',
      'TagSet=[{Key=team,Value=storage},{Key=cost,Value=42}]',
    );
    assert.deepEqual((await awsOk('get-bucket-tagging', '--bucket', 'conf')).TagSet, [
      { Key: 'team', Value: 'storage' },
      { Key: 'cost', Value: '42' },
    ]);
    await awsFails(
      'InvalidTag',
      'put-bucket-tagging',
      '--bucket',
      'conf',
      '--tagging',
      'TagSet=[{Key=a,Value=1},{Key=a,Value=2}]',
    );
    await awsFails(
      'InvalidTag',
      'put-bucket-tagging',
      '--bucket',
      'conf',
      '--tagging',
      'TagSet=[{Key=aws:owner,Value=1}]',
    );
    assert.deepEqual((await awsOk('get-bucket-tagging', '--bucket', 'conf')).TagSet, [
      { Key: 'team', Value: 'storage' },
      { Key: 'cost', Value: '42' },
    ]);
    await awsOk('delete-bucket-tagging', '--bucket', 'conf');
    await awsFails('NoSuchTagSet', 'get-bucket-tagging', '--bucket', 'conf');
  });

  test(
    'object tagging: put-object --tagging, get/put/delete-object-tagging, the tag count on GET, ' + 'copies',
    async () => {
      const body = path.join(work, 'body.txt');
      fs.writeFileSync(body, 'tagged bytes');
      await awsOk(
        'put-object',
        '--bucket',
        'conf',
        '--key',
        'docs/a.txt',
        '--body',
        body,
        '--tagging',
        'class=secret&owner=ops',
      );
      assert.deepEqual((await awsOk('get-object-tagging', '--bucket', 'conf', '--key', 'docs/a.txt')).TagSet, [
        { Key: 'class', Value: 'secret' },
        { Key: 'owner', Value: 'ops' },
      ]);
      assert.equal((await awsOk('head-object', '--bucket', 'conf', '--key', 'docs/a.txt')).TagCount, 2);
      await awsOk(
        'put-object-tagging',
        '--bucket',
        'conf',
        '--key',
        'docs/a.txt',
        '--tagging',
        'TagSet=[{Key=class,Value=public}]',
      );
      assert.deepEqual((await awsOk('get-object-tagging', '--bucket', 'conf', '--key', 'docs/a.txt')).TagSet, [
        { Key: 'class', Value: 'public' },
      ]);
      const eleven = Array.from({ length: 11 }, (_, i) => `{Key=k${i},Value=v}`).join(',');
      await awsFails(
        'InvalidTag',
        'put-object-tagging',
        '--bucket',
        'conf',
        '--key',
        'docs/a.txt',
        '--tagging',
        `TagSet=[${eleven}]`,
      );

      await awsOk('copy-object', '--bucket', 'conf', '--key', 'docs/copy.txt', '--copy-source', 'conf/docs/a.txt');
      assert.deepEqual((await awsOk('get-object-tagging', '--bucket', 'conf', '--key', 'docs/copy.txt')).TagSet, [
        { Key: 'class', Value: 'public' },
      ]);
      await awsOk(
        'copy-object',
        '--bucket',
        'conf',
        '--key',
        'docs/copy2.txt',
        '--copy-source',
        'conf/docs/a.txt',
        '--tagging-directive',
        'REPLACE',
        '--tagging',
        'fresh=yes',
      );
      assert.deepEqual((await awsOk('get-object-tagging', '--bucket', 'conf', '--key', 'docs/copy2.txt')).TagSet, [
        { Key: 'fresh', Value: 'yes' },
      ]);

      await awsOk('delete-object-tagging', '--bucket', 'conf', '--key', 'docs/a.txt');
      assert.deepEqual((await awsOk('get-object-tagging', '--bucket', 'conf', '--key', 'docs/a.txt')).TagSet, []);
      assert.equal((await awsOk('head-object', '--bucket', 'conf', '--key', 'docs/a.txt')).TagCount, undefined);
      await awsFails('NoSuchKey', 'get-object-tagging', '--bucket', 'conf', '--key', 'docs/none.txt');
    },
  );

  test(
    'CORS: stored and read back; a preflight is answered by the matching rule or refused; replies to a ' +
      'page carry the headers',
    async () => {
      await awsFails('NoSuchCORSConfiguration', 'get-bucket-cors', '--bucket', 'conf');
      const cors = {
        CORSRules: [
          {
            AllowedOrigins: ['https://app.example.com'],
            AllowedMethods: ['GET', 'PUT'],
            AllowedHeaders: ['x-amz-*', 'content-type'],
            ExposeHeaders: ['ETag'],
            MaxAgeSeconds: 600,
          },
          { AllowedOrigins: ['*'], AllowedMethods: ['GET'] },
        ],
      };
      await awsOk('put-bucket-cors', '--bucket', 'conf', '--cors-configuration', JSON.stringify(cors));
      assert.deepEqual((await awsOk('get-bucket-cors', '--bucket', 'conf')).CORSRules, cors.CORSRules);
      await awsFails(
        'InvalidRequest',
        'put-bucket-cors',
        '--bucket',
        'conf',
        '--cors-configuration',
        JSON.stringify({ CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }] }),
      );

      const preflight = (origin: string, method: string, headers?: string) =>
        rawRequest(cloud.port, 'OPTIONS', '/services/Walrus/conf/docs/a.txt', {
          Origin: origin,
          'Access-Control-Request-Method': method,
          ...(headers ? { 'Access-Control-Request-Headers': headers } : {}),
        });
      const ok = await preflight('https://app.example.com', 'PUT', 'Content-Type, X-Amz-Date');
      assert.equal(ok.status, 200);
      assert.equal(ok.headers['access-control-allow-origin'], 'https://app.example.com');
      assert.equal(ok.headers['access-control-allow-methods'], 'GET, PUT');
      assert.equal(ok.headers['access-control-allow-headers'], 'content-type, x-amz-date');
      assert.equal(ok.headers['access-control-max-age'], '600');
      const anyone = await preflight('https://elsewhere.example.org', 'GET');
      assert.equal(anyone.status, 200);
      assert.equal(anyone.headers['access-control-allow-origin'], '*');
      const refused = await preflight('https://elsewhere.example.org', 'PUT');
      assert.equal(refused.status, 403);
      assert.match(refused.body.toString(), /<Code>AccessForbidden<\/Code>/);
      const noHeader = await preflight('https://app.example.com', 'PUT', 'x-forbidden');
      assert.equal(noHeader.status, 403);

      // An ordinary request from the page gets the headers too.
      await awsOk('put-object-acl', '--bucket', 'conf', '--key', 'docs/copy.txt', '--acl', 'public-read');
      const got = await rawRequest(cloud.port, 'GET', '/services/Walrus/conf/docs/copy.txt', {
        Origin: 'https://app.example.com',
      });
      assert.equal(got.status, 200);
      assert.equal(got.body.toString(), 'tagged bytes');
      assert.equal(got.headers['access-control-allow-origin'], 'https://app.example.com');
      assert.equal(got.headers['access-control-expose-headers'], 'ETag');
      const other = await rawRequest(cloud.port, 'GET', '/services/Walrus/conf/docs/copy.txt', {
        Origin: 'https://elsewhere.example.org',
      });
      assert.equal(other.headers['access-control-allow-origin'], '*');
      // A refusal carries them too, so that the page can read it (an anonymous GET of a private key).
      const denied = await rawRequest(cloud.port, 'GET', '/services/Walrus/conf/docs/a.txt', {
        Origin: 'https://app.example.com',
      });
      assert.equal(denied.status, 403);
      assert.equal(denied.headers['access-control-allow-origin'], 'https://app.example.com');
      // A preflight without Origin is a bad request, as S3 answers it.
      const noOrigin = await rawRequest(cloud.port, 'OPTIONS', '/services/Walrus/conf/docs/a.txt', {
        'Access-Control-Request-Method': 'GET',
      });
      assert.equal(noOrigin.status, 400);
      // Wildcard origins match by their suffix.
      await awsOk(
        'put-bucket-cors',
        '--bucket',
        'conf',
        '--cors-configuration',
        JSON.stringify({ CORSRules: [{ AllowedOrigins: ['https://*.example.net'], AllowedMethods: ['GET'] }] }),
      );
      assert.equal(
        (await preflight('https://shop.example.net', 'GET')).headers['access-control-allow-origin'],
        'https://shop.example.net',
      );
      assert.equal((await preflight('https://example.org', 'GET')).status, 403);

      await awsOk('delete-bucket-cors', '--bucket', 'conf');
      assert.equal((await preflight('https://app.example.com', 'GET')).status, 403);
    },
  );

  test('lifecycle: stored and read back, validated, and an expired prefix is deleted by the sweep', async () => {
    await awsFails('NoSuchLifecycleConfiguration', 'get-bucket-lifecycle-configuration', '--bucket', 'conf');
    const body = path.join(work, 'small.txt');
    fs.writeFileSync(body, 'temporary');
    for (const key of ['tmp/one', 'tmp/two', 'keep/three'])
      await awsOk('put-object', '--bucket', 'conf', '--key', key, '--body', body);
    const rules = {
      Rules: [
        {
          ID: 'expire-tmp',
          Filter: { Prefix: 'tmp/' },
          Status: 'Enabled',
          Expiration: { Date: '2001-01-01T00:00:00Z' },
        },
        {
          ID: 'old-logs',
          Filter: { Prefix: 'logs/' },
          Status: 'Enabled',
          Expiration: { Days: 30 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
        { ID: 'off', Filter: { Prefix: 'keep/' }, Status: 'Disabled', Expiration: { Date: '2001-01-01T00:00:00Z' } },
      ],
    };
    await awsFails(
      'InvalidArgument',
      'put-bucket-lifecycle-configuration',
      '--bucket',
      'conf',
      '--lifecycle-configuration',
      JSON.stringify({ Rules: [{ ID: 'x', Filter: { Prefix: '' }, Status: 'Enabled', Expiration: { Days: 0 } }] }),
    );
    await awsOk(
      'put-bucket-lifecycle-configuration',
      '--bucket',
      'conf',
      '--lifecycle-configuration',
      JSON.stringify(rules),
    );
    const read = (await awsOk('get-bucket-lifecycle-configuration', '--bucket', 'conf')).Rules;
    assert.deepEqual(
      read.map((r: { ID: string; Status: string }) => [r.ID, r.Status]),
      [
        ['expire-tmp', 'Enabled'],
        ['old-logs', 'Enabled'],
        ['off', 'Disabled'],
      ],
    );
    assert.equal(read[1].Expiration.Days, 30);
    assert.equal(read[1].AbortIncompleteMultipartUpload.DaysAfterInitiation, 7);

    // The cloud sweeps at start-up (and hourly): restart it on the same data.
    await cloud.stop();
    cloud = await startCloud(cloud.dataDir, cloud.port);
    const keys = ((await awsOk('list-objects-v2', '--bucket', 'conf')).Contents ?? []).map(
      (o: { Key: string }) => o.Key,
    );
    assert.ok(!keys.includes('tmp/one') && !keys.includes('tmp/two'), keys.join(' '));
    assert.ok(keys.includes('keep/three') && keys.includes('docs/a.txt'), keys.join(' '));
    assert.match(cloud.output(), /walrus lifecycle: 2 object\(s\) expired/);

    await awsOk('delete-bucket-lifecycle', '--bucket', 'conf');
    await awsFails('NoSuchLifecycleConfiguration', 'get-bucket-lifecycle-configuration', '--bucket', 'conf');
  });

  test('only the bucket owner reads or changes its configuration', async () => {
    const r = await run(
      'aws',
      ['--endpoint-url', cloud.eucarc.S3_URL, 's3api', 'get-bucket-tagging', '--bucket', 'conf', '--no-sign-request'],
      { ...cloud.env, AWS_DEFAULT_REGION: 'eucalyptus', HOME: work },
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /AccessDenied/);
  });
});

describe('Walrus versioning', () => {
  let cloud: TestCloud;
  let work: string;
  const { ok: aws, fails } = s3api(() => ({ cloud, home: work }));
  const put = async (key: string, content: string) => {
    const file = path.join(work, 'body');
    fs.writeFileSync(file, content);
    return aws('put-object', '--bucket', 'ver', '--key', key, '--body', file);
  };
  const read = async (key: string, versionId?: string) => {
    const out = path.join(work, 'out');
    await aws('get-object', '--bucket', 'ver', '--key', key, ...(versionId ? ['--version-id', versionId] : []), out);
    return fs.readFileSync(out, 'utf8');
  };
  const versions = async () => {
    const r = await aws('list-object-versions', '--bucket', 'ver');
    const v = (r.Versions ?? []).map((x: any) => ({ key: x.Key, id: x.VersionId, latest: x.IsLatest, marker: false }));
    const m = (r.DeleteMarkers ?? []).map((x: any) => ({
      key: x.Key,
      id: x.VersionId,
      latest: x.IsLatest,
      marker: true,
    }));
    return [...v, ...m];
  };

  before(async () => {
    cloud = await startCloud();
    work = tempDir('walrus-versions-');
    await aws('create-bucket', '--bucket', 'ver');
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.doesNotMatch(cloud.output(), /internal error| 500 /);
  });

  test(
    'enabled: every write is a version, a delete is a marker, any version reads back and can be ' + 'removed',
    async () => {
      assert.deepEqual(await aws('get-bucket-versioning', '--bucket', 'ver'), {});
      await put('doc', 'before versioning');
      await aws('put-bucket-versioning', '--bucket', 'ver', '--versioning-configuration', 'Status=Enabled');
      assert.equal((await aws('get-bucket-versioning', '--bucket', 'ver')).Status, 'Enabled');
      const v1 = (await put('doc', 'first')).VersionId;
      const v2 = (await put('doc', 'second')).VersionId;
      assert.ok(v1 && v2 && v1 !== v2);
      assert.equal(await read('doc'), 'second');
      assert.equal(await read('doc', v1), 'first');
      assert.equal(await read('doc', 'null'), 'before versioning');
      assert.deepEqual(
        (await versions()).map((v) => [v.id, v.latest]),
        [
          [v2, true],
          [v1, false],
          ['null', false],
        ],
      );

      const marker = await aws('delete-object', '--bucket', 'ver', '--key', 'doc');
      assert.equal(marker.DeleteMarker, true);
      await fails('NoSuchKey|Not Found|404', 'get-object', '--bucket', 'ver', '--key', 'doc', path.join(work, 'x'));
      assert.equal(await read('doc', v2), 'second');
      const listed = await versions();
      assert.deepEqual(
        listed.filter((v) => v.marker).map((v) => [v.id, v.latest]),
        [[marker.VersionId, true]],
      );
      assert.ok(listed.filter((v) => !v.marker).every((v) => !v.latest));

      // Removing the marker brings the key back; removing the newest version, the one before.
      await aws('delete-object', '--bucket', 'ver', '--key', 'doc', '--version-id', marker.VersionId);
      assert.equal(await read('doc'), 'second');
      await aws('delete-object', '--bucket', 'ver', '--key', 'doc', '--version-id', v2);
      assert.equal(await read('doc'), 'first');
      await fails(
        'NoSuchVersion|404',
        'get-object',
        '--bucket',
        'ver',
        '--key',
        'doc',
        '--version-id',
        v2,
        path.join(work, 'x'),
      );

      // A copy of an old version.
      const copied = await aws(
        'copy-object',
        '--bucket',
        'ver',
        '--key',
        'restored',
        '--copy-source',
        `ver/doc?versionId=null`,
      );
      assert.ok(copied.VersionId);
      assert.equal(await read('restored'), 'before versioning');
    },
  );

  test('suspended: writes replace the null version; the bucket empties only when every version is gone', async () => {
    await aws('put-bucket-versioning', '--bucket', 'ver', '--versioning-configuration', 'Status=Suspended');
    assert.equal((await aws('get-bucket-versioning', '--bucket', 'ver')).Status, 'Suspended');
    await put('doc', 'suspended one');
    await put('doc', 'suspended two');
    const ids = (await versions()).filter((v) => v.key === 'doc').map((v) => v.id);
    assert.equal(ids.filter((id) => id === 'null').length, 1);
    assert.equal(await read('doc'), 'suspended two');
    assert.equal(await read('doc', 'null'), 'suspended two');

    await fails('BucketNotEmpty', 'delete-bucket', '--bucket', 'ver');
    const all = await versions();
    await aws(
      'delete-objects',
      '--bucket',
      'ver',
      '--delete',
      JSON.stringify({ Objects: all.map((v) => ({ Key: v.key, VersionId: v.id })) }),
    );
    assert.deepEqual(await versions(), []);
    await aws('delete-bucket', '--bucket', 'ver');
    // No data file is left behind.
    const walrusDir = path.join(cloud.dataDir, 'var', 'lib', 'eucalyptus', 'walrus');
    const leftovers = fs
      .readdirSync(walrusDir)
      .filter((d) => d !== 'tmp')
      .flatMap((d) => fs.readdirSync(path.join(walrusDir, d)));
    assert.deepEqual(leftovers, []);
  });
});

describe('Walrus bucket policies', () => {
  let cloud: TestCloud;
  let work: string;
  let acme: Keys & { accountId: string };
  let beta: Keys & { accountId: string };
  const client = (keys?: Keys) => s3Client(cloud, keys ? { keys } : {});
  const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const { raw: aws } = s3api(() => ({ cloud, home: work, keys: acme }));

  before(async () => {
    cloud = await startCloud();
    work = tempDir('walrus-policies-');
    acme = await createAccount(cloud, 'acme');
    beta = await createAccount(cloud, 'beta');
    const owner = await client(acme);
    await owner.createBucket('shared');
    await owner.putObject('shared', 'public/readme', Buffer.from('for everyone'));
    await owner.putObject('shared', 'team/plan', Buffer.from('for beta'));
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.doesNotMatch(cloud.output(), /internal error| 500 /);
  });

  test('put, get and delete a policy with the aws CLI; malformed ones are refused', async () => {
    const r0 = await aws('get-bucket-policy', '--bucket', 'shared');
    assert.match(r0.stderr, /NoSuchBucketPolicy/);
    const bad = [
      policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' }]),
      policy([{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' }]),
      policy([{ Effect: 'Allow', Principal: '*', Action: 'ec2:RunInstances', Resource: 'arn:aws:s3:::shared/*' }]),
      '{"Statement": [',
    ];
    for (const doc of bad) {
      const r = await aws('put-bucket-policy', '--bucket', 'shared', '--policy', doc);
      assert.notEqual(r.code, 0, doc);
      assert.match(r.stderr, /MalformedPolicy/, doc);
    }
    const good = policy([
      {
        Sid: 'read',
        Effect: 'Allow',
        Principal: { AWS: [beta.accountId] },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::shared/team/*',
      },
    ]);
    assert.equal((await aws('put-bucket-policy', '--bucket', 'shared', '--policy', good)).code, 0);
    const got = await aws('get-bucket-policy', '--bucket', 'shared');
    assert.deepEqual(JSON.parse(JSON.parse(got.stdout).Policy), JSON.parse(good));
    // Only the owner reads or changes it.
    await assert.rejects(
      (await client(beta)).putObject('shared', 'x', Buffer.from('no')),
      (e: CliError) => e.code === 'AccessDenied',
    );
    assert.equal((await aws('delete-bucket-policy', '--bucket', 'shared')).code, 0);
    assert.match((await aws('get-bucket-policy', '--bucket', 'shared')).stderr, /NoSuchBucketPolicy/);
  });

  test(
    'an Allow lets another account, anonymous callers or a user of the account in, for exactly what it ' + 'names',
    async () => {
      const other = await client(beta);
      const denied = (p: Promise<unknown>) => assert.rejects(p, (e: CliError) => e.code === 'AccessDenied');
      await denied(other.getObjectBuffer('shared', 'team/plan'));
      assert.equal((await rawRequest(cloud.port, 'GET', '/services/Walrus/shared/public/readme')).status, 403);

      const acmeUser = await runOk('euare-usercreate', ['-u', 'carol', '-k'], {
        ...cloud.env,
        EC2_ACCESS_KEY: acme.accessKeyId,
        EC2_SECRET_KEY: acme.secretAccessKey,
        AWS_ACCESS_KEY: acme.accessKeyId,
        AWS_SECRET_ACCESS_KEY: acme.secretAccessKey,
      });
      const [carolKey, carolSecret] = acmeUser.trim().split('\n');
      const carol = await client({ accessKeyId: carolKey, secretAccessKey: carolSecret });
      await denied(carol.getObjectBuffer('shared', 'team/plan'));

      const doc = policy([
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${beta.accountId}:root` },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::shared/team/*',
        },
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/public/*' },
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${acme.accountId}:user/carol` },
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: 'arn:aws:s3:::shared/*',
        },
      ]);
      assert.equal((await aws('put-bucket-policy', '--bucket', 'shared', '--policy', doc)).code, 0);
      assert.equal((await other.getObjectBuffer('shared', 'team/plan')).body.toString(), 'for beta');
      // "*" is everyone, other accounts' users included; what no statement names stays refused.
      assert.equal((await other.getObjectBuffer('shared', 'public/readme')).body.toString(), 'for everyone');
      await denied(other.listObjects('shared'));
      await denied(other.putObject('shared', 'team/plan', Buffer.from('overwritten')));
      const anonymous = await rawRequest(cloud.port, 'GET', '/services/Walrus/shared/public/readme');
      assert.equal(anonymous.status, 200);
      assert.equal(anonymous.body.toString(), 'for everyone');
      assert.equal((await rawRequest(cloud.port, 'GET', '/services/Walrus/shared/team/plan')).status, 403);
      // carol has no policy of her own: the bucket's names her.
      await carol.putObject('shared', 'team/notes', Buffer.from('carol was here'));
      assert.equal((await carol.getObjectBuffer('shared', 'team/notes')).body.toString(), 'carol was here');
      await denied(carol.listObjects('shared'));
    },
  );

  test('a Deny refuses even the bucket owner; the cloud administrator still passes', async () => {
    const doc = policy([
      { Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::shared/public/*' },
    ]);
    assert.equal((await aws('put-bucket-policy', '--bucket', 'shared', '--policy', doc)).code, 0);
    const owner = await client(acme);
    await assert.rejects(owner.deleteObject('shared', 'public/readme'), (e: CliError) => e.code === 'AccessDenied');
    assert.equal((await owner.getObjectBuffer('shared', 'public/readme')).body.toString(), 'for everyone');
    await owner.deleteObject('shared', 'team/plan');
    assert.equal((await aws('delete-bucket-policy', '--bucket', 'shared')).code, 0);
    await owner.deleteObject('shared', 'public/readme');
  });
});
