/**
 * Walrus's byte paths: a body's digests, hashed here or on a worker thread (body-digests.ts), and
 * reads of object files with several reads under way (storage.ts), single and joined.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { DigestStream } from '../../src/backend/s3/body-digests';
import { createChecksummer } from '../../src/backend/s3/checksums';
import { ObjectFiles } from '../../src/backend/s3/storage';

/** Feeds `body` in pieces of uneven sizes, waiting when the worker is behind. */
async function digestOf(body: Buffer, request: ConstructorParameters<typeof DigestStream>[0]) {
  const d = new DigestStream(request);
  for (let at = 0, n = 1; at < body.length; at += n, n = (n * 7 + 65_537) % 300_000) {
    await d.update(body.subarray(at, at + n));
  }
  return d.finish();
}

test('a body digests the same whether hashed here (small) or on a worker (large), many at once', async () => {
  const bodies = [Buffer.alloc(0), randomBytes(1000), randomBytes(1024 * 1024), randomBytes(9 * 1024 * 1024 + 17)];
  const results = await Promise.all(
    bodies.flatMap((b) => [digestOf(b, { sha256: true, checksum: 'crc32c' }), digestOf(b, {})]),
  );
  bodies.forEach((b, i) => {
    const [full, md5Only] = [results[2 * i], results[2 * i + 1]];
    const md5 = createHash('md5').update(b).digest();
    assert.deepEqual(full.md5, md5, `MD5 of ${b.length} bytes`);
    assert.deepEqual(md5Only.md5, md5);
    assert.equal(full.sha256, createHash('sha256').update(b).digest('hex'));
    const crc = createChecksummer('crc32c');
    crc.update(b);
    assert.equal(full.checksum, crc.digest());
    assert.equal(md5Only.sha256, undefined);
    assert.equal(md5Only.checksum, undefined);
  });
});

test('a body abandoned half-way leaves the worker able to hash the next', async () => {
  const d = new DigestStream({});
  await d.update(randomBytes(3 * 1024 * 1024));
  d.abandon();
  const body = randomBytes(5 * 1024 * 1024);
  assert.deepEqual((await digestOf(body, {})).md5, createHash('md5').update(body).digest());
});

test('object files read back whole, by range, and joined across their parts', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'walrus-bytes-'));
  try {
    const files = new ObjectFiles(root);
    await files.init();
    const bucket = files.newId();
    await files.createBucket(bucket);
    const read = async (fileId: string, start?: number, end?: number) => {
      const pieces: Buffer[] = [];
      for await (const piece of await files.open(bucket, fileId, start, end)) pieces.push(piece as Buffer);
      return Buffer.concat(pieces);
    };
    const a = randomBytes(3 * 1024 * 1024 + 5);
    const b = randomBytes(700_000);
    const c = Buffer.alloc(0);
    const ids = [await files.write(bucket, [a]), await files.write(bucket, [b]), await files.write(bucket, [c])];
    assert.deepEqual(await read(ids[0]), a);
    assert.deepEqual(await read(ids[0], 1_048_570, 2_100_000), a.subarray(1_048_570, 2_100_001));
    assert.deepEqual(await read(ids[2]), c);
    const joined = await files.join(bucket, [
      { fileId: ids[0], size: a.length },
      { fileId: ids[1], size: b.length },
    ]);
    const whole = Buffer.concat([a, b]);
    assert.deepEqual(await read(joined), whole);
    assert.deepEqual(await read(joined, a.length - 3, a.length + 10), whole.subarray(a.length - 3, a.length + 11));
    // A read ended early closes its files: the folder's descriptors are all released.
    const early = await files.open(bucket, joined);
    for await (const piece of early) {
      assert.ok(piece.length > 0);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const open = fs.readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(root);
      } catch {
        return false;
      }
    });
    assert.deepEqual(open, []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
