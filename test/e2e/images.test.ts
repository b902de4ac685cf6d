/**
 * The image chapter of both seeds, end to end with the real commands: bundle, upload and register
 * a kernel, a ramdisk and a root filesystem exactly as the seeds show; what other accounts see;
 * launch permissions and the other image attributes; failures that must end cleanly.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestAccount, type TestAccount } from '../helpers/accounts';
import { ec2ToolsBundle } from '../helpers/ec2-tools-bundle';
import { run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A file of the given size, partly random so it does not compress to nothing (wholly, with `random`). */
function makeImage(dir: string, name: string, size: number, random = false): string {
  const file = path.join(dir, name);
  const fd = fs.openSync(file, 'w');
  for (let off = 0; off < size; off += 1024 * 1024) {
    const n = Math.min(1024 * 1024, size - off);
    fs.writeSync(fd, random || off % (4 * 1024 * 1024) === 0 ? randomBytes(n) : Buffer.alloc(n, off & 0xff));
  }
  fs.closeSync(fd);
  return file;
}

async function imageLine(id: string, env: Record<string, string>, until = /available|failed/): Promise<string[]> {
  for (let i = 0; i < 400; i++) {
    const line = (await runOk('euca-describe-images', [id], env)).split('\n')[0];
    const cols = line.split('\t');
    if (until.test(cols[4] ?? '')) return cols;
    await sleep(50);
  }
  throw new Error(`${id} did not become available`);
}

describe('images', () => {
  let cloud: TestCloud;
  let work: string;
  let alice: TestAccount;
  before(async () => {
    cloud = await startCloud();
    work = tempDir('euca-images-');
    alice = await createTestAccount(cloud.dataDir, 'alice', cloud.eucarc);
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test("the seeds' kernel, ramdisk and root filesystem sequence gives an eki, an eri and an emi", async () => {
    const tag = randomBytes(3).toString('hex');
    const kernel = makeImage(work, `vmlinuz-2.6.27.21-0.1-xen-${tag}`, 3 * 1024 * 1024);
    const ramdisk = makeImage(work, `initrd-2.6.27.21-0.1-xen-${tag}`, 2 * 1024 * 1024);
    const rootfs = makeImage(work, `fedora.10.x86-64-${tag}.img`, 25 * 1024 * 1024);
    const tmp = os.tmpdir();
    const env = cloud.env;

    const register = async (file: string, bucket: string, bundleArgs: string[]): Promise<string> => {
      const name = path.basename(file);
      const manifest = path.join(tmp, `${name}.manifest.xml`);
      assert.match(
        await runOk('euca-bundle-image', ['-i', file, ...bundleArgs], env),
        new RegExp(`Generating manifest ${manifest.replace(/[.]/g, '\\.')}`),
      );
      assert.match(
        await runOk('euca-upload-bundle', ['-b', bucket, '-m', manifest], env),
        new RegExp(`Uploaded image as ${bucket}/${name.replace(/[.]/g, '\\.')}\\.manifest\\.xml`),
      );
      const out = await runOk('euca-register', [`${bucket}/${name}.manifest.xml`], env);
      const m = /^IMAGE\t(e[mkr]i-[0-9A-F]{8})\n$/.exec(out);
      assert.ok(m, out);
      return m[1];
    };

    const eki = await register(kernel, `kernel-bucket-${tag}`, ['--kernel', 'true']);
    assert.match(eki, /^eki-/);
    const eri = await register(ramdisk, `ramdisk-bucket-${tag}`, ['--ramdisk', 'true']);
    assert.match(eri, /^eri-/);
    const emi = await register(rootfs, `rootfs-bucket-${tag}`, ['--ramdisk', eri, '--kernel', eki]);
    assert.match(emi, /^emi-/);

    const kernelCols = await imageLine(eki, env);
    assert.deepEqual(kernelCols.slice(0, 8), [
      'IMAGE',
      eki,
      `kernel-bucket-${tag}/${path.basename(kernel)}.manifest.xml`,
      'eucalyptus',
      'available',
      'public',
      'x86_64',
      'kernel',
    ]);
    const cols = await imageLine(emi, env);
    assert.deepEqual(cols.slice(0, 10), [
      'IMAGE',
      emi,
      `rootfs-bucket-${tag}/${path.basename(rootfs)}.manifest.xml`,
      'eucalyptus',
      'available',
      'private',
      'x86_64',
      'machine',
      eki,
      eri,
    ]);
    assert.equal(cols[11], 'instance-store');

    // The decrypted image in the cloud's cache is byte-identical to the one bundled.
    const cached = path.join(cloud.dataDir, 'var', 'lib', 'eucalyptus', 'images', `${emi}.img`);
    assert.ok(fs.readFileSync(cached).equals(fs.readFileSync(rootfs)));

    // Other accounts see the public kernel, not the private machine image, until it is shared.
    const seen = await runOk('euca-describe-images', [], alice.env);
    assert.match(seen, new RegExp(`^IMAGE\\t${eki}\\t`, 'm'));
    assert.doesNotMatch(seen, new RegExp(emi));
    assert.equal((await run('euca-describe-images', [emi], alice.env)).code, 1);

    assert.equal(
      await runOk('euca-modify-image-attribute', ['-l', '-a', alice.accountId, emi], env),
      `launchPermission\t${emi}\tADD\tUserId\t${alice.accountId}\n`,
    );
    assert.match(
      await runOk('euca-describe-images', [], alice.env),
      new RegExp(`^IMAGE\\t${emi}\\t.*\\tprivate\\t`, 'm'),
    );
    assert.equal(
      await runOk('euca-describe-image-attribute', ['-l', emi], env),
      `launchPermission\t${emi}\tuserId\t${alice.accountId}\n`,
    );
    await runOk('euca-modify-image-attribute', ['-l', '-a', 'all', emi], env);
    assert.match(
      await runOk('euca-describe-images', ['-x', 'all'], alice.env),
      new RegExp(`^IMAGE\\t${emi}\\t.*\\tpublic\\t`, 'm'),
    );
    await runOk('euca-reset-image-attribute', ['-l', emi], env);
    assert.equal(await runOk('euca-describe-image-attribute', ['-l', emi], env), '');
    assert.doesNotMatch(await runOk('euca-describe-images', [], alice.env), new RegExp(emi));

    await runOk('euca-modify-image-attribute', ['--description', 'Fedora 10', emi], env);
    assert.equal(
      await runOk('euca-describe-image-attribute', ['--description', emi], env),
      `description\t${emi}\t\tFedora 10\n`,
    );
    assert.equal(await runOk('euca-describe-image-attribute', ['--kernel', emi], env), `kernel\t${emi}\t\t${eki}\n`);
    assert.equal(await runOk('euca-describe-image-attribute', ['--ramdisk', emi], env), `ramdisk\t${emi}\t\t${eri}\n`);
    assert.match(
      await runOk('euca-describe-images', ['--filter', 'image-type=kernel', '-o', 'self'], env),
      new RegExp(`^IMAGE\\t${eki}\\t`),
    );

    // Another account cannot change or deregister it; its owner can.
    const denied = await run('euca-deregister', [emi], { ...alice.env });
    assert.equal(denied.code, 1);
    assert.equal(await runOk('euca-deregister', [emi], env), `IMAGE\t${emi}\n`);
    const gone = await run('euca-describe-images', [emi], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /InvalidAMIID\.NotFound/);
  });

  test('a user outside the eucalyptus account cannot register a kernel', async () => {
    const kernel = makeImage(work, `vmlinuz-alice-${randomBytes(3).toString('hex')}`, 1024 * 1024);
    const dest = tempDir('euca-bundle-');
    await runOk('euca-bundle-image', ['-i', kernel, '--kernel', 'true', '-d', dest], alice.env);
    const bucket = `alice-kernels-${randomBytes(3).toString('hex')}`;
    await runOk(
      'euca-upload-bundle',
      ['-b', bucket, '-m', path.join(dest, `${path.basename(kernel)}.manifest.xml`)],
      alice.env,
    );
    const r = await run('euca-register', [`${bucket}/${path.basename(kernel)}.manifest.xml`], alice.env);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^euca-register: error \(UnauthorizedOperation\): Only the cloud administrator may register kernel images\n$/,
    );
  });

  test("another account's bucket is refused at upload, and another account's bundle at registration", async () => {
    const file = makeImage(work, `owned-${randomBytes(3).toString('hex')}.img`, 2 * 1024 * 1024);
    const dest = tempDir('euca-bundle-');
    const manifest = path.join(dest, `${path.basename(file)}.manifest.xml`);
    const bucket = `admins-${randomBytes(3).toString('hex')}`;
    await runOk('euca-bundle-image', ['-i', file, '-d', dest], cloud.env);
    await runOk('euca-upload-bundle', ['-b', bucket, '-m', manifest], cloud.env);

    await runOk('euca-bundle-image', ['-i', file, '-d', tempDir('euca-bundle-')], alice.env);
    const upload = await run('euca-upload-bundle', ['-b', bucket, '-m', manifest], alice.env);
    assert.equal(upload.code, 1);
    assert.match(upload.stderr, /^euca-upload-bundle: error \(BucketAlreadyExists\): /);

    const register = await run('euca-register', [`${bucket}/${path.basename(manifest)}`], alice.env);
    assert.equal(register.code, 1);
    assert.match(register.stderr, /^euca-register: error \(AuthFailure\): Not authorized to read the manifest /);
  });

  test('a tampered part makes the registration end failed, naming the part', async () => {
    const file = makeImage(work, `tampered-${randomBytes(3).toString('hex')}.img`, 22 * 1024 * 1024, true);
    const dest = tempDir('euca-bundle-');
    await runOk('euca-bundle-image', ['-i', file, '-d', dest], cloud.env);
    const part = path.join(dest, `${path.basename(file)}.part.01`);
    const fd = fs.openSync(part, 'r+');
    fs.writeSync(fd, Buffer.from([0xff, 0x00, 0xee]), 0, 3, 1000);
    fs.closeSync(fd);
    const bucket = `tampered-${randomBytes(3).toString('hex')}`;
    await runOk(
      'euca-upload-bundle',
      ['-b', bucket, '-m', path.join(dest, `${path.basename(file)}.manifest.xml`)],
      cloud.env,
    );
    const out = await runOk('euca-register', [`${bucket}/${path.basename(file)}.manifest.xml`], cloud.env);
    const id = out.split('\t')[1].trim();
    const cols = await imageLine(id, cloud.env);
    assert.equal(cols[4], 'failed');
    assert.ok(!fs.existsSync(path.join(cloud.dataDir, 'var', 'lib', 'eucalyptus', 'images', `${id}.img`)));
    const xml = await run('euca-describe-images', [id, '--debug'], cloud.env);
    assert.match(xml.stderr, new RegExp(`${path.basename(file)}\\.part\\.01`));
  });

  test("a bundle made the EC2 AMI tools' way is accepted by euca-register, and decrypts byte-identical", async () => {
    const file = makeImage(work, `ec2-tools-${randomBytes(3).toString('hex')}.img`, 15 * 1024 * 1024, true);
    const id = {
      userCert: cloud.eucarc.EC2_CERT,
      userKey: cloud.eucarc.EC2_PRIVATE_KEY,
      cloudCert: cloud.eucarc.EUCALYPTUS_CERT,
      cloudKey: '',
      accountId: cloud.eucarc.EC2_USER_ID,
    };
    const manifest = ec2ToolsBundle(file, tempDir('euca-ec2-tools-') + '/bundle', id);
    const bucket = `ec2-tools-${randomBytes(3).toString('hex')}`;
    await runOk('euca-upload-bundle', ['-b', bucket, '-m', manifest], cloud.env);
    const out = await runOk(
      'euca-register',
      [`${bucket}/${path.basename(manifest)}`, '-n', 'from-ec2-tools'],
      cloud.env,
    );
    const emi = out.split('\t')[1].trim();
    const cols = await imageLine(emi, cloud.env);
    assert.equal(cols[4], 'available');
    assert.equal(cols[8], ''); // the manifest's aki- is EC2's, not this cloud's
    assert.ok(
      fs
        .readFileSync(path.join(cloud.dataDir, 'var', 'lib', 'eucalyptus', 'images', `${emi}.img`))
        .equals(fs.readFileSync(file)),
    );
  });

  test(
    'registration refuses what is not a bundle: a missing manifest, a non-manifest, a manifest not signed ' +
      'by its account',
    async () => {
      const missing = await run('euca-register', ['nobucket/nothing.manifest.xml'], cloud.env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^euca-register: error \(InvalidManifest\): /);
      const bad = await run('euca-register', ['not-a-manifest-location'], cloud.env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /InvalidManifest/);
    },
  );
});
