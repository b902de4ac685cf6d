/**
 * Mutated bundles and manifests given to euca-unbundle and to euca-register: flipped bytes,
 * reordered or missing parts, wrong digests, the wrong private key, manifests that are not XML or
 * not a manifest, the signature stripped. Each is refused with a one-line message; euca-unbundle
 * leaves nothing in its destination; no registered image ever becomes available.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateRsaKeyPair } from '../../src/shared/pki';
import { run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { waitFor } from '../helpers/node';

const NAME = 'mutant.img';

interface Mutation {
  name: string;
  /** Changes the bundle folder (manifest NAME.manifest.xml, parts NAME.part.NN). */
  apply(dir: string): void;
  /** The private key to unbundle with, when not the user's own. */
  key?: () => string;
}

const manifestOf = (dir: string) => path.join(dir, `${NAME}.manifest.xml`);
const partsOf = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.includes('.part.'))
    .sort();
const editManifest = (dir: string, edit: (text: string) => string) =>
  fs.writeFileSync(manifestOf(dir), edit(fs.readFileSync(manifestOf(dir), 'utf8')));

const MUTATIONS: Mutation[] = [
  {
    name: 'a flipped byte in a part',
    apply: (dir) => {
      const f = path.join(dir, partsOf(dir)[0]);
      const b = fs.readFileSync(f);
      b[Math.floor(b.length / 2)] ^= 0xff;
      fs.writeFileSync(f, b);
    },
  },
  { name: 'a missing part', apply: (dir) => fs.rmSync(path.join(dir, partsOf(dir)[1])) },
  {
    name: 'parts swapped',
    apply: (dir) => {
      const [a, b] = partsOf(dir).map((p) => path.join(dir, p));
      const tmp = `${a}.tmp`;
      fs.renameSync(a, tmp);
      fs.renameSync(b, a);
      fs.renameSync(tmp, b);
    },
  },
  {
    name: 'a wrong part digest in the manifest',
    apply: (dir) =>
      editManifest(dir, (t) =>
        t.replace(/<digest algorithm="SHA1">([0-9a-f])/, (_, c) => `<digest algorithm="SHA1">${c === '0' ? '1' : '0'}`),
      ),
  },
  {
    name: 'a wrong image digest in the manifest',
    apply: (dir) =>
      editManifest(dir, (t) =>
        t.replace(
          /(<image>[\s\S]*?<digest algorithm="SHA1">)([0-9a-f])/,
          (_, head, c) => `${head}${c === '0' ? '1' : '0'}`,
        ),
      ),
  },
  { name: 'a manifest that is not XML', apply: (dir) => fs.writeFileSync(manifestOf(dir), 'this is not a manifest {') },
  {
    name: 'XML that is not a manifest',
    apply: (dir) =>
      fs.writeFileSync(manifestOf(dir), '<?xml version="1.0"?><shoppinglist><item>milk</item></shoppinglist>'),
  },
  {
    name: 'the signature stripped',
    apply: (dir) => editManifest(dir, (t) => t.replace(/<signature>[^<]*<\/signature>/, '')),
  },
  {
    name: 'the wrong private key',
    apply: () => undefined,
    key: () => {
      const f = path.join(tempDir('euca-wrongkey-'), 'other-pk.pem');
      fs.writeFileSync(f, generateRsaKeyPair().privateKeyPem, { mode: 0o600 });
      return f;
    },
  },
];

describe('mutated bundles', () => {
  let cloud: TestCloud;
  let work: string;
  let bundle: string;
  before(async () => {
    cloud = await startCloud();
    work = tempDir('euca-mutants-');
    const image = path.join(work, NAME);
    fs.writeFileSync(image, Buffer.concat([randomBytes(11 * 1024 * 1024), Buffer.alloc(1024 * 1024)]));
    bundle = path.join(work, 'bundle');
    fs.mkdirSync(bundle);
    await runOk('euca-bundle-image', ['-i', image, '-d', bundle], cloud.env);
    assert.ok(partsOf(bundle).length >= 2, 'the image spans several parts');
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  for (const [i, m] of MUTATIONS.entries()) {
    test(`${m.name}: euca-unbundle refuses it and writes nothing; euca-register never makes it available`, async () => {
      const dir = path.join(work, `m${i}`);
      fs.cpSync(bundle, dir, { recursive: true });
      m.apply(dir);
      const dest = path.join(work, `out${i}`);
      fs.mkdirSync(dest);
      const r = await run(
        'euca-unbundle',
        ['-m', manifestOf(dir), '-d', dest, ...(m.key ? ['-k', m.key()] : [])],
        cloud.env,
      );
      assert.equal(r.code, 1, `${m.name}: ${r.stdout}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^euca-unbundle: error \(\w+\): /);
      assert.deepEqual(fs.readdirSync(dest), [], 'nothing half-written');
      if (m.key) return; // the cloud decrypts with its own key: a user's wrong key does not reach it

      const bucket = `mutant-${i}`;
      const up = await run('euca-upload-bundle', ['-b', bucket, '-m', manifestOf(dir)], cloud.env);
      if (up.code !== 0) {
        assert.equal(up.stderr.trimEnd().split('\n').length, 1, up.stderr);
        return; // refused before anything reached Walrus (a missing part, an unreadable manifest)
      }
      const reg = await run('euca-register', [`${bucket}/${NAME}.manifest.xml`], cloud.env);
      if (reg.code !== 0) {
        assert.equal(reg.stderr.trimEnd().split('\n').length, 1, reg.stderr);
        assert.match(reg.stderr, /^euca-register: error \(\w+(\.\w+)?\): /);
        return;
      }
      const id = reg.stdout.split('\t')[1].trim();
      const state = await waitFor(
        `${id} to settle`,
        async () => {
          const s = (await runOk('euca-describe-images', [id], cloud.env)).split('\t')[4];
          return s === 'pending' ? undefined : s;
        },
        60_000,
      );
      assert.equal(state, 'failed', `${m.name}: ${id} must not become available`);
    });
  }
});
