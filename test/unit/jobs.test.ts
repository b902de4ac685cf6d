/**
 * Job claims between front ends (jobs.ts): a job is claimed while it runs and released when it
 * ends; the jobs of a front end not alive pass to one taker, once.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { JobClaims } from '../../src/backend/jobs';
import { Leases } from '../../src/backend/store/leases';
import { SqlStore } from '../../src/backend/store/sql-store';
import { tempDir } from '../helpers/cli';
import { testStoreLocation } from '../helpers/database';

const settled = () => new Promise((r) => setTimeout(r, 50));

test('jobs: claimed while they run, released when they end; a dead front end’s taken over once', async () => {
  const store = await SqlStore.open(await testStoreLocation(path.join(tempDir('euca-jobs-'), 'cloud.db')));
  try {
    const [a, b, c] = ['host@1:10:aa', 'host@1:11:bb', 'host@1:12:cc'].map((h) => new Leases(store.db, h));
    const jobsOf = new JobClaims(a, () => undefined);
    let finish!: () => void;
    jobsOf.track('snap-00000001', new Promise<void>((r) => (finish = r)));
    jobsOf.track('vol-00000002', Promise.reject(new Error('failed: its own handler said so')));
    jobsOf.track('i-00000003', new Promise(() => undefined));
    await settled();
    assert.deepEqual(
      (await a.all('job:')).map((l) => `${l.name} ${l.holder}`),
      ['job:i-00000003 host@1:10:aa', 'job:snap-00000001 host@1:10:aa'],
      'a job that ended, failed or not, is released',
    );
    finish();
    await settled();
    assert.deepEqual(
      (await a.all('job:')).map((l) => l.name),
      ['job:i-00000003'],
    );

    // While its front end lives, nobody takes its jobs.
    assert.deepEqual(await new JobClaims(b, () => undefined).takeOver((h) => h === a.holder || h === b.holder), []);
    // Once it is gone, one taker gets each job, and the claim is gone.
    const alive = (h: string) => h === b.holder || h === c.holder;
    assert.deepEqual(await new JobClaims(b, () => undefined).takeOver(alive), ['i-00000003']);
    assert.deepEqual(await new JobClaims(c, () => undefined).takeOver(alive), []);
    assert.deepEqual(await a.all('job:'), []);
  } finally {
    await store.close();
  }
});
