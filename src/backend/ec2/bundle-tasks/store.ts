/** Bundle tasks (euca-bundle-instance): their table and the SQLite store on the shared connection. */
import type { SqlDatabase } from '../../store/sql';
import { type SchemaPart } from '../../store/schema';

export const bundleTasksSchema: SchemaPart = {
  domain: 'bundle-tasks',
  migrations: [
    `CREATE TABLE bundle_tasks (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, instance_id TEXT NOT NULL, bucket TEXT NOT NULL,
       prefix TEXT NOT NULL, state TEXT NOT NULL, progress TEXT NOT NULL, error TEXT, start_time TEXT NOT NULL, update_time TEXT NOT NULL);
     CREATE INDEX bundle_tasks_account ON bundle_tasks(account_id);`,
  ],
};

export type BundleState = 'pending' | 'bundling' | 'storing' | 'cancelling' | 'complete' | 'failed';

export interface BundleTask {
  id: string;
  accountId: string;
  instanceId: string;
  bucket: string;
  prefix: string;
  state: BundleState;
  progress: string;
  error?: string;
  startTime: string;
  updateTime: string;
}

/** A row of bundle_tasks. */
interface Row {
  id: string;
  account_id: string;
  instance_id: string;
  bucket: string;
  prefix: string;
  state: BundleState;
  progress: string;
  error: string | null;
  start_time: string;
  update_time: string;
}
const toTask = (r: Row): BundleTask => ({
  id: r.id,
  accountId: r.account_id,
  instanceId: r.instance_id,
  bucket: r.bucket,
  prefix: r.prefix,
  state: r.state,
  progress: r.progress,
  error: r.error ?? undefined,
  startTime: r.start_time,
  updateTime: r.update_time,
});

export class SqlBundleTaskStore {
  constructor(private readonly db: SqlDatabase) {}

  async insert(t: BundleTask): Promise<void> {
    await this.db
      .prepare(
        'INSERT INTO bundle_tasks (id, account_id, instance_id, bucket, prefix, state, progress, error, ' +
          'start_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        t.id,
        t.accountId,
        t.instanceId,
        t.bucket,
        t.prefix,
        t.state,
        t.progress,
        t.error ?? null,
        t.startTime,
        t.updateTime,
      );
  }

  async get(id: string): Promise<BundleTask | undefined> {
    const r = (await this.db.prepare('SELECT * FROM bundle_tasks WHERE id = ?').get(id)) as Row | undefined;
    return r && toTask(r);
  }

  async list(accountId: string): Promise<BundleTask[]> {
    return (
      (await this.db
        .prepare('SELECT * FROM bundle_tasks WHERE account_id = ? ORDER BY start_time, id')
        .all(accountId)) as Row[]
    ).map(toTask);
  }

  /** Every account's tasks that have not ended (complete or failed). */
  async unfinished(): Promise<BundleTask[]> {
    return (
      (await this.db
        .prepare("SELECT * FROM bundle_tasks WHERE state NOT IN ('complete', 'failed') ORDER BY start_time, id")
        .all()) as Row[]
    ).map(toTask);
  }

  async update(id: string, state: BundleState, progress: string, error?: string): Promise<void> {
    await this.db
      .prepare('UPDATE bundle_tasks SET state = ?, progress = ?, error = ?, update_time = ? WHERE id = ?')
      .run(state, progress, error ?? null, new Date().toISOString(), id);
  }
}
