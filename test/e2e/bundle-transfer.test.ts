/**
 * Bundles in Walrus, with the real commands: upload under a key prefix and download back,
 * download-and-unbundle, delete (and --clear), bundle-and-upload and install-image with no parts
 * on disk, and the mistakes the seeds warn about.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveEndpoint } from '../../src/cli/config/resolve';
import { S3Client } from '../../src/cli/s3';
import { run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';

describe('bundles in Walrus', () => {
  let cloud: TestCloud;
  let work: string;
  let image: string;
  let s3: S3Client;
  before(async () => {
    cloud = await startCloud();
    work = tempDir('euca-transfer-');
    image = path.join(work, `disk-${randomBytes(3).toString('hex')}.img`);
    fs.writeFileSync(image, Buffer.concat([randomBytes(14 * 1024 * 1024), Buffer.alloc(6 * 1024 * 1024)]));
    s3 = new S3Client(await resolveEndpoint('s3', {}, { env: cloud.env, ini: new Map(), commandName: 'test' }));
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const keysIn = async (bucket: string) => {
    const out: string[] = [];
    for await (const o of s3.listAllObjects(bucket)) out.push(o.key);
    return out.sort();
  };

  test('upload under a prefix, download, download-and-unbundle, delete with --clear', async () => {
    const name = path.basename(image);
    const dest = path.join(work, 'bundle');
    await runOk('euca-bundle-image', ['-i', image, '-d', dest], cloud.env);
    const bucket = `transfer-${randomBytes(3).toString('hex')}`;
    assert.equal(
      await runOk(
        'euca-upload-bundle',
        ['-b', `${bucket}/images/v1`, '-m', path.join(dest, `${name}.manifest.xml`)],
        cloud.env,
      ),
      `Uploaded image as ${bucket}/images/v1/${name}.manifest.xml\n`,
    );
    assert.deepEqual(await keysIn(bucket), [
      `images/v1/${name}.manifest.xml`,
      `images/v1/${name}.part.00`,
      `images/v1/${name}.part.01`,
    ]);

    const down = path.join(work, 'down');
    await runOk('euca-download-bundle', ['-b', `${bucket}/images/v1`, '-p', name, '-d', down], cloud.env);
    for (const f of fs.readdirSync(dest))
      assert.ok(fs.readFileSync(path.join(down, f)).equals(fs.readFileSync(path.join(dest, f))), f);

    const unbundled = path.join(work, 'unbundled');
    assert.equal(
      await runOk('euca-download-and-unbundle', ['-b', `${bucket}/images/v1`, '-p', name, '-d', unbundled], cloud.env),
      `Part: ${name}.part.00\nPart: ${name}.part.01\nWrote ${path.join(unbundled, name)}\n`,
    );
    assert.ok(fs.readFileSync(path.join(unbundled, name)).equals(fs.readFileSync(image)));

    // Seed 001's form: keys and URL given as flags.
    const flags = ['-a', cloud.eucarc.EC2_ACCESS_KEY, '-s', cloud.eucarc.EC2_SECRET_KEY, '--url', cloud.eucarc.S3_URL];
    await runOk('euca-delete-bundle', [...flags, '-b', `${bucket}/images/v1`, '-p', name, '--clear'], cloud.env);
    await assert.rejects(s3.headBucket(bucket));
  });

  test('--upload-policy: the bundle goes up as browser-form POSTs, within what the signed policy allows', async () => {
    const name = path.basename(image);
    const dest = path.join(work, 'policy-bundle');
    await runOk('euca-bundle-image', ['-i', image, '-d', dest], cloud.env);
    const bucket = `policy-${randomBytes(3).toString('hex')}`;
    await s3.createBucket(bucket);
    const upload = (prefix: string, extra: string[] = []) => {
      // The bucket owner's policy and its signature (V2: HMAC-SHA1 of the base64 policy), as Eucalyptus hands them out.
      const policy = JSON.stringify({
        expiration: new Date(Date.now() + 600_000).toISOString(),
        conditions: [{ bucket }, ['starts-with', '$key', 'allowed/'], { acl: 'aws-exec-read' }],
      });
      const signature = createHmac('sha1', cloud.eucarc.EC2_SECRET_KEY)
        .update(Buffer.from(policy).toString('base64'))
        .digest('base64');
      const manifest = path.join(dest, `${name}.manifest.xml`);
      const env = { ...cloud.env, EC2_SECRET_KEY: 'not-needed-with-a-policy' };
      return run(
        'euca-upload-bundle',
        [
          '-b',
          `${bucket}/${prefix}`,
          '-m',
          manifest,
          '--upload-policy',
          policy,
          '--upload-policy-signature',
          signature,
          ...extra,
        ],
        env,
      );
    };
    const ok = await upload('allowed');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `Uploaded image as ${bucket}/allowed/${name}.manifest.xml\n`);
    assert.deepEqual(await keysIn(bucket), [
      `allowed/${name}.manifest.xml`,
      `allowed/${name}.part.00`,
      `allowed/${name}.part.01`,
    ]);
    const outside = await upload('elsewhere');
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /AccessDenied.*Invalid according to Policy: Policy Condition failed/);
    assert.equal((await keysIn(bucket)).filter((k) => k.startsWith('elsewhere/')).length, 0);
  });

  test('euca-bundle-and-upload-image writes no parts to disk; euca-install-image registers the result', async () => {
    const bucket = `streamed-${randomBytes(3).toString('hex')}`;
    const prefix = `streamed-${randomBytes(3).toString('hex')}`;
    assert.equal(
      await runOk('euca-bundle-and-upload-image', ['-i', image, '-b', bucket, '-p', prefix], cloud.env).then((o) =>
        o
          .split('\n')
          .filter((l) => l.startsWith('Uploaded'))
          .join('\n'),
      ),
      `Uploaded image as ${bucket}/${prefix}.manifest.xml`,
    );
    assert.deepEqual(
      fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(prefix)),
      [],
    );
    assert.deepEqual(await keysIn(bucket), [`${prefix}.manifest.xml`, `${prefix}.part.00`, `${prefix}.part.01`]);

    const out = await runOk(
      'euca-install-image',
      ['-i', image, '-b', bucket, '-n', `installed-${prefix}`, '-p', `${prefix}-i`],
      cloud.env,
    );
    const m = /^IMAGE\t(emi-[0-9A-F]{8})$/m.exec(out);
    assert.ok(m, out);
    for (let i = 0; i < 200; i++) {
      const line = await runOk('euca-describe-images', [m[1]], cloud.env);
      if (line.split('\t')[4] === 'available') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`${m[1]} did not become available`);
  });

  test('a bucket name ending in "/" is refused; a bundle with a missing part uploads nothing', async () => {
    const dest = path.join(work, 'partial');
    await runOk('euca-bundle-image', ['-i', image, '-d', dest, '-p', 'partial'], cloud.env);
    const slash = await run(
      'euca-upload-bundle',
      ['-b', 'mybucket/', '-m', path.join(dest, 'partial.manifest.xml')],
      cloud.env,
    );
    assert.equal(slash.code, 1);
    assert.match(slash.stderr, /^euca-upload-bundle: error \(InvalidBucketName\): bucket "mybucket\/" ends with "\/"/);
    fs.rmSync(path.join(dest, 'partial.part.01'));
    const bucket = `partial-${randomBytes(3).toString('hex')}`;
    const missing = await run(
      'euca-upload-bundle',
      ['-b', bucket, '-m', path.join(dest, 'partial.manifest.xml')],
      cloud.env,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /part partial\.part\.01 of the bundle is missing/);
    await assert.rejects(s3.headBucket(bucket));
  });
});
