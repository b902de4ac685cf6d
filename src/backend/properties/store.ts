/**
 * The cloud's live settings (euca-describe-properties, euca-modify-property) that are not kept
 * elsewhere: a name and a value each; a property never set reads as its default.
 */
import type { SqlDatabase } from '../store/sql';
import { type SchemaPart } from '../store/schema';

export const propertiesSchema: SchemaPart = {
  domain: 'properties',
  migrations: [`CREATE TABLE properties (name TEXT PRIMARY KEY, value TEXT NOT NULL);`],
};

export class SqlPropertyStore {
  constructor(private readonly db: SqlDatabase) {}

  async get(name: string): Promise<string | undefined> {
    return (
      (await this.db.prepare('SELECT value FROM properties WHERE name = ?').get(name)) as { value: string } | undefined
    )?.value;
  }

  async set(name: string, value: string): Promise<void> {
    await this.db
      .prepare(
        'INSERT INTO properties (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
      )
      .run(name, value);
  }
}
