/**
 * The database a test's cloud or store keeps its state in. By default SQLite, a file in the test's
 * folder; when EUCA_TEST_POSTGRES names a PostgreSQL server (scripts/test-postgres.sh runs the
 * suite so), a fresh database of its own on that server, so the same tests prove both engines.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { cloudDatabase, isPostgresUrl, openDatabase } from '../../src/backend/store/database';
import { cloudPaths } from '../../src/shared/paths';

export const testPostgres = () => process.env.EUCA_TEST_POSTGRES || undefined;

/** A new, empty database on the test server: its URL. */
export async function newPostgresDatabase(server: string): Promise<string> {
  const name = `euca_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Where a store under test lives: `file` (SQLite), or a new database on the test server. */
export async function testStoreLocation(file: string): Promise<string> {
  const server = testPostgres();
  return server ? newPostgresDatabase(server) : file;
}

/**
 * Every row the cloud of `dataDir` keeps, table by table (rows sorted, as JSON), whichever engine
 * holds them: what a test compares before and after, or searches for a secret that must not be there.
 */
export async function storedRows(dataDir: string, skipTables: string[] = []): Promise<string> {
  const location = cloudDatabase(cloudPaths(dataDir));
  const db = await openDatabase(location);
  try {
    const tables = (
      await db
        .prepare<{ name: string }>(
          isPostgresUrl(location)
            ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
            : "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        )
        .all()
    )
      .map((t) => t.name)
      .filter((t) => !skipTables.includes(t));
    const out: string[] = [];
    for (const t of tables) {
      const rows = await db.prepare<Record<string, unknown>>(`SELECT * FROM ${t}`).all();
      const text = rows.map((r) => JSON.stringify(r, (_, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v))).sort();
      out.push(`${t}: ${JSON.stringify(text)}`);
    }
    return out.join('\n');
  } finally {
    await db.close();
  }
}
