/**
 * Schema migrations, kept per domain (core identity, Walrus, images, ...) so each part of the
 * cloud owns its tables: a domain's migrations run in order, once, tracked in schema_versions.
 */
import type { SqlDatabase } from './sql';

export interface SchemaPart {
  domain: string;
  /** SQL scripts, applied in order; never edit one that has shipped, append a new one. */
  migrations: string[];
}

export async function migrate(db: SqlDatabase, parts: SchemaPart[]): Promise<void> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_versions (domain TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const get = db.prepare('SELECT version FROM schema_versions WHERE domain = ?');
  const set = db.prepare(
    'INSERT INTO schema_versions (domain, version) VALUES (?, ?) ON CONFLICT(domain) DO UPDATE SET version = ' +
      'excluded.version',
  );
  for (const part of parts) {
    const current = ((await get.get(part.domain)) as { version: number } | undefined)?.version ?? 0;
    for (let v = current; v < part.migrations.length; v++) {
      await db.transaction(async () => {
        await db.exec(part.migrations[v]);
        await set.run(part.domain, v + 1);
      });
    }
  }
}
