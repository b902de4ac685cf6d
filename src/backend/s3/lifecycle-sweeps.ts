/**
 * Acting on Walrus's lifecycle rules: a sweep deletes the objects a rule expires (a delete marker
 * in a versioned bucket, as S3 does) and aborts the multipart uploads a rule says are too old.
 * The cloud sweeps once at start-up, then every hour (S3 too acts on rules in the background, not
 * at the moment an object turns old enough).
 */
import { abortsUpload, expires, type LifecycleRule } from './lifecycle';
import type { KeyRange } from './store';
import type { Walrus } from './walrus';

export const LIFECYCLE_SWEEP_MS = 3600 * 1000;
const PAGE = 1000;

export async function applyLifecycle(walrus: Walrus, now = Date.now()): Promise<{ expired: number; aborted: number }> {
  const { store, files } = walrus;
  const done = { expired: 0, aborted: 0 };
  const start: KeyRange = { from: Buffer.alloc(0), inclusive: true };
  for (const bucketId of await store.bucketsWithConfig('lifecycle')) {
    const rules = (await store.bucketConfig<LifecycleRule[]>(bucketId, 'lifecycle')) ?? [];
    const bucket = await store.bucketById(bucketId);
    if (!bucket) continue; // deleted since the list was read
    const owner = bucket.ownerAccountId;
    for (
      let range = start, page = await store.scanObjects(bucketId, range, PAGE);
      page.length;
      page = await store.scanObjects(bucketId, range, PAGE)
    ) {
      for (const o of page) {
        if (!rules.some((r) => expires(r, o, now))) continue;
        // Only the version this page read: a PUT since then is a new object, not expired.
        if ((await walrus.removeObject(bucketId, o.key, owner, undefined, o.fileId)).removed) done.expired++;
      }
      range = { from: Buffer.from(page[page.length - 1].key, 'utf8'), inclusive: false };
    }
    for (
      let range = start, page = await store.scanUploads(bucketId, range, PAGE);
      page.length;
      page = await store.scanUploads(bucketId, range, PAGE)
    ) {
      for (const u of page) {
        if (!rules.some((r) => abortsUpload(r, u, now))) continue;
        for (const f of await store.deleteUpload(u.id)) files.remove(bucketId, f);
        done.aborted++;
      }
      const last = page[page.length - 1];
      range = { from: Buffer.from(last.key, 'utf8'), inclusive: false, afterId: last.id };
    }
  }
  return done;
}

export async function startLifecycleSweeps(
  walrus: Walrus,
  log: (line: string) => void,
  everyMs = LIFECYCLE_SWEEP_MS,
): Promise<() => void> {
  const sweep = async () => {
    try {
      const { expired, aborted } = await applyLifecycle(walrus);
      if (expired || aborted)
        log(`walrus lifecycle: ${expired} object(s) expired, ${aborted} multipart upload(s) aborted`);
    } catch (e) {
      log(`walrus lifecycle sweep failed: ${(e as Error).message}`);
    }
  };
  await sweep();
  const timer = setInterval(() => void sweep(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
