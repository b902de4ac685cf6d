/**
 * Acting on Walrus's lifecycle rules: a sweep deletes the objects a rule expires (a delete marker
 * in a versioned bucket, as S3 does), the noncurrent versions a rule says are too old, the delete
 * markers left with no version behind them (ExpiredObjectDeleteMarker), and aborts the multipart
 * uploads a rule says are too old.
 * The cloud sweeps once at start-up, then every hour (S3 too acts on rules in the background, not
 * at the moment an object turns old enough).
 */
import { abortsUpload, expires, expiresNoncurrent, filters, type LifecycleRule } from './lifecycle';
import { isProtected } from './object-lock';
import { type KeyRange, type VersionRecord } from './store';
import { type BackgroundWork, periodic } from '../leadership';
import type { Walrus } from './walrus';

const NULL_VERSION = 'null';

export const LIFECYCLE_SWEEP_MS = 3600 * 1000;
const PAGE = 1000;

/**
 * A key's versions, newest first: the first is its current version (an object, or the delete
 * marker that hides the key); each other became noncurrent when the one before it was written.
 * Removes those a rule expires, then a delete marker left alone if a rule says so.
 */
async function sweepVersions(
  walrus: Walrus,
  rules: LifecycleRule[],
  group: VersionRecord[],
  now: number,
): Promise<number> {
  const { store } = walrus;
  let removed = 0;
  let left = group.length;
  for (let j = 1; j < group.length; j++) {
    const v = group[j];
    if (!rules.some((r) => expiresNoncurrent(r, v, group[j - 1].lastModified, j - 1, now))) continue;
    // Object Lock outranks lifecycle: a protected version stays until its protection ends.
    if (isProtected(v.lock, now)) continue;
    const file = await store.deleteNoncurrent(v.bucketId, v.key, v.versionId ?? NULL_VERSION);
    if (file) await walrus.removeLeftover(v.bucketId, file);
    removed++;
    left--;
  }
  const latest = group[0];
  if (
    latest.deleteMarker &&
    left === 1 &&
    rules.some((r) => r.expiredObjectDeleteMarker && filters(r, { key: latest.key }))
  ) {
    // Only while it is still alone: a version written since keeps it.
    const alone = await store.transaction(async () => {
      if (await store.findObject(latest.bucketId, latest.key)) return false;
      const newest = await store.newestNoncurrent(latest.bucketId, latest.key);
      if (newest?.versionId !== latest.versionId) return false;
      await store.deleteNoncurrent(latest.bucketId, latest.key, latest.versionId ?? NULL_VERSION);
      return (await store.newestNoncurrent(latest.bucketId, latest.key)) === undefined;
    });
    if (alone) removed++;
  }
  return removed;
}

export async function applyLifecycle(
  walrus: Walrus,
  now = Date.now(),
): Promise<{ expired: number; aborted: number; versions: number }> {
  const { store } = walrus;
  const done = { expired: 0, aborted: 0, versions: 0 };
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
    if (rules.some((r) => r.enabled && (r.noncurrentDays !== undefined || r.expiredObjectDeleteMarker))) {
      let group: VersionRecord[] = [];
      for (
        let range = start, page = await store.scanVersions(bucketId, range, PAGE);
        page.length;
        page = await store.scanVersions(bucketId, range, PAGE)
      ) {
        for (const v of page) {
          if (group.length && group[0].key !== v.key) {
            done.versions += await sweepVersions(walrus, rules, group, now);
            group = [];
          }
          group.push(v);
        }
        const last = page[page.length - 1];
        range = { from: Buffer.from(last.key, 'utf8'), inclusive: false, afterId: last.id };
      }
      if (group.length) done.versions += await sweepVersions(walrus, rules, group, now);
    }
    for (
      let range = start, page = await store.scanUploads(bucketId, range, PAGE);
      page.length;
      page = await store.scanUploads(bucketId, range, PAGE)
    ) {
      for (const u of page) {
        if (!rules.some((r) => abortsUpload(r, u, now))) continue;
        for (const f of await store.deleteUpload(u.id)) await walrus.removeLeftover(bucketId, f);
        done.aborted++;
      }
      const last = page[page.length - 1];
      range = { from: Buffer.from(last.key, 'utf8'), inclusive: false, afterId: last.id };
    }
  }
  return done;
}

/**
 * Walrus's lifecycle sweeps as background work (leadership.ts): a sweep when it starts, then one
 * every `everyMs` until it stops, never two at once.
 */
export function lifecycleSweeps(
  walrus: Walrus,
  log: (line: string) => void,
  everyMs = LIFECYCLE_SWEEP_MS,
): BackgroundWork {
  const sweep = async () => {
    try {
      const { expired, aborted, versions } = await applyLifecycle(walrus);
      if (expired || aborted || versions)
        log(
          `walrus lifecycle: ${expired} object(s) expired, ${versions} noncurrent version(s) or delete marker(s) ` +
            `removed, ${aborted} multipart upload(s) aborted`,
        );
    } catch (e) {
      log(`walrus lifecycle sweep failed: ${(e as Error).message}`);
    }
  };
  return periodic(sweep, everyMs);
}
