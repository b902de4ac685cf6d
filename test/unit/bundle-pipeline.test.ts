/**
 * The streaming bundle and unbundle, as a library: parts handed to a callback (no files), read
 * back through a reader function, an image written to a stream or atomically to a path; part
 * names; every failure (tampered or missing part, wrong digest, a part that cannot be written)
 * leaving nothing behind.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { before, test } from 'node:test';
import { CliError } from '../../src/shared/errors';
import { bundleImage, type BundleImageOptions } from '../../src/shared/bundle/pipeline';
import { decryptBundleKeys } from '../../src/shared/bundle/keys';
import { parseManifest, verifyManifestSignature } from '../../src/shared/bundle/manifest';
import { unbundle } from '../../src/shared/bundle/unbundle';
import { tempDir } from '../helpers/cli';
import { testIdentity } from '../helpers/keys';

let dir: string;
let image: string;
let data: Buffer;
let base: Omit<BundleImageOptions, 'destination' | 'onPart'>;

before(() => {
  dir = tempDir('euca-bundle-pipe-');
  const id = testIdentity(dir);
  // Half random, half compressible: parts of both kinds.
  data = Buffer.concat([crypto.randomBytes(150 * 1024), Buffer.alloc(150 * 1024, 'euca ')]);
  image = path.join(dir, 'disk.img');
  fs.writeFileSync(image, data);
  base = {
    image,
    architecture: 'x86_64',
    imageType: 'machine',
    accountId: id.accountId,
    userCertPem: fs.readFileSync(id.userCert, 'utf8'),
    userPrivateKeyPem: fs.readFileSync(id.userKey, 'utf8'),
    cloudCertPem: fs.readFileSync(id.cloudCert, 'utf8'),
    partSize: 1024,
  };
});

async function bundleToMemory(opts: Partial<BundleImageOptions> = {}) {
  const parts = new Map<string, Buffer>();
  const result = await bundleImage({
    ...base,
    ...opts,
    onPart: async (name, bytes, sha1) => {
      assert.equal(crypto.createHash('sha1').update(bytes).digest('hex'), sha1);
      parts.set(name, Buffer.from(bytes)); // the bundle reuses its buffer
    },
  });
  return { result, parts };
}

function collector(): { stream: Writable; bytes(): Buffer } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(c: Buffer, _e, done) {
        chunks.push(c);
        done();
      },
    }),
    bytes: () => Buffer.concat(chunks),
  };
}

test('parts go to the callback, named .part.00 on to .part.100 and beyond, and come back byte-identical', async () => {
  const { result, parts } = await bundleToMemory();
  const m = parseManifest(result.manifestXml);
  assert.ok(m.image.parts.length > 100, `${m.image.parts.length} parts`);
  assert.equal(m.image.parts[0].filename, 'disk.img.part.00');
  assert.equal(m.image.parts[9].filename, 'disk.img.part.09');
  assert.equal(m.image.parts[100].filename, 'disk.img.part.100');
  assert.deepEqual(
    [...parts.keys()],
    m.image.parts.map((p) => p.filename),
  );
  assert.equal(
    m.image.bundledSize,
    [...parts.values()].reduce((n, b) => n + b.length, 0),
  );
  assert.equal(m.image.size, data.length);
  assert.ok(verifyManifestSignature(result.manifestXml, base.userCertPem));

  const out = collector();
  const seen: string[] = [];
  const r = await unbundle({
    manifest: m,
    ...decryptBundleKeys(m, base.userPrivateKeyPem),
    readPart: (name) => Readable.from([parts.get(name)!]),
    output: out.stream,
    onPartDone: (n) => seen.push(n),
  });
  assert.ok(out.bytes().equals(data));
  assert.equal(r.size, data.length);
  assert.equal(r.digest, m.image.digest);
  assert.equal(seen.length, m.image.parts.length);
});

test('machine, kernel and ramdisk bundles describe themselves as Eucalyptus expects', async () => {
  const machine = parseManifest(
    (
      await bundleToMemory({
        kernelId: 'eki-5B3D3859',
        blockDeviceMappings: { ephemeral1: 'sdc', swap: 'sdd' },
        productCodes: ['X1'],
      })
    ).result.manifestXml,
  );
  assert.equal(machine.image.type, 'machine');
  assert.equal(machine.machineConfiguration.kernelId, 'eki-5B3D3859');
  assert.deepEqual(machine.machineConfiguration.blockDeviceMappings, {
    ami: 'sda1',
    root: '/dev/sda1',
    ephemeral0: 'sda2',
    swap: 'sdd',
    ephemeral1: 'sdc',
  });
  assert.deepEqual(machine.machineConfiguration.productCodes, ['X1']);
  const kernel = parseManifest((await bundleToMemory({ imageType: 'kernel' })).result.manifestXml);
  assert.equal(kernel.image.type, 'kernel');
  assert.equal(kernel.machineConfiguration.kernelId, 'true');
  assert.deepEqual(kernel.machineConfiguration.blockDeviceMappings, {});
  const ramdisk = parseManifest(
    (await bundleToMemory({ imageType: 'ramdisk', architecture: 'i386' })).result.manifestXml,
  );
  assert.equal(ramdisk.image.type, 'ramdisk');
  assert.equal(ramdisk.machineConfiguration.ramdiskId, 'true');
  assert.equal(ramdisk.machineConfiguration.architecture, 'i386');
});

test(
  'an image written to a path appears only when every check passed; failures name the part and leave ' + 'nothing',
  async () => {
    const { result, parts } = await bundleToMemory();
    const m = parseManifest(result.manifestXml);
    const keys = decryptBundleKeys(m, base.userPrivateKeyPem);
    const outDir = tempDir('euca-unbundle-out-');
    const target = path.join(outDir, 'disk.img');
    const attempt = (read: (name: string) => Buffer | undefined, manifest = m) =>
      unbundle({
        manifest,
        ...keys,
        readPart: (name) => {
          const b = read(name);
          if (!b) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
          return Readable.from([b]);
        },
        output: target,
      });

    const victim = m.image.parts[5].filename;
    const tampered = (name: string) => {
      const b = Buffer.from(parts.get(name)!);
      if (name === victim) b[10] ^= 1;
      return b;
    };
    await assert.rejects(
      attempt(tampered),
      (e: unknown) =>
        e instanceof CliError && e.code === 'CorruptBundle' && e.message.includes(`bundle part ${victim} is corrupt`),
    );
    assert.deepEqual(fs.readdirSync(outDir), []);

    await assert.rejects(
      attempt((n) => (n === victim ? undefined : parts.get(n))),
      (e: unknown) => e instanceof CliError && e.code === 'MissingBundlePart' && e.message.includes(victim),
    );
    assert.deepEqual(fs.readdirSync(outDir), []);

    const wrongDigest = { ...m, image: { ...m.image, digest: '0'.repeat(40) } };
    await assert.rejects(
      attempt((n) => parts.get(n), wrongDigest),
      /unbundled image's SHA1 digest is [0-9a-f]{40}, the manifest says 0{40}/,
    );
    assert.deepEqual(fs.readdirSync(outDir), []);

    const wrongKey = { key: crypto.randomBytes(16), iv: keys.iv };
    await assert.rejects(
      unbundle({ manifest: m, ...wrongKey, readPart: (n) => Readable.from([parts.get(n)!]), output: target }),
      (e: unknown) => e instanceof CliError && e.code === 'CorruptBundle',
    );
    assert.deepEqual(fs.readdirSync(outDir), []);

    const ok = await attempt((n) => parts.get(n));
    assert.equal(ok.path, target);
    assert.ok(fs.readFileSync(target).equals(data));
    assert.deepEqual(fs.readdirSync(outDir), ['disk.img']);
  },
);

test('a bundle that fails half-way takes back the parts it wrote and writes no manifest', async () => {
  const dest = tempDir('euca-bundle-dest-');
  // The third part cannot be written: its name is taken by a folder.
  fs.mkdirSync(path.join(dest, 'disk.img.part.02'));
  await assert.rejects(
    bundleImage({ ...base, destination: dest }),
    (e: unknown) => e instanceof CliError && e.code === 'WriteFailed' && /disk\.img\.part\.02: EISDIR/.test(e.message),
  );
  assert.deepEqual(fs.readdirSync(dest), ['disk.img.part.02']);
});

test('an interrupted bundle stops and leaves nothing', async () => {
  const dest = tempDir('euca-bundle-dest-');
  const stop = new AbortController();
  const run = bundleImage({ ...base, destination: dest, onProgress: () => stop.abort(), signal: stop.signal });
  await assert.rejects(run);
  assert.deepEqual(fs.readdirSync(dest), []);
});
