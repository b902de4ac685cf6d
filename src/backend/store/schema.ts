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
  // Each step in a transaction of its own, alone on the database (schema changes are not covered
  // by serializable isolation), reading the version again there: front ends starting together on
  // one database apply each migration once.
  const alone = { exclusive: true };
  await db.transaction(
    () => db.exec('CREATE TABLE IF NOT EXISTS schema_versions (domain TEXT PRIMARY KEY, version INTEGER NOT NULL)'),
    alone,
  );
  const get = db.prepare('SELECT version FROM schema_versions WHERE domain = ?');
  const set = db.prepare(
    'INSERT INTO schema_versions (domain, version) VALUES (?, ?) ON CONFLICT(domain) DO UPDATE SET version = ' +
      'excluded.version',
  );
  for (const part of parts) {
    const version = async () => ((await get.get(part.domain)) as { version: number } | undefined)?.version ?? 0;
    for (let v = await version(); v < part.migrations.length; v++) {
      await db.transaction(async () => {
        if ((await version()) > v) return; // another front end applied it meanwhile
        await db.exec(part.migrations[v]);
        await set.run(part.domain, v + 1);
      }, alone);
    }
  }
}
