/**
 * Walrus end to end: the real daemon, our S3 client (Signature V4 and V2), unsigned requests for
 * anonymous access, and the cloud's internal Walrus API opened on the same data dir. Buckets and
 * their rules, objects (ranges, digests, copies, deletes), listings, multipart uploads, ACLs
 * across accounts, keys that look like paths, failed uploads that must leave nothing behind,
 * routing at the root path, and start-up clean-up of what a crash leaves.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cloudPaths } from '../../src/shared/paths';
import { ObjectFiles, SqlWalrusStore, Walrus } from '../../src/backend/s3';
import { MasterKey } from '../../src/backend/s3/encryption';
import { SqlStore } from '../../src/backend/store/sql-store';
import { cloudDatabase } from '../../src/backend/store/database';
import type { Principal } from '../../src/backend/store/types';
import { ChunkSigner, signV4 } from '../../src/shared/auth/sigv4';
import { CliError } from '../../src/shared/errors';
import { send } from '../../src/cli/http';
import { type S3Client } from '../../src/cli/s3';
import { chunkedLength, signedChunks } from '../../src/cli/s3-chunked';
import { parseXml } from '../../src/cli/xml';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { adminKeys, createAccount, filesUnder, type Keys, rawRequest, s3Client } from '../helpers/s3';

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const MiB = 1024 * 1024;

/** Asserts the promise fails with this S3 error code (and status, when given). */
async function fails(p: Promise<unknown>, code: string, status?: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof CliError, String(e));
    assert.equal(e.code, code, e.message);
    if (status !== undefined) assert.equal(e.httpStatus, status);
    return true;
  });
}

async function* pieces(data: Buffer, size = 10_000): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('Walrus', () => {
  let cloud: TestCloud;
  let s3: S3Client;
  let s3v2: S3Client;
  let alice: Keys & { accountId: string };
  let aliceS3: S3Client;
  let walrusDir: string;

  before(async () => {
    cloud = await startCloud();
    s3 = await s3Client(cloud);
    s3v2 = await s3Client(cloud, { sig: '2' });
    alice = await createAccount(cloud, 'alice-corp');
    aliceS3 = await s3Client(cloud, { keys: alice });
    walrusDir = cloudPaths(cloud.dataDir).walrusDir;
  });
  after(async () => {
    await cloud.stop();
    // Whatever the tests sent, the cloud never failed inside.
    assert.doesNotMatch(cloud.output(), /internal error| 500 /);
  });

  const tmpFiles = () => fs.readdirSync(path.join(walrusDir, 'tmp'));

  test('buckets: create, list, locate, already owned, taken by another account, bad names', async () => {
    await s3.createBucket('photos');
    await s3v2.createBucket('photos-v2', { location: 'eucalyptus' });
    assert.equal(await s3.getBucketLocation('photos'), '');
    assert.equal(await s3v2.getBucketLocation('photos-v2'), 'eucalyptus');
    const names = (await s3.listBuckets()).buckets.map((b) => b.Name);
    assert.ok(names.includes('photos') && names.includes('photos-v2'), names.join());
    await fails(s3.createBucket('photos'), 'BucketAlreadyOwnedByYou', 409);
    await fails(aliceS3.createBucket('photos'), 'BucketAlreadyExists', 409);
    assert.deepEqual((await aliceS3.listBuckets()).buckets, []);
    for (const bad of ['ab', 'a..b', '-dash', '10.1.2.3', 'x'.repeat(256)])
      await fails(s3.createBucket(bad), 'InvalidBucketName', 400);
    await s3.headBucket('photos');
    await fails(s3.headBucket('nothere'), 'NoSuchBucket', 404);
    await fails(aliceS3.headBucket('photos'), 'AccessDenied', 403);
    await fails(aliceS3.getBucketLocation('photos'), 'AccessDenied', 403);
  });

  test('a bucket with objects cannot be deleted; one with only unfinished multipart uploads goes with them, as S3', async () => {
    await s3.createBucket('full');
    await s3.putObject('full', 'k', 'v');
    await fails(s3.deleteBucket('full'), 'BucketNotEmpty', 409);
    await fails(aliceS3.deleteBucket('full'), 'AccessDenied', 403);
    const uploadId = await s3.createMultipartUpload('full', 'big');
    await s3.uploadPart('full', 'big', uploadId, 1, Buffer.alloc(1024, 1));
    await fails(s3.deleteBucket('full'), 'BucketNotEmpty', 409);
    await s3.deleteObject('full', 'k');
    await s3.deleteBucket('full');
    await fails(s3.headBucket('full'), 'NoSuchBucket', 404);
    // The upload went with it: a bucket made again under the name has none.
    await s3.createBucket('full');
    await fails(s3.abortMultipartUpload('full', 'big', uploadId), 'NoSuchUpload', 404);
    await s3.deleteBucket('full');
  });

  for (const sig of ['4', '2'] as const) {
    test(`objects with Signature V${sig}: put, head, get, metadata, ranges, delete`, async () => {
      const c = sig === '4' ? s3 : s3v2;
      const bucket = `objects-v${sig}`;
      await c.createBucket(bucket);
      const data = randomBytes(100_000);
      const { etag } = await c.putObject(bucket, 'dir/file.bin', data, {
        contentType: 'application/x-test',
        metadata: { color: 'blue' },
        headers: { 'Cache-Control': 'no-cache' },
      });
      assert.equal(etag, `"${md5(data)}"`);
      const head = await c.headObject(bucket, 'dir/file.bin');
      assert.deepEqual(
        [head.size, head.etag, head.contentType, head.metadata],
        [data.length, etag, 'application/x-test', { color: 'blue' }],
      );
      const got = await c.getObjectBuffer(bucket, 'dir/file.bin');
      assert.ok(got.body.equals(data));
      assert.equal(got.info.metadata.color, 'blue');

      const part = await c.getObject(bucket, 'dir/file.bin', { range: { start: 10, end: 19 } });
      assert.equal(part.status, 206);
      const chunks: Buffer[] = [];
      for await (const b of part.body) chunks.push(b as Buffer);
      assert.ok(Buffer.concat(chunks).equals(data.subarray(10, 20)));
      const raw = await c.request({ method: 'GET', bucket, key: 'dir/file.bin', headers: { Range: 'bytes=-5' } });
      assert.equal(raw.headers['content-range'], `bytes ${data.length - 5}-${data.length - 1}/${data.length}`);
      assert.ok(raw.body.equals(data.subarray(-5)));
      await fails(c.getObject(bucket, 'dir/file.bin', { range: { start: data.length } }), 'InvalidRange', 416);

      // Streamed upload: signed aws-chunked under V4, a plain Content-Length stream under V2.
      const streamed = randomBytes(300_000);
      await c.putObject(bucket, 'streamed', { stream: pieces(streamed, 7_777), length: streamed.length });
      assert.ok((await c.getObjectBuffer(bucket, 'streamed')).body.equals(streamed));

      await c.deleteObject(bucket, 'dir/file.bin');
      await c.deleteObject(bucket, 'dir/file.bin'); // idempotent
      await fails(c.headObject(bucket, 'dir/file.bin'), 'NoSuchKey', 404);
      await fails(c.getObject(bucket, 'missing'), 'NoSuchKey', 404);
      await fails(c.putObject('no-such-bucket', 'k', 'v'), 'NoSuchBucket', 404);
    });
  }

  test('an empty object, a conditional GET, copies with COPY and REPLACE, multi-object delete', async () => {
    await s3.createBucket('copies');
    await s3.putObject('copies', 'empty', Buffer.alloc(0));
    assert.equal((await s3.getObjectBuffer('copies', 'empty')).body.length, 0);
    const { etag } = await s3.putObject('copies', 'src', 'source bytes', {
      contentType: 'text/plain',
      metadata: { a: '1' },
    });
    await fails(
      s3.request({ method: 'GET', bucket: 'copies', key: 'src', headers: { 'If-None-Match': etag } }),
      'NotModified',
      304,
    );
    await fails(
      s3.request({ method: 'GET', bucket: 'copies', key: 'src', headers: { 'If-Match': '"nope"' } }),
      'PreconditionFailed',
      412,
    );

    await s3.copyObject({ bucket: 'copies', key: 'src' }, { bucket: 'photos', key: 'copied' });
    const copied = await s3.getObjectBuffer('photos', 'copied');
    assert.equal(copied.body.toString(), 'source bytes');
    assert.deepEqual(
      [copied.info.contentType, copied.info.metadata, copied.info.etag],
      ['text/plain', { a: '1' }, etag],
    );
    await s3.copyObject(
      { bucket: 'copies', key: 'src' },
      { bucket: 'copies', key: 'src' },
      { replace: { contentType: 'text/x-new', metadata: { b: '2' } } },
    );
    const replaced = await s3.headObject('copies', 'src');
    assert.deepEqual([replaced.contentType, replaced.metadata], ['text/x-new', { b: '2' }]);
    await fails(
      s3.copyObject({ bucket: 'copies', key: 'src' }, { bucket: 'copies', key: 'src' }),
      'InvalidRequest',
      400,
    );
    await fails(
      aliceS3.copyObject({ bucket: 'copies', key: 'src' }, { bucket: 'copies', key: 'x' }),
      'AccessDenied',
      403,
    );

    await s3.putObject('copies', 'x/1', '1');
    await s3.putObject('copies', 'x/2', '2');
    const result = await s3.deleteObjects('copies', ['x/1', 'x/2', 'never-was']);
    assert.deepEqual([result.deleted.sort(), result.errors], [['never-was', 'x/1', 'x/2'], []]);
    assert.deepEqual((await s3.listObjects('copies', { prefix: 'x/' })).objects, []);
  });

  test('listing v1 and v2: prefix, delimiter, pagination, start-after, fetch-owner', async () => {
    await s3.createBucket('listing');
    const keys = ['a', 'b/1', 'b/2', 'b/3/deep', 'c', 'd/x', 'e', 'sp ace', 'plus+sign', 'uni/€'];
    for (const k of keys) await s3.putObject('listing', k, k);
    const sorted = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    for (const version of [1, 2] as const) {
      const page = await s3.listObjects('listing', { version, delimiter: '/' });
      assert.deepEqual(
        page.objects.map((o) => o.key),
        ['a', 'c', 'e', 'plus+sign', 'sp ace'],
      );
      assert.deepEqual(page.commonPrefixes, ['b/', 'd/', 'uni/']);
      assert.deepEqual((await s3.listObjects('listing', { version, prefix: 'b/', delimiter: '/' })).commonPrefixes, [
        'b/3/',
      ]);
      const all: string[] = [];
      for await (const o of s3.listAllObjects('listing', { version, maxKeys: 3 })) all.push(o.key);
      assert.deepEqual(all, sorted);
      const grouped: string[] = [];
      let next: string | undefined;
      do {
        const p = await s3.listObjects('listing', { version, delimiter: '/', maxKeys: 2, next });
        grouped.push(...p.objects.map((o) => o.key), ...p.commonPrefixes);
        next = p.isTruncated ? p.next : undefined;
      } while (next !== undefined);
      assert.deepEqual(grouped.sort(), ['a', 'b/', 'c', 'd/', 'e', 'plus+sign', 'sp ace', 'uni/'].sort());
    }
    assert.deepEqual(
      (await s3.listObjects('listing', { startAfter: 'd/x', maxKeys: 2 })).objects.map((o) => o.key),
      ['e', 'plus+sign'],
    );
    const owned = await s3.listObjects('listing', { maxKeys: 1, fetchOwner: true });
    assert.equal(owned.objects[0].owner?.displayName, 'eucalyptus');
    assert.equal((await s3.listObjects('listing', { maxKeys: 1 })).objects[0].owner, undefined);
    const v2 = parseXml(
      (
        await s3.request({
          method: 'GET',
          bucket: 'listing',
          query: { 'list-type': '2', prefix: 'b/', delimiter: '/' },
        })
      ).body,
    ).ListBucketResult;
    assert.deepEqual([v2.KeyCount, v2.Prefix, v2.IsTruncated], ['3', 'b/', 'false']);
    await fails(
      s3.request({ method: 'GET', bucket: 'listing', query: { 'max-keys': 'lots' } }),
      'InvalidArgument',
      400,
    );
    await fails(
      s3.request({ method: 'GET', bucket: 'listing', query: { 'list-type': '2', 'continuation-token': '!!' } }),
      'InvalidArgument',
      400,
    );
  });

  test('multipart: parts, listing, completion rules, ETag, abort, and uploadFile', async () => {
    await s3.createBucket('multi');
    const p1 = randomBytes(5 * MiB);
    const p2 = randomBytes(123_456);
    const id = await s3.createMultipartUpload('multi', 'joined', {
      contentType: 'application/x-joined',
      metadata: { m: 'v' },
    });
    const e1 = await s3.uploadPart('multi', 'joined', id, 1, p1);
    const e2 = await s3.uploadPart('multi', 'joined', id, 2, { stream: pieces(p2), length: p2.length });
    assert.deepEqual(
      (await s3.listParts('multi', 'joined', id)).map((p) => [p.partNumber, p.etag, p.size]),
      [
        [1, e1, p1.length],
        [2, e2, p2.length],
      ],
    );
    assert.deepEqual(
      (await s3.listMultipartUploads('multi')).map((u) => [u.key, u.uploadId]),
      [['joined', id]],
    );
    await fails(
      s3.completeMultipartUpload('multi', 'joined', id, [
        { partNumber: 2, etag: e2 },
        { partNumber: 1, etag: e1 },
      ]),
      'InvalidPartOrder',
      400,
    );
    await fails(
      s3.completeMultipartUpload('multi', 'joined', id, [
        { partNumber: 1, etag: '"0000"' },
        { partNumber: 2, etag: e2 },
      ]),
      'InvalidPart',
      400,
    );
    await fails(
      s3.completeMultipartUpload('multi', 'joined', id, [
        { partNumber: 2, etag: e2 },
        { partNumber: 3, etag: e2 },
      ]),
      'InvalidPart',
      400,
    );
    const done = await s3.completeMultipartUpload('multi', 'joined', id, [
      { partNumber: 1, etag: e1 },
      { partNumber: 2, etag: e2 },
    ]);
    const expected = md5(Buffer.concat([Buffer.from(md5(p1), 'hex'), Buffer.from(md5(p2), 'hex')]));
    assert.equal(done.etag, `"${expected}-2"`);
    const got = await s3.getObjectBuffer('multi', 'joined');
    assert.ok(got.body.equals(Buffer.concat([p1, p2])));
    assert.deepEqual(
      [got.info.contentType, got.info.metadata, got.info.etag],
      ['application/x-joined', { m: 'v' }, done.etag],
    );
    await fails(s3.listParts('multi', 'joined', id), 'NoSuchUpload', 404);
    assert.deepEqual(await s3.listMultipartUploads('multi'), []);

    const small = await s3.createMultipartUpload('multi', 'small-parts');
    const s1 = await s3.uploadPart('multi', 'small-parts', small, 1, 'tiny');
    const s2 = await s3.uploadPart('multi', 'small-parts', small, 2, 'tiny');
    await fails(
      s3.completeMultipartUpload('multi', 'small-parts', small, [
        { partNumber: 1, etag: s1 },
        { partNumber: 2, etag: s2 },
      ]),
      'EntityTooSmall',
      400,
    );
    await fails(aliceS3.abortMultipartUpload('multi', 'small-parts', small), 'AccessDenied', 403);
    await s3.abortMultipartUpload('multi', 'small-parts', small);
    await fails(s3.uploadPart('multi', 'small-parts', small, 3, 'x'), 'NoSuchUpload', 404);
    await fails(s3.uploadPart('multi', 'joined', 'no-such-upload', 0, 'x'), 'InvalidArgument', 400);

    const file = path.join(cloud.dataDir, 'upload.bin');
    const content = randomBytes(11 * MiB + 17);
    fs.writeFileSync(file, content);
    const { etag } = await s3.uploadFile('multi', 'from-file', file, { partSize: 5 * MiB });
    assert.match(etag, /-3"$/);
    assert.equal(md5((await s3.getObjectBuffer('multi', 'from-file')).body), md5(content));
    fs.rmSync(file);
  });

  test('ACLs: anonymous reads of public-read, AccessDenied for private, grants across accounts', async () => {
    await s3.createBucket('acl-bucket');
    await s3.putObject('acl-bucket', 'public', 'for everyone', { acl: 'public-read' });
    await s3.putObject('acl-bucket', 'private', 'for me');
    await s3.putObject('acl-bucket', 'members', 'for signed-in users', { acl: 'authenticated-read' });
    const anon = (key: string) => rawRequest(cloud.port, 'GET', `/services/Walrus/acl-bucket/${key}`);
    const pub = await anon('public');
    assert.deepEqual([pub.status, pub.body.toString()], [200, 'for everyone']);
    const denied = await anon('private');
    assert.equal(denied.status, 403);
    const err = parseXml(denied.body).Error;
    assert.equal(err.Code, 'AccessDenied');
    assert.equal(err.Resource, '/acl-bucket/private');
    assert.ok(err.RequestId);
    assert.equal((await anon('members')).status, 403);
    assert.equal((await aliceS3.getObjectBuffer('acl-bucket', 'members')).body.toString(), 'for signed-in users');
    await fails(aliceS3.getObject('acl-bucket', 'private'), 'AccessDenied', 403);
    assert.equal((await rawRequest(cloud.port, 'GET', '/services/Walrus/acl-bucket')).status, 403);

    // Writes follow the bucket's ACL, whoever asks (the cloud admin included).
    await fails(aliceS3.putObject('acl-bucket', 'intruder', 'x'), 'AccessDenied', 403);
    await aliceS3.createBucket('alice-bucket');
    await fails(s3.putObject('alice-bucket', 'admin-was-here', 'x'), 'AccessDenied', 403);
    await aliceS3.putAcl('alice-bucket', undefined, 'public-read-write');
    const anonPut = await rawRequest(
      cloud.port,
      'PUT',
      '/services/Walrus/alice-bucket/dropbox',
      { 'Content-Length': '4' },
      'drop',
    );
    assert.equal(anonPut.status, 200, anonPut.body.toString());
    const listing = await rawRequest(cloud.port, 'GET', '/services/Walrus/alice-bucket');
    assert.match(listing.body.toString(), /<Key>dropbox<\/Key>/);

    const acl = await s3.getAcl('acl-bucket', 'public');
    assert.equal(acl.owner.displayName, 'eucalyptus');
    assert.deepEqual(
      acl.grants.map((g) => [g.grantee.type, g.permission]),
      [
        ['CanonicalUser', 'FULL_CONTROL'],
        ['Group', 'READ'],
      ],
    );
    await s3.putAcl('acl-bucket', 'public', 'private');
    assert.equal((await anon('public')).status, 403);
    await fails(aliceS3.getAcl('acl-bucket', 'public'), 'AccessDenied', 403);
    assert.deepEqual(
      (await s3.getAcl('acl-bucket')).grants.map((g) => g.permission),
      ['FULL_CONTROL'],
    );
  });

  test(
    'aws-exec-read: the cloud (the eucalyptus account) may read, through HTTP and the internal Walrus ' + 'API',
    async () => {
      const bundle = randomBytes(4096);
      await aliceS3.createBucket('alice-images');
      await aliceS3.putObject('alice-images', 'image.manifest.xml', bundle, { acl: 'aws-exec-read' });
      await aliceS3.putObject('alice-images', 'private.part', 'no');
      assert.ok((await s3.getObjectBuffer('alice-images', 'image.manifest.xml')).body.equals(bundle));
      await fails(s3.getObject('alice-images', 'private.part'), 'AccessDenied', 403);
      const bob = await createAccount(cloud, 'bob-corp');
      await fails(
        (await s3Client(cloud, { keys: bob })).getObject('alice-images', 'image.manifest.xml'),
        'AccessDenied',
        403,
      );

      const paths = cloudPaths(cloud.dataDir);
      const store = await SqlStore.open(cloudDatabase(paths));
      try {
        const walrus = new Walrus({
          store: new SqlWalrusStore(store.db),
          files: new ObjectFiles(paths.walrusDir),
          accounts: store,
          cloudAccountName: 'eucalyptus',
          masterKey: new MasterKey(path.join(paths.keysDir, 'walrus-master.key')),
        });
        const cloudAdmin = (await store.findAccessKey(cloud.eucarc.EC2_ACCESS_KEY))!.principal;
        const bobPrincipal = (await store.findAccessKey(bob.accessKeyId))!.principal;
        // Read as a GET would be, with ACLs alone deciding (no IAM or bucket policy in the way).
        const canRead = async (who: Principal | undefined, key: string) => {
          try {
            await walrus.readAs(who, { bucket: 'alice-images', key }, async () => false);
            return true;
          } catch {
            return false;
          }
        };
        assert.equal(await canRead(cloudAdmin, 'image.manifest.xml'), true);
        assert.equal(await canRead(cloudAdmin, 'private.part'), false);
        assert.equal(await canRead(bobPrincipal, 'image.manifest.xml'), false);
        assert.equal(await canRead(undefined, 'image.manifest.xml'), false);
        assert.equal(await canRead(cloudAdmin, 'missing'), false);
        const head = (await walrus.headObject('alice-images', 'image.manifest.xml'))!;
        assert.deepEqual(
          [head.size, head.etag, head.ownerAccountId],
          [bundle.length, `"${md5(bundle)}"`, alice.accountId],
        );
        assert.equal(await walrus.headObject('alice-images', 'missing'), undefined);
        const chunks: Buffer[] = [];
        for await (const c of await walrus.openObject('alice-images', 'image.manifest.xml')) chunks.push(c as Buffer);
        assert.ok(Buffer.concat(chunks).equals(bundle));
        await assert.rejects(
          () => walrus.openObject('alice-images', 'missing'),
          (e: any) => e.code === 'NoSuchKey',
        );
        await assert.rejects(
          () => walrus.openObject('no-bucket-here', 'x'),
          (e: any) => e.code === 'NoSuchBucket',
        );
      } finally {
        await store.close();
      }
    },
  );

  test(
    'keys are data: dots, slashes, NUL, control characters and unicode stay inside the data dir and ' + 'round-trip',
    async () => {
      await s3.createBucket('strange-keys');
      const before = new Set(filesUnder(cloud.dataDir));
      const keys = [
        '..',
        '../../../../etc/escape',
        '/absolute',
        'a/../../b',
        '.',
        './x',
        'a//b',
        'nul\u0000byte',
        'ctrl\u0001\u001f\r\nline',
        'uni-€-日本-😀',
        'tab\there',
        '%2e%2e/%00',
        ' spaced ',
        'x'.repeat(1024),
      ];
      for (const [i, k] of keys.entries()) await s3.putObject('strange-keys', k, `value ${i}`);
      for (const [i, k] of keys.entries())
        assert.equal((await s3v2.getObjectBuffer('strange-keys', k)).body.toString(), `value ${i}`, JSON.stringify(k));
      const listed: string[] = [];
      for await (const o of s3.listAllObjects('strange-keys', { maxKeys: 4 })) listed.push(o.key);
      assert.deepEqual(
        listed,
        [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
      );
      const created = filesUnder(cloud.dataDir).filter((f) => !before.has(f));
      assert.equal(created.length, keys.length);
      for (const f of created) assert.match(f, /^var\/lib\/eucalyptus\/walrus\/[0-9a-f]{32}\/[0-9a-f]{32}$/);
      assert.ok(!fs.existsSync(path.join(cloud.dataDir, '..', 'etc', 'escape')));
      await fails(s3.putObject('strange-keys', 'x'.repeat(1025), 'too long'), 'KeyTooLongError', 400);
      const deleted = await s3.deleteObjects('strange-keys', keys);
      assert.equal(deleted.deleted.length, keys.length);
      assert.deepEqual((await s3.listObjects('strange-keys')).objects, []);
    },
  );

  test(
    'a PUT that fails (bad Content-MD5, SHA-256 mismatch, bad chunk signature, cut off) leaves no object ' +
      'and no temp file',
    async () => {
      await s3.createBucket('failures');
      await s3.putObject('failures', 'kept', 'old verified value');
      const badMd5 = s3.request({
        method: 'PUT',
        bucket: 'failures',
        key: 'kept',
        headers: { 'Content-MD5': createHash('md5').update('other').digest('base64') },
        body: 'new value',
      });
      await fails(badMd5, 'BadDigest', 400);
      await fails(
        s3.request({
          method: 'PUT',
          bucket: 'failures',
          key: 'kept',
          headers: { 'Content-MD5': 'not-md5' },
          body: 'x',
        }),
        'InvalidDigest',
        400,
      );
      const badSha = s3.request({
        method: 'PUT',
        bucket: 'failures',
        key: 'kept',
        headers: { 'X-Amz-Content-Sha256': sha256('other') },
        body: 'new value',
      });
      await fails(badSha, 'XAmzContentSHA256Mismatch', 400);
      await fails(
        s3.request({
          method: 'PUT',
          bucket: 'failures',
          key: 'kept',
          headers: { 'x-amz-checksum-crc32': 'AAAAAA==' },
          body: 'new value',
        }),
        'BadDigest',
        400,
      );

      // A signed aws-chunked body with one byte changed after signing.
      const ep = { accessKeyId: cloud.eucarc.EC2_ACCESS_KEY, secretAccessKey: cloud.eucarc.EC2_SECRET_KEY };
      const data = randomBytes(200_000);
      const rawPath = s3.resourcePath('failures', 'kept');
      const url = new URL(cloud.eucarc.S3_URL);
      const headers: Record<string, string> = {
        'X-Amz-Content-Sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'Content-Encoding': 'aws-chunked',
        'X-Amz-Decoded-Content-Length': String(data.length),
        'Content-Length': String(chunkedLength(data.length)),
      };
      signV4({ method: 'PUT', url, path: rawPath, headers }, ep, 's3', 'eucalyptus');
      const framed: Buffer[] = [];
      for await (const c of signedChunks(pieces(data), ChunkSigner.fromSignedHeaders(headers, ep.secretAccessKey)))
        framed.push(c);
      const body = Buffer.concat(framed);
      body[100_000] ^= 0xff;
      const tampered = await send({ method: 'PUT', url, path: rawPath, headers, body });
      assert.equal(tampered.status, 403);
      assert.equal(parseXml(tampered.body).Error.Code, 'SignatureDoesNotMatch');

      // A client that goes away half-way through its body.
      const cutHeaders: Record<string, string> = { 'Content-Length': String(4 * MiB) };
      signV4({ method: 'PUT', url, path: rawPath, headers: cutHeaders }, ep, 's3', 'eucalyptus', {
        unsignedPayload: true,
      });
      await new Promise<void>((resolve) => {
        const req = http.request({
          host: url.hostname,
          port: url.port,
          method: 'PUT',
          path: rawPath,
          headers: cutHeaders,
        });
        req.on('error', () => resolve());
        req.write(randomBytes(MiB), () => setTimeout(() => (req.destroy(), resolve()), 100));
      });
      for (let i = 0; i < 50 && tmpFiles().length; i++) await new Promise((r) => setTimeout(r, 20));

      assert.equal((await s3.getObjectBuffer('failures', 'kept')).body.toString(), 'old verified value');
      assert.deepEqual(tmpFiles(), []);
      assert.deepEqual(
        (await s3.listObjects('failures')).objects.map((o) => o.key),
        ['kept'],
      );
      const bucketDirs = fs.readdirSync(walrusDir).filter((d) => d !== 'tmp');
      const stored = bucketDirs.flatMap((d) => fs.readdirSync(path.join(walrusDir, d)));
      let expected = 0;
      for (const c of [s3, aliceS3]) {
        for (const b of (await c.listBuckets()).buckets) {
          // A multipart object (ETag "…-N") is its N parts' files and the file that joins them.
          for (const o of (await c.listObjects(String(b.Name))).objects)
            expected += 1 + Number(/-(\d+)"?$/.exec(o.etag)?.[1] ?? 0);
          for (const u of await c.listMultipartUploads(String(b.Name)))
            expected += (await c.listParts(String(b.Name), u.key, u.uploadId)).length;
        }
      }
      assert.equal(stored.length, expected, 'the files of every object and uploaded part, nothing else');
    },
  );

  test('errors are S3 error documents with the right status, never a 500', async () => {
    const cases: [string, string, Record<string, string>, string | undefined, number, string][] = [
      [
        'POST',
        '/services/Walrus/photos?delete',
        { 'Content-Type': 'application/xml' },
        '<Delete><Object>',
        400,
        'MalformedXML',
      ],
      ['PUT', '/services/Walrus/photos?cors', {}, '<CORSConfiguration/>', 400, 'MalformedXML'],
      ['PUT', '/services/Walrus/photos?website', {}, '<WebsiteConfiguration/>', 501, 'NotImplemented'],
      ['GET', '/services/Walrus/photos?policy', {}, undefined, 404, 'NoSuchBucketPolicy'],
      ['PUT', '/services/Walrus/photos/k', { 'x-amz-acl': 'world-writable' }, 'x', 400, 'InvalidArgument'],
      ['PATCH', '/services/Walrus/photos/k', {}, undefined, 405, 'MethodNotAllowed'],
      [
        'POST',
        '/services/Walrus/photos/k?uploadId=nope',
        {},
        '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>',
        404,
        'NoSuchUpload',
      ],
      [
        'PUT',
        '/services/Walrus/photos/k',
        { 'Content-Length': String(6 * 1024 ** 3) },
        undefined,
        400,
        'EntityTooLarge',
      ],
    ];
    for (const [method, p, headers, body, status, code] of cases) {
      const url = new URL(cloud.eucarc.S3_URL);
      const h: Record<string, string> = { ...headers };
      const signedBody = code === 'EntityTooLarge' ? undefined : body;
      signV4({ method, url, path: p, headers: h, body: signedBody }, adminKeys(cloud), 's3', 'eucalyptus', {
        unsignedPayload: code === 'EntityTooLarge',
      });
      const res =
        code === 'EntityTooLarge'
          ? await rawRequest(cloud.port, method, p, h)
          : await send({ method, url, path: p, headers: h, body });
      assert.equal(res.status, status, `${method} ${p}: ${res.body}`);
      const err = parseXml(res.body).Error;
      assert.equal(err.Code, code, `${method} ${p}`);
      assert.ok(err.Message && err.RequestId);
    }
  });

  test('a path that is not UTF-8 is InvalidURI', async () => {
    const res = await rawRequest(cloud.port, 'GET', '/services/Walrus/photos/%FF%FE');
    assert.equal(res.status, 400);
    assert.equal(parseXml(res.body).Error.Code, 'InvalidURI');
  });

  test('routing: S3 at the root path and under /services/objectstorage; the service paths keep priority', async () => {
    const root = await s3Client(cloud, { url: `http://127.0.0.1:${cloud.port}/` });
    const objectstorage = await s3Client(cloud, {
      url: `http://127.0.0.1:${cloud.port}/services/objectstorage`,
      sig: '2',
    });
    await root.createBucket('rooted');
    await root.putObject('rooted', 'deep/key', 'at the root');
    assert.equal((await objectstorage.getObjectBuffer('rooted', 'deep/key')).body.toString(), 'at the root');
    assert.equal((await s3.getObjectBuffer('rooted', 'deep/key')).body.toString(), 'at the root');
    assert.ok((await root.listBuckets()).buckets.some((b) => b.Name === 'rooted'));
    assert.deepEqual(
      (await root.listObjects('rooted')).objects.map((o) => o.key),
      ['deep/key'],
    );
    await root.deleteObject('rooted', 'deep/key');
    await root.deleteBucket('rooted');
    const ec2 = await rawRequest(cloud.port, 'GET', '/services/Eucalyptus?Action=DescribeRegions');
    assert.match(ec2.body.toString(), /<Response><Errors><Error><Code>AuthFailure/);
  });
});

describe('Walrus after a crash', () => {
  test('a restart removes temp files and files no object names, and keeps the objects', async () => {
    let cloud = await startCloud();
    const dir = cloudPaths(cloud.dataDir).walrusDir;
    try {
      const s3 = await s3Client(cloud);
      await s3.createBucket('survivor');
      await s3.putObject('survivor', 'kept', 'still here');
      // A multipart object is its parts' files and the file that joins them: all of them are kept.
      const first = randomBytes(5 * 1024 * 1024);
      const uploadId = await s3.createMultipartUpload('survivor', 'joined');
      const etags = [
        await s3.uploadPart('survivor', 'joined', uploadId, 1, first),
        await s3.uploadPart('survivor', 'joined', uploadId, 2, 'the end'),
      ];
      await s3.completeMultipartUpload(
        'survivor',
        'joined',
        uploadId,
        etags.map((etag, i) => ({ partNumber: i + 1, etag })),
      );
      await cloud.stop();
      // The cloud's own bucket (snapshots) has a folder too; this bucket's is the one with files.
      const before = fs.readdirSync(dir);
      const bucketDir = before.find((d) => d !== 'tmp' && fs.readdirSync(path.join(dir, d)).length > 0)!;
      fs.writeFileSync(path.join(dir, 'tmp', 'f'.repeat(32)), 'half an upload');
      fs.writeFileSync(path.join(dir, bucketDir, '0'.repeat(32)), 'renamed but never committed');
      fs.mkdirSync(path.join(dir, 'a'.repeat(32)));
      cloud = await startCloud(cloud.dataDir);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'tmp')), []);
      assert.deepEqual(fs.readdirSync(dir).sort(), before.sort());
      assert.equal(fs.readdirSync(path.join(dir, bucketDir)).length, 4);
      const after = await s3Client(cloud);
      assert.equal((await after.getObjectBuffer('survivor', 'kept')).body.toString(), 'still here');
      const joined = (await after.getObjectBuffer('survivor', 'joined')).body;
      assert.ok(joined.equals(Buffer.concat([first, Buffer.from('the end')])));
    } finally {
      await cloud.stop();
    }
  });
});
