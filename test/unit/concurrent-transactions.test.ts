/**
 * Transactions under concurrency, on whichever engine the suite runs (SQLite, or PostgreSQL with
 * EUCA_TEST_POSTGRES): read-modify-write transactions started at once lose no update and two
 * check-then-insert transactions never both pass their check (on PostgreSQL they run at once and a
 * conflict runs one again); a conflict its function catches still makes it run again; any other
 * error is the caller's, with nothing written.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../src/backend/store/database';
import type { SqlDatabase } from '../../src/backend/store/sql';
import { tempDir } from '../helpers/cli';
import { testStoreLocation } from '../helpers/database';

async function database(): Promise<SqlDatabase> {
  const db = await openDatabase(await testStoreLocation(path.join(tempDir('euca-tx-'), 'test.db')));
  await db.exec('CREATE TABLE counters (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  await db.exec('CREATE TABLE seats (owner TEXT NOT NULL, seat INTEGER NOT NULL)');
  await db.prepare('INSERT INTO counters (k, v) VALUES (?, ?)').run('n', 0);
  return db;
}

const pause = () => new Promise((r) => setTimeout(r, Math.random() * 5));

test('transactions at once: no update lost, no check passed twice, a caught conflict run again', async () => {
  const db = await database();
  try {
    const get = db.prepare<{ v: number }>('SELECT v FROM counters WHERE k = ?');
    const set = db.prepare('UPDATE counters SET v = ? WHERE k = ?');
    await Promise.all(
      Array.from({ length: 40 }, () =>
        db.transaction(async () => {
          const { v } = (await get.get('n'))!;
          await pause(); // others read the same value meanwhile
          await set.run(v + 1, 'n');
        }),
      ),
    );
    assert.equal((await get.get('n'))!.v, 40, 'every increment kept');

    // Three seats, twelve takers checking for a free one first: three get one, nobody a fourth.
    const taken = db.prepare<{ n: number }>('SELECT count(*) AS n FROM seats');
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        db.transaction(async () => {
          const { n } = (await taken.get())!;
          await pause();
          if (n >= 3) throw new Error('full');
          // A function that catches what a statement threw still does not commit a conflict.
          await db
            .prepare('INSERT INTO seats (owner, seat) VALUES (?, ?)')
            .run(`taker-${i}`, n)
            .catch(() => undefined);
        }),
      ),
    );
    assert.equal((await taken.get())!.n, 3);
    assert.equal(results.filter((r) => r.status === 'rejected').length, 9);
    assert.ok(results.every((r) => r.status === 'fulfilled' || /full/.test(String(r.reason))));

    await assert.rejects(
      db.transaction(async () => {
        await set.run(1000, 'n');
        throw new Error('the caller’s own failure');
      }),
      /caller’s own failure/,
    );
    assert.equal((await get.get('n'))!.v, 40, 'nothing written');
  } finally {
    await db.close();
  }
});
