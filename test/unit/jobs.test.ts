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

const names = async (l: Leases) =>
  (await l.all('job:')).map((x) => `${x.name.replace(/:[0-9a-f]{8}$/, '')} ${x.holder}`);

test('jobs: claimed while they run, released when they end; a dead front end’s taken over once, released once recovered', async () => {
  const store = await SqlStore.open(await testStoreLocation(path.join(tempDir('euca-jobs-'), 'cloud.db')));
  try {
    const [a, b, c] = ['host@1:10:aa', 'host@1:11:bb', 'host@1:12:cc'].map((h) => new Leases(store.db, h));
    const jobsOf = new JobClaims(a, () => undefined);
    let finish!: () => void;
    jobsOf.track('snap-00000001', new Promise<void>((r) => (finish = r)));
    jobsOf.track('vol-00000002', Promise.reject(new Error('failed: its own handler said so')));
    jobsOf.track('i-00000003', new Promise(() => undefined));
    // Two jobs of one resource (a launch, then its termination): each its own claim.
    jobsOf.track('i-00000003', new Promise(() => undefined));
    await settled();
    assert.deepEqual(
      await names(a),
      ['job:i-00000003 host@1:10:aa', 'job:i-00000003 host@1:10:aa', 'job:snap-00000001 host@1:10:aa'],
      'a job that ended, failed or not, is released',
    );
    finish();
    await settled();
    assert.deepEqual(await names(a), ['job:i-00000003 host@1:10:aa', 'job:i-00000003 host@1:10:aa']);

    // While its front end lives, nobody takes its jobs.
    const recovered: string[][] = [];
    const recover = async (ids: ReadonlySet<string>) => void recovered.push([...ids]);
    const bJobs = new JobClaims(b, () => undefined);
    assert.deepEqual(await bJobs.takeOver((h) => h === a.holder || h === b.holder, recover), []);
    assert.deepEqual(recovered, []);
    // Once it is gone: a recovery that fails keeps the claims (now the taker's), to be tried again.
    const alive = (h: string) => h === b.holder || h === c.holder;
    await assert.rejects(
      bJobs.takeOver(alive, async () => {
        throw new Error('the database went away');
      }),
      /went away/,
    );
    assert.deepEqual(await names(a), ['job:i-00000003 host@1:11:bb', 'job:i-00000003 host@1:11:bb']);
    // Another taker finds nothing of the dead one's; the taker itself tries again, and the claims go.
    assert.deepEqual(await new JobClaims(c, () => undefined).takeOver(alive, recover), []);
    assert.deepEqual(await bJobs.takeOver(alive, recover), ['i-00000003']);
    assert.deepEqual(recovered, [['i-00000003']]);
    assert.deepEqual(await a.all('job:'), []);
  } finally {
    await store.close();
  }
});
