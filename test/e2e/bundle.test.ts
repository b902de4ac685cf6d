/**
 * Bundles end to end, with the real commands: a bundle euca-bundle-image makes with a running
 * cloud's credentials opens with nothing but openssl, gunzip and tar, and its signature verifies
 * with openssl; a bundle made the EC2 AMI tools' way (tar, gzip, openssl, split, and a manifest
 * written and signed here with openssl) opens with euca-unbundle; and every failure is one line,
 * exit status 1, with nothing half-written left behind.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cloudPaths } from '../../src/shared/paths';
import { cleanEnv, run, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { ec2ToolsBundle, sh } from '../helpers/ec2-tools-bundle';
import { testIdentity, type TestIdentity } from '../helpers/keys';

const MiB = 1024 * 1024;

/** An image of random data (which does not compress) and zeros: 23 MiB, so three parts. */
function makeImage(dir: string, name = 'centos.5-3.x86-64.img'): { file: string; data: Buffer } {
  const data = Buffer.concat([crypto.randomBytes(21 * MiB), Buffer.alloc(2 * MiB)]);
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return { file, data };
}

/** An element's text, looked for in <image> first (the bundler has a <name> too). */
function element(xml: string, name: string): string {
  const image = xml.slice(xml.indexOf('<image>'));
  const re = new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>`);
  const m = re.exec(image) ?? re.exec(xml);
  assert.ok(m, `no <${name}> in the manifest`);
  return m[1].trim();
}

/** The key or IV, recovered as the EC2 tools do: RSA-decrypt the hex with openssl. */
function opensslUnwrap(hex: string, privateKey: string): string {
  return sh(`openssl pkeyutl -decrypt -inkey '${privateKey}' -pkeyopt rsa_padding_mode:pkcs1`, {
    input: Buffer.from(hex, 'hex'),
  }).toString('ascii');
}

/** Unbundles with nothing but cat, openssl, gunzip and tar; returns the extracted file. */
function opensslUnbundle(manifestFile: string, privateKey: string, outDir: string): string {
  const xml = fs.readFileSync(manifestFile, 'utf8');
  const key = opensslUnwrap(element(xml, 'user_encrypted_key'), privateKey);
  const iv = opensslUnwrap(element(xml, 'user_encrypted_iv'), privateKey);
  assert.match(key, /^[0-9a-f]{32}$/);
  assert.match(iv, /^[0-9a-f]{32}$/);
  const parts = [...xml.matchAll(/<filename>([^<]+)<\/filename>/g)].map(
    (m) => `'${path.join(path.dirname(manifestFile), m[1])}'`,
  );
  fs.mkdirSync(outDir, { recursive: true });
  sh(`cat ${parts.join(' ')} | openssl enc -d -aes-128-cbc -K ${key} -iv ${iv} | gunzip | tar -x -C '${outDir}'`);
  return path.join(outDir, element(xml, 'name'));
}

/** Checks the signature with openssl dgst over the machine_configuration + image text. */
function opensslVerify(manifestFile: string, certFile: string, work: string): string {
  const xml = fs.readFileSync(manifestFile, 'utf8');
  const cut = (name: string) => xml.slice(xml.indexOf(`<${name}>`), xml.indexOf(`</${name}>`) + name.length + 3);
  fs.writeFileSync(path.join(work, 'signed.txt'), cut('machine_configuration') + cut('image'));
  fs.writeFileSync(path.join(work, 'sig.bin'), Buffer.from(element(xml, 'signature'), 'hex'));
  sh(`openssl x509 -pubkey -noout -in '${certFile}' > pub.pem`, { cwd: work });
  return sh('openssl dgst -sha1 -verify pub.pem -signature sig.bin signed.txt', { cwd: work }).toString().trim();
}

function expectFailure(
  r: { code: number; stdout: string; stderr: string },
  command: string,
  code: string,
  message: RegExp,
): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^${command}: error \\(${code}\\): `));
  assert.match(r.stderr, message);
}

describe("bundles made with a running cloud's credentials", () => {
  let cloud: TestCloud;
  let work: string;
  let image: { file: string; data: Buffer };
  let dest: string;
  let manifest: string;
  before(async () => {
    cloud = await startCloud();
    work = tempDir('euca-bundle-e2e-');
    image = makeImage(work);
    dest = path.join(work, 'bundle');
    manifest = path.join(dest, 'centos.5-3.x86-64.img.manifest.xml');
  });
  after(async () => cloud.stop());

  test('euca-bundle-image prints what euca2ools prints and writes the parts and the manifest', async () => {
    const r = await run('euca-bundle-image', ['-i', image.file, '-d', dest], cloud.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'Checking image\nEncrypting image\nSplitting image...\n' +
        ['00', '01', '02'].map((n) => `Part: centos.5-3.x86-64.img.part.${n}\n`).join('') +
        `Generating manifest ${manifest}\n`,
    );
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
    assert.deepEqual(fs.readdirSync(dest).sort(), [
      'centos.5-3.x86-64.img.manifest.xml',
      ...['00', '01', '02'].map((n) => `centos.5-3.x86-64.img.part.${n}`),
    ]);
    assert.equal(fs.statSync(path.join(dest, 'centos.5-3.x86-64.img.part.00')).size, 10 * MiB);
    const xml = fs.readFileSync(manifest, 'utf8');
    assert.equal(element(xml, 'user'), cloud.eucarc.EC2_USER_ID);
    assert.equal(element(xml, 'size'), String(image.data.length));
    assert.equal(element(xml, 'type'), 'machine');
    assert.equal(element(xml, 'architecture'), 'x86_64');
    assert.equal(element(xml, 'name'), 'centos.5-3.x86-64.img');
  });

  test('the bundle opens with nothing but openssl, gunzip and tar, byte-identical', () => {
    const out = opensslUnbundle(manifest, cloud.eucarc.EC2_PRIVATE_KEY, path.join(work, 'by-openssl'));
    assert.ok(fs.readFileSync(out).equals(image.data));
    // The image digest is the SHA1 of the tar stream, as openssl sees it.
    const xml = fs.readFileSync(manifest, 'utf8');
    const parts = [...xml.matchAll(/<filename>([^<]+)<\/filename>/g)].map((m) => `'${path.join(dest, m[1])}'`);
    const key = opensslUnwrap(
      element(xml, 'ec2_encrypted_key'),
      path.join(cloudPaths(cloud.dataDir).keysDir, 'cloud-pk.pem'),
    );
    const iv = opensslUnwrap(
      element(xml, 'ec2_encrypted_iv'),
      path.join(cloudPaths(cloud.dataDir).keysDir, 'cloud-pk.pem'),
    );
    const sha1 = sh(`cat ${parts.join(' ')} | openssl enc -d -aes-128-cbc -K ${key} -iv ${iv} | gunzip | sha1sum`)
      .toString()
      .split(' ')[0];
    assert.equal(sha1, element(xml, 'digest'));
  });

  test('its signature verifies with openssl dgst -sha1 -verify and the user certificate', () => {
    assert.equal(opensslVerify(manifest, cloud.eucarc.EC2_CERT, work), 'Verified OK');
  });

  test("euca-unbundle opens it with the user's key from the environment, and with the cloud's key", async () => {
    const out = path.join(work, 'unbundled');
    const r = await run('euca-unbundle', ['-m', manifest, '-d', out], cloud.env);
    assert.equal(r.code, 0, r.stderr);
    const image2 = path.join(out, 'centos.5-3.x86-64.img');
    assert.equal(
      r.stdout,
      ['00', '01', '02'].map((n) => `Part: centos.5-3.x86-64.img.part.${n}\n`).join('') + `Wrote ${image2}\n`,
    );
    assert.ok(fs.readFileSync(image2).equals(image.data));

    const byCloud = path.join(work, 'by-cloud');
    const c = await run(
      'euca-unbundle',
      ['-m', manifest, '-k', path.join(cloudPaths(cloud.dataDir).keysDir, 'cloud-pk.pem'), '-s', dest, '-d', byCloud],
      cloud.env,
    );
    assert.equal(c.code, 0, c.stderr);
    assert.ok(fs.readFileSync(path.join(byCloud, 'centos.5-3.x86-64.img')).equals(image.data));
  });

  test(
    'kernel and ramdisk bundles carry kernel_id or ramdisk_id "true", as the seed\'s euca-bundle-image ' +
      '--kernel true makes them',
    async () => {
      const kernel = path.join(work, 'vmlinuz-2.6.27.21-0.1-xen');
      fs.writeFileSync(kernel, crypto.randomBytes(4096));
      const r = await run(
        'euca-bundle-image',
        ['-i', kernel, '--kernel', 'true', '-d', path.join(work, 'k')],
        cloud.env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Generating manifest .*\/k\/vmlinuz-2\.6\.27\.21-0\.1-xen\.manifest\.xml\n$/);
      const xml = fs.readFileSync(path.join(work, 'k', 'vmlinuz-2.6.27.21-0.1-xen.manifest.xml'), 'utf8');
      assert.equal(element(xml, 'kernel_id'), 'true');
      assert.equal(element(xml, 'type'), 'kernel');
      assert.ok(!xml.includes('<block_device_mapping>'));

      const bad = await run(
        'euca-bundle-image',
        ['-i', kernel, '--kernel', 'true', '--ramdisk', 'eri-722B3CBA'],
        cloud.env,
      );
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--ramdisk is not compatible with bundling a kernel/);
    },
  );
});

describe('bundles with generated keys, no cloud', () => {
  let work: string;
  let id: TestIdentity;
  let env: Record<string, string>;
  let image: { file: string; data: Buffer };
  before(() => {
    work = tempDir('euca-bundle-e2e-');
    id = testIdentity(work);
    image = makeImage(work, 'disk.img');
    // HOME without credentials: nothing may start a local cloud when the environment gives all.
    env = cleanEnv({
      EC2_CERT: id.userCert,
      EC2_PRIVATE_KEY: id.userKey,
      EUCALYPTUS_CERT: id.cloudCert,
      EC2_USER_ID: id.accountId,
      HOME: path.join(work, 'home'),
    });
    fs.mkdirSync(env.HOME);
  });

  test(
    '"Bundle an Image for Amazon EC2": -u, -c, -k and --ec2cert name everything; the cloud certificate is ' +
      'the other one',
    async () => {
      const dest = path.join(work, 'for-ec2');
      const r = await run(
        'euca-bundle-image',
        [
          '-i',
          image.file,
          '-u',
          '1234-5678-9012',
          '-c',
          id.userCert,
          '-k',
          id.userKey,
          '--ec2cert',
          id.cloudCert,
          '-r',
          'i386',
          '-d',
          dest,
          '-p',
          'centos',
        ],
        cleanEnv({ HOME: env.HOME }),
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.ok(!fs.existsSync(path.join(env.HOME, '.euca')), 'no local cloud was started');
      const xml = fs.readFileSync(path.join(dest, 'centos.manifest.xml'), 'utf8');
      assert.equal(element(xml, 'user'), '123456789012');
      assert.equal(element(xml, 'architecture'), 'i386');
      assert.ok(fs.existsSync(path.join(dest, 'centos.part.02')));
      // Only the holder of the "EC2" key and the user can open it.
      const key = opensslUnwrap(element(xml, 'ec2_encrypted_key'), id.cloudKey);
      assert.equal(key, opensslUnwrap(element(xml, 'user_encrypted_key'), id.userKey));
    },
  );

  test("a bundle made the EC2 AMI tools' way (tar, gzip, openssl, split) opens with euca-unbundle", async () => {
    const manifestFile = ec2ToolsBundle(image.file, path.join(work, 'ec2-tools'), id);
    assert.deepEqual(
      fs.readdirSync(path.join(work, 'ec2-tools')).filter((f) => f.includes('.part.')),
      ['disk.img.part.0', 'disk.img.part.1', 'disk.img.part.2'],
    );
    const out = path.join(work, 'from-ec2-tools');
    const r = await run('euca-unbundle', ['-m', manifestFile, '-k', id.userKey, '-d', out], env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.readFileSync(path.join(out, 'disk.img')).equals(image.data));
    assert.equal(opensslVerify(manifestFile, id.userCert, path.join(work, 'ec2-tools')), 'Verified OK');
  });

  test('a sparse image bundled with tar -S comes back byte-identical, and sparse', async () => {
    const sparse = path.join(work, 'sparse', 'root.img');
    fs.mkdirSync(path.dirname(sparse));
    fs.closeSync(fs.openSync(sparse, 'w'));
    fs.truncateSync(sparse, 64 * MiB);
    const fd = fs.openSync(sparse, 'r+');
    for (let i = 0; i < 12; i++)
      fs.writeSync(fd, crypto.randomBytes(300 * 1024), 0, 300 * 1024, i * 5 * MiB + i * 4096);
    fs.closeSync(fd);
    const manifestFile = ec2ToolsBundle(sparse, path.join(work, 'sparse-bundle'), id);
    const out = path.join(work, 'from-sparse');
    const r = await run('euca-unbundle', ['-m', manifestFile, '-k', id.userKey, '-d', out], env);
    assert.equal(r.code, 0, r.stderr);
    const back = path.join(out, 'root.img');
    assert.ok(fs.readFileSync(back).equals(fs.readFileSync(sparse)));
    assert.ok(fs.statSync(back).blocks * 512 < 16 * MiB, 'the holes are holes on disk too');
  });

  describe('failures', () => {
    let dest: string;
    let manifest: string;
    before(async () => {
      dest = path.join(work, 'good');
      const r = await run('euca-bundle-image', ['-i', image.file, '-d', dest], env);
      assert.equal(r.code, 0, r.stderr);
      manifest = path.join(dest, 'disk.img.manifest.xml');
    });

    test('a tampered part: euca-unbundle names it and leaves no image', async () => {
      const tampered = path.join(work, 'tampered');
      fs.cpSync(dest, tampered, { recursive: true });
      const part = path.join(tampered, 'disk.img.part.01');
      const bytes = fs.readFileSync(part);
      bytes[12345] ^= 0xff;
      fs.writeFileSync(part, bytes);
      const out = path.join(work, 'tampered-out');
      const r = await run('euca-unbundle', ['-m', path.join(tampered, 'disk.img.manifest.xml'), '-d', out], env);
      expectFailure(r, 'euca-unbundle', 'CorruptBundle', /bundle part disk\.img\.part\.01 is corrupt/);
      assert.deepEqual(fs.readdirSync(out), []);
    });

    test('a missing part is named', async () => {
      const partial = path.join(work, 'partial');
      fs.cpSync(dest, partial, { recursive: true });
      fs.rmSync(path.join(partial, 'disk.img.part.02'));
      const out = path.join(work, 'partial-out');
      const r = await run('euca-unbundle', ['-m', path.join(partial, 'disk.img.manifest.xml'), '-d', out], env);
      expectFailure(r, 'euca-unbundle', 'MissingBundlePart', /bundle part disk\.img\.part\.02 does not exist/);
      assert.deepEqual(fs.readdirSync(out), []);
    });

    test('a private key the bundle was not made for is a clear error', async () => {
      const stranger = path.join(work, 'stranger-pk.pem');
      fs.writeFileSync(
        stranger,
        crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }),
      );
      const out = path.join(work, 'stranger-out');
      const r = await run('euca-unbundle', ['-m', manifest, '-k', stranger, '-d', out], env);
      expectFailure(r, 'euca-unbundle', 'KeyMismatch', /the private key does not match the bundle/);
      assert.ok(!fs.existsSync(out) || fs.readdirSync(out).length === 0);
    });

    test('a manifest that is not XML, or not a bundle manifest, is refused', async () => {
      const notXml = path.join(work, 'not.manifest.xml');
      fs.writeFileSync(notXml, 'PK\u0003\u0004 this is a zip, not a manifest <<<');
      expectFailure(
        await run('euca-unbundle', ['-m', notXml], env),
        'euca-unbundle',
        'InvalidManifest',
        /not an XML document/,
      );
      const other = path.join(work, 'other.xml');
      fs.writeFileSync(other, '<?xml version="1.0"?><ListBucketResult><Name>b</Name></ListBucketResult>');
      expectFailure(
        await run('euca-unbundle', ['-m', other], env),
        'euca-unbundle',
        'InvalidManifest',
        /not a bundle manifest/,
      );
      expectFailure(
        await run('euca-unbundle', ['-m', path.join(work, 'nothing.xml')], env),
        'euca-unbundle',
        'NoSuchFile',
        /manifest file does not exist/,
      );
    });

    test(
      'a missing image, a certificate that is not one, a key that does not match it: nothing is ' + 'written',
      async () => {
        const out = path.join(work, 'nothing-written');
        expectFailure(
          await run('euca-bundle-image', ['-i', path.join(work, 'no-such.img'), '-d', out], env),
          'euca-bundle-image',
          'NoSuchFile',
          /image file does not exist: .*no-such\.img/,
        );
        expectFailure(
          await run('euca-bundle-image', ['-i', image.file, '-d', out, '-c', image.file], env),
          'euca-bundle-image',
          'InvalidCertificate',
          /user certificate file is not a PEM X\.509 certificate/,
        );
        expectFailure(
          await run('euca-bundle-image', ['-i', image.file, '-d', out, '-c', id.cloudCert], env),
          'euca-bundle-image',
          'KeyMismatch',
          /does not match the certificate/,
        );
        expectFailure(
          await run('euca-bundle-image', ['-i', image.file, '-d', out, '--ec2cert', path.join(work, 'gone.pem')], env),
          'euca-bundle-image',
          'NoSuchFile',
          /cloud certificate file does not exist/,
        );
        assert.ok(!fs.existsSync(out) || fs.readdirSync(out).length === 0);
      },
    );

    test('a machine image over 10 GiB is refused before anything is written', async () => {
      const big = path.join(work, 'huge.img');
      fs.closeSync(fs.openSync(big, 'w'));
      fs.truncateSync(big, 10 * 2 ** 30 + 1); // sparse: costs no disk
      const out = path.join(work, 'huge-out');
      const r = await run('euca-bundle-image', ['-i', big, '-d', out], env);
      expectFailure(r, 'euca-bundle-image', 'ImageTooLarge', /limited to 10 GiB/);
      assert.ok(!fs.existsSync(out) || fs.readdirSync(out).length === 0);
      fs.rmSync(big);
    });

    test(
      'without certificates in the environment and with a cloud configured elsewhere, it says what is ' + 'missing',
      async () => {
        const r = await run(
          'euca-bundle-image',
          ['-i', image.file],
          cleanEnv({ HOME: env.HOME, EC2_URL: 'http://127.0.0.1:1/services/Eucalyptus' }),
        );
        expectFailure(
          r,
          'euca-bundle-image',
          'MissingParameter',
          /missing -c \(or EC2_CERT\), -k \(or EC2_PRIVATE_KEY\), --ec2cert \(or EUCALYPTUS_CERT\), -u \(or EC2_USER_ID\)/,
        );
      },
    );
  });
});

describe("the local cloud's credentials", () => {
  test(
    'with nothing configured, bundling uses the local cloud: started once for its credentials, then read ' +
      'as they lie',
    async () => {
      const home = tempDir('euca-home-');
      const env = cleanEnv({ HOME: home });
      const work = tempDir('euca-bundle-e2e-');
      const kernel = path.join(work, 'initrd.img');
      fs.writeFileSync(kernel, crypto.randomBytes(1000));
      try {
        const first = await run(
          'euca-bundle-image',
          ['-i', kernel, '--ramdisk', 'true', '-d', path.join(work, 'a')],
          env,
        );
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stderr, /^euca-bundle-image: started the local cloud \(pid \d+\)/);
        const stop = await run('eucalyptus-cloud', ['stop'], env);
        assert.equal(stop.code, 0, stop.stderr);
        // Bundling needs no service: the stopped cloud's eucarc is enough, and nothing starts.
        const second = await run(
          'euca-bundle-image',
          ['-i', kernel, '--ramdisk', 'true', '-d', path.join(work, 'b')],
          env,
        );
        assert.equal(second.code, 0, second.stderr);
        assert.equal(second.stderr, '');
        const eucarc = fs.readFileSync(path.join(home, '.euca', 'local', 'credentials', 'eucarc'), 'utf8');
        const account = /EC2_USER_ID='(\d+)'/.exec(eucarc)![1];
        const xml = fs.readFileSync(path.join(work, 'b', 'initrd.img.manifest.xml'), 'utf8');
        assert.equal(element(xml, 'user'), account);
        assert.equal(element(xml, 'ramdisk_id'), 'true');
        assert.equal(element(xml, 'type'), 'ramdisk');
      } finally {
        await run('eucalyptus-cloud', ['stop'], env);
      }
    },
  );
});
