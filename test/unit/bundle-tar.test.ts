/**
 * The bundle's tar reader against what GNU tar writes: plain members in gnu, ustar and pax
 * formats, long names, a folder before the file, and sparse files as `tar -S` stores them (old
 * GNU sparse with extension blocks, pax sparse 0.1 and 1.0), all read back byte for byte with
 * the holes where they were; a damaged header is a CorruptBundle error.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { CliError } from '../../src/shared/errors';
import { extractFirstFile } from '../../src/shared/bundle/tar-reader';
import { tempDir } from '../helpers/cli';

let dir: string;
let sparseData: Buffer;
const LONG = `${'a-rather-long-image-name-'.repeat(6)}.img`;

before(() => {
  dir = tempDir('euca-tar-');
  // 12 MiB with 9 data regions and holes between and after: more than the 4 map entries of a
  // GNU sparse header, so extension blocks are needed.
  const file = path.join(dir, 'sparse.img');
  fs.closeSync(fs.openSync(file, 'w'));
  fs.truncateSync(file, 12 * 1024 * 1024);
  const fd = fs.openSync(file, 'r+');
  for (let i = 0; i < 9; i++) fs.writeSync(fd, crypto.randomBytes(5000 + i), 0, 5000 + i, i * 1024 * 1024 + 4096 * i);
  fs.closeSync(fd);
  sparseData = fs.readFileSync(file);
  fs.writeFileSync(path.join(dir, 'plain.img'), crypto.randomBytes(70 * 1024 + 3));
  fs.writeFileSync(path.join(dir, LONG), crypto.randomBytes(1000));
  fs.mkdirSync(path.join(dir, 'folder'));
});

function tar(args: string[]): Buffer {
  return execFileSync('tar', ['-c', '-C', dir, ...args], { maxBuffer: 1 << 28 });
}

async function extract(
  archive: Buffer,
  chunk = 10000,
): Promise<{ name: string; size: number; bytes: Buffer; holes: number }> {
  const parts: Buffer[] = [];
  let holes = 0;
  async function* pieces() {
    for (let i = 0; i < archive.length; i += chunk) yield archive.subarray(i, i + chunk);
  }
  const file = await extractFirstFile(pieces(), {
    async data(c) {
      parts.push(Buffer.from(c));
    },
    async hole(n) {
      holes += n;
      parts.push(Buffer.alloc(n));
    },
  });
  assert.ok(file, 'a file was found');
  return { ...file, bytes: Buffer.concat(parts), holes };
}

test('plain members in gnu, ustar and pax formats, in chunks of any size', async () => {
  const data = fs.readFileSync(path.join(dir, 'plain.img'));
  for (const format of ['gnu', 'ustar', 'posix']) {
    for (const chunk of [1, 511, 512, 4096, 1 << 20]) {
      if (chunk === 1 && format !== 'gnu') continue;
      const r = await extract(tar([`--format=${format}`, 'plain.img']), chunk);
      assert.equal(r.name, 'plain.img');
      assert.ok(r.bytes.equals(data), `${format} in chunks of ${chunk}`);
    }
  }
});

test('long names (GNU L records and pax path), and a folder before the file', async () => {
  const data = fs.readFileSync(path.join(dir, LONG));
  for (const format of ['gnu', 'posix']) {
    const r = await extract(tar([`--format=${format}`, 'folder', LONG]));
    assert.equal(r.name, LONG, format);
    assert.ok(r.bytes.equals(data));
  }
});

test('sparse files as tar -S writes them: old GNU with extension blocks, pax 0.1 and 1.0', async () => {
  for (const args of [
    ['--format=gnu'],
    ['--format=posix', '--sparse-version=0.1'],
    ['--format=posix', '--sparse-version=1.0'],
  ]) {
    const archive = tar(['-S', ...args, 'sparse.img']);
    assert.ok(archive.length < sparseData.length / 4, `${args}: stored sparse (${archive.length} bytes)`);
    const r = await extract(archive);
    assert.equal(r.name, 'sparse.img', args.join(' '));
    assert.equal(r.size, sparseData.length);
    assert.ok(r.bytes.equals(sparseData), args.join(' '));
    assert.ok(r.holes > 10 * 1024 * 1024, 'the holes came as holes');
  }
});

test('the members after the first file are read through to the end; a damaged header is refused', async () => {
  const two = tar(['--format=gnu', 'plain.img', '-S', 'sparse.img']);
  const r = await extract(two);
  assert.equal(r.name, 'plain.img');
  const damaged = Buffer.from(two);
  damaged[10] ^= 0x55;
  await assert.rejects(
    extract(damaged),
    (e: unknown) => e instanceof CliError && e.code === 'CorruptBundle' && /header checksum/.test(e.message),
  );
  await assert.rejects(extract(two.subarray(0, 5000)), /ends inside the image/);
});
