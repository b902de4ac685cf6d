/**
 * A full disk under Walrus (a 12 MiB tmpfs mounted on its folder: these machines run the tests as
 * root): uploads fail with InsufficientStorage and a clear message, nothing half-stored, every
 * object stored before reads back whole, and uploads work again once there is room.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cloudPaths } from '../../src/shared/paths';
import { type CliError } from '../../src/shared/errors';
import { tempDir } from '../helpers/cli';
import { startCloud } from '../helpers/cloud';
import { s3Client } from '../helpers/s3';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

test('a full disk: uploads refused with InsufficientStorage, nothing stored before is lost', async () => {
  const dataDir = tempDir('euca-diskfull-');
  const walrusDir = cloudPaths(dataDir).walrusDir;
  fs.mkdirSync(walrusDir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m,mode=0700', 'tmpfs', walrusDir]);
  const cloud = await startCloud(dataDir);
  try {
    const s3 = await s3Client(cloud);
    await s3.createBucket('full');
    const stored = new Map<string, string>();
    let refusal: CliError | undefined;
    for (let i = 0; i < 20 && !refusal; i++) {
      const data = randomBytes(1024 * 1024);
      try {
        await s3.putObject('full', `o${i}`, data);
        stored.set(`o${i}`, md5(data));
      } catch (e) {
        refusal = e as CliError;
      }
    }
    assert.ok(refusal, 'the disk filled up');
    assert.equal(refusal!.code, 'InsufficientStorage');
    assert.match(refusal!.message, /no space left/);
    assert.ok(stored.size >= 5, `${stored.size} objects stored first`);
    const listed = (await s3.listObjects('full')).objects.map((o) => o.key).sort();
    assert.deepEqual(listed, [...stored.keys()].sort(), 'nothing half-stored is listed');
    for (const [key, sum] of stored) assert.equal(md5((await s3.getObjectBuffer('full', key)).body), sum);
    assert.deepEqual(fs.readdirSync(path.join(walrusDir, 'tmp')), [], 'no temp file left');

    // Room again: uploads work.
    for (const key of [...stored.keys()].slice(0, 3)) await s3.deleteObject('full', key);
    await s3.putObject('full', 'after', randomBytes(1024 * 1024));
    assert.doesNotMatch(cloud.output(), /internal error/);
  } finally {
    await cloud.stop();
    execFileSync('umount', [walrusDir]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
