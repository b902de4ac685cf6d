/**
 * Parallel gzip: what it writes is one ordinary gzip member that zlib and the gzip binary both
 * decode to the input, whatever the data (random, compressible, empty) and wherever the input
 * ends relative to the block boundaries; and it compresses about as well as plain zlib.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { parallelGzip, ParallelGzip } from '../../src/shared/bundle/pgzip';

const BLOCK = 64 * 1024; // small blocks, so that the boundaries are many and cheap to test

function compressible(n: number): Buffer {
  const words = ['ami', 'eki', 'eri', 'walrus', 'bundle', 'manifest', '\n', ' ', 'node controller'];
  const out = Buffer.alloc(n);
  let seed = 7;
  for (let i = 0; i < n;) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const w = words[seed % words.length];
    i += out.write(w, i);
  }
  return out;
}

function gunzipBinary(gz: Buffer): Buffer {
  return execFileSync('gzip', ['-d', '-c'], { input: gz, maxBuffer: 1 << 28 });
}

test('parallel gzip output decodes with zlib and gzip -d, around block boundaries', async () => {
  const sizes = [
    0,
    1,
    100,
    BLOCK - 1,
    BLOCK,
    BLOCK + 1,
    2 * BLOCK,
    2 * BLOCK + 7,
    5 * BLOCK - 3,
    32 * 1024,
    32 * 1024 + 1,
  ];
  for (const n of sizes) {
    for (const [kind, data] of [
      ['random', crypto.randomBytes(n)],
      ['compressible', compressible(n)],
      ['zeros', Buffer.alloc(n)],
    ] as const) {
      const gz = await parallelGzip(data, { blockSize: BLOCK, concurrency: 3 });
      assert.equal(gz[0], 0x1f, `${kind} ${n}`);
      assert.equal(gz[1], 0x8b);
      assert.ok(zlib.gunzipSync(gz).equals(data), `zlib: ${kind} ${n}`);
      assert.ok(gunzipBinary(gz).equals(data), `gzip -d: ${kind} ${n}`);
    }
  }
});

test('the default block size and streamed input in odd chunk sizes give the same valid member', async () => {
  const data = Buffer.concat([compressible(3 * 1024 * 1024 + 11), crypto.randomBytes(700 * 1024)]);
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += 77777) chunks.push(data.subarray(i, i + 77777));
  const out: Buffer[] = [];
  const gz = new ParallelGzip();
  gz.on('data', (b: Buffer) => out.push(b));
  await pipeline(Readable.from(chunks), gz);
  const member = Buffer.concat(out);
  assert.ok(zlib.gunzipSync(member).equals(data));
  assert.ok(gunzipBinary(member).equals(data));
  // The trailer: CRC32 and length of the whole input, as gzip -l reads them.
  assert.equal(member.readUInt32LE(member.length - 8), zlib.crc32(data));
  assert.equal(member.readUInt32LE(member.length - 4), data.length);
  // Compresses within a few percent of single-threaded zlib at the same level.
  const plain = zlib.gzipSync(data, { level: 6 }).length;
  assert.ok(member.length <= plain * 1.03, `${member.length} vs ${plain}`);
});

test('a failure inside the compressor surfaces as a stream error', async () => {
  const gz = new ParallelGzip({ level: 99 as number, blockSize: BLOCK });
  await assert.rejects(pipeline(Readable.from([crypto.randomBytes(3 * BLOCK)]), gz));
});
