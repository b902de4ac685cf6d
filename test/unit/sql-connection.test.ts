/**
 * The asynchronous SQL connection the stores run on: a transaction spans awaits, so what it
 * writes is seen by no one else until it commits, statements from outside wait for it, a throw
 * rolls it back, and a nested transaction is a savepoint.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { openSqlite } from '../../src/backend/store/sqlite-connection';
import { tempDir } from '../helpers/cli';

async function table() {
  const db = openSqlite(path.join(tempDir('euca-sql-'), 'test.db'));
  await db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  const count = async () => (await db.prepare<{ n: number }>('SELECT count(*) AS n FROM t').get())!.n;
  return { db, count };
}

const tick = () => new Promise((r) => setImmediate(r));

test('a transaction spanning awaits: others wait for it and never see its rows before it commits', async () => {
  const { db, count } = await table();
  const seen: number[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const tx = db.transaction(async () => {
    await db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('a', 1);
    await held; // another request runs meanwhile
    await db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('b', 2);
  });
  await tick();
  const outside = count().then((n) => seen.push(n));
  await tick();
  assert.deepEqual(seen, [], 'the outside read waits for the open transaction');
  release();
  await Promise.all([tx, outside]);
  assert.deepEqual(seen, [2], 'and then sees both rows at once');
  await db.close();
});

test('a throw rolls the whole transaction back; a nested one is a savepoint', async () => {
  const { db, count } = await table();
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  await assert.rejects(
    db.transaction(async () => {
      await insert.run('a', 1);
      throw new Error('refused');
    }),
    /refused/,
  );
  assert.equal(await count(), 0);
  await db.transaction(async () => {
    await insert.run('a', 1);
    await assert.rejects(
      db.transaction(async () => {
        await insert.run('b', 2);
        throw new Error('inner');
      }),
      /inner/,
    );
    await insert.run('c', 3);
  });
  const keys = (await db.prepare<{ k: string }>('SELECT k FROM t ORDER BY k').all()).map((r) => r.k);
  assert.deepEqual(keys, ['a', 'c'], 'the savepoint alone was undone');
  await db.close();
});

test('transactions run one after another, each seeing the last one’s commit', async () => {
  const { db } = await table();
  await db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('n', 0);
  const bump = () =>
    db.transaction(async () => {
      const { v } = (await db.prepare<{ v: number }>('SELECT v FROM t WHERE k = ?').get('n'))!;
      await tick();
      await db.prepare('UPDATE t SET v = ? WHERE k = ?').run(v + 1, 'n');
    });
  await Promise.all(Array.from({ length: 20 }, bump));
  assert.equal((await db.prepare<{ v: number }>('SELECT v FROM t WHERE k = ?').get('n'))!.v, 20, 'no lost update');
  await db.close();
});

test('a statement waiting for one transaction never runs inside the next (its write survives that one’s rollback)', async () => {
  const { db, count } = await table();
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const first = db.transaction(async () => {
    await held;
  });
  await tick();
  // Queued behind `first`: an outside write, then a transaction that fails.
  const outside = insert.run('outside', 1);
  const failing = db.transaction(async () => {
    await insert.run('inside', 2);
    throw new Error('refused');
  });
  release();
  await first;
  await outside;
  await assert.rejects(failing, /refused/);
  const keys = (await db.prepare<{ k: string }>('SELECT k FROM t ORDER BY k').all()).map((r) => r.k);
  assert.deepEqual(keys, ['outside'], 'the outside write is kept, the failed transaction’s is not');
  assert.equal(await count(), 1);
  await db.close();
});

test('transactions nested in one scope at once run one after another, and nest further', async () => {
  const { db } = await table();
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  await db.transaction(async () => {
    await Promise.allSettled(
      ['a', 'b', 'c'].map((k, i) =>
        db.transaction(async () => {
          await insert.run(k, i);
          await tick();
          await db.transaction(async () => insert.run(`${k}2`, i)).catch(() => undefined);
          if (k === 'b') throw new Error('b refused');
        }),
      ),
    );
  });
  const keys = (await db.prepare<{ k: string }>('SELECT k FROM t ORDER BY k').all()).map((r) => r.k);
  assert.deepEqual(keys, ['a', 'a2', 'c', 'c2']);
  await db.close();
});
