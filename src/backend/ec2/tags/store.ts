/**
 * Tags as the cloud keeps them: key and value per (account, resource), indexed by resource and by
 * key and value so that describing thousands of resources, or filtering them by tag, stays a
 * lookup rather than a scan.
 */
import type { SqlDatabase } from '../../store/sql';

export interface Tag {
  resourceId: string;
  resourceType: string;
  key: string;
  value: string;
}

export interface TagStore {
  list(accountId: string): Promise<Tag[]>;
  /** The account's tags on each of these resources (resources without tags are absent). */
  forResources(accountId: string, resourceIds: string[]): Promise<Map<string, Tag[]>>;
  count(accountId: string, resourceId: string): Promise<number>;
  /** Sets the tag, overwriting the value of an existing key. */
  set(accountId: string, tag: Tag): Promise<void>;
  /** Removes a key; with a value, only if the tag has that value. */
  remove(accountId: string, resourceId: string, key: string, value?: string): Promise<void>;
  removeAllOf(accountId: string, resourceId: string): Promise<void>;
  /** When a resource goes, its tags go, whoever set them. */
  forgetResource(resourceId: string): Promise<void>;
  /** Resources of the account with this key (and value, if given). */
  resourcesWith(accountId: string, key: string, value?: string): Promise<string[]>;
}

/** A row of tags. */
interface Row {
  account_id: string;
  resource_id: string;
  resource_type: string;
  key: string;
  value: string;
}
const toTag = (r: Row): Tag => ({
  resourceId: r.resource_id,
  resourceType: r.resource_type,
  key: r.key,
  value: r.value,
});

/** The most resource ids one query names. */
const ID_LIST = 500;

export class SqlTagStore implements TagStore {
  constructor(private readonly db: SqlDatabase) {}

  async list(accountId: string): Promise<Tag[]> {
    return (
      (await this.db
        .prepare('SELECT * FROM tags WHERE account_id = ? ORDER BY resource_id, key')
        .all(accountId)) as Row[]
    ).map(toTag);
  }

  async forResources(accountId: string, resourceIds: string[]): Promise<Map<string, Tag[]>> {
    const out = new Map<string, Tag[]>();
    if (!resourceIds.length) return out;
    // In lists of at most ID_LIST ids (a placeholder each, as both engines take them).
    const rows: Row[] = [];
    for (let i = 0; i < resourceIds.length; i += ID_LIST) {
      const ids = resourceIds.slice(i, i + ID_LIST);
      rows.push(
        ...(await this.db
          .prepare<Row>(
            `SELECT * FROM tags WHERE account_id = ? AND resource_id IN (${ids.map(() => '?').join(', ')}) ` +
              'ORDER BY resource_id, key',
          )
          .all(accountId, ...ids)),
      );
    }
    for (const r of rows) {
      const list = out.get(r.resource_id) ?? [];
      list.push(toTag(r));
      out.set(r.resource_id, list);
    }
    return out;
  }

  async count(accountId: string, resourceId: string): Promise<number> {
    return (await this.db
      .prepare<{ n: number }>('SELECT COUNT(*) AS n FROM tags WHERE account_id = ? AND resource_id = ?')
      .get(accountId, resourceId))!.n;
  }

  async set(accountId: string, t: Tag): Promise<void> {
    await this.db
      .prepare(
        'INSERT INTO tags (account_id, resource_id, resource_type, key, value) VALUES (?, ?, ?, ?, ?) ON ' +
          'CONFLICT(account_id, resource_id, key) DO UPDATE SET value = excluded.value',
      )
      .run(accountId, t.resourceId, t.resourceType, t.key, t.value);
  }

  async remove(accountId: string, resourceId: string, key: string, value?: string): Promise<void> {
    if (value === undefined)
      await this.db
        .prepare('DELETE FROM tags WHERE account_id = ? AND resource_id = ? AND key = ?')
        .run(accountId, resourceId, key);
    else
      await this.db
        .prepare('DELETE FROM tags WHERE account_id = ? AND resource_id = ? AND key = ? AND value = ?')
        .run(accountId, resourceId, key, value);
  }

  async removeAllOf(accountId: string, resourceId: string): Promise<void> {
    await this.db.prepare('DELETE FROM tags WHERE account_id = ? AND resource_id = ?').run(accountId, resourceId);
  }

  async forgetResource(resourceId: string): Promise<void> {
    await this.db.prepare('DELETE FROM tags WHERE resource_id = ?').run(resourceId);
  }

  async resourcesWith(accountId: string, key: string, value?: string): Promise<string[]> {
    const rows = (
      value === undefined
        ? await this.db.prepare('SELECT resource_id FROM tags WHERE account_id = ? AND key = ?').all(accountId, key)
        : await this.db
            .prepare('SELECT resource_id FROM tags WHERE account_id = ? AND key = ? AND value = ?')
            .all(accountId, key, value)
    ) as Row[];
    return rows.map((r) => r.resource_id);
  }
}
