/**
 * SQLite (better-sqlite3, WAL) as the stores' asynchronous SqlDatabase: the only module that knows
 * the driver. The driver is synchronous, so a statement runs at once; what the interface adds is
 * the transaction's scope. A transaction spans awaits, so it holds the one connection until it
 * ends: statements of its own asynchronous scope (AsyncLocalStorage) run inside it, everyone
 * else's wait for it. Nested transactions are savepoints.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import type { SqlDatabase, SqlStatement, SqlValue } from './sql';

/** An open transaction; `open` is false once it ended (a timer it started may outlive it). */
interface Scope {
  open: boolean;
  savepoints: number;
}

class SqliteConnection implements SqlDatabase {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly scope = new AsyncLocalStorage<Scope>();
  /** Settles when the open transaction ends. */
  private busy: Promise<void> | undefined;

  constructor(private readonly db: Database.Database) {}

  prepare<Row>(sql: string): SqlStatement<Row> {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    const s = stmt;
    return {
      get: async (...params: SqlValue[]) => {
        await this.turn();
        return s.get(...params) as Row | undefined;
      },
      all: async (...params: SqlValue[]) => {
        await this.turn();
        return s.all(...params) as Row[];
      },
      run: async (...params: SqlValue[]) => {
        await this.turn();
        return s.run(...params);
      },
    };
  }

  async exec(sql: string): Promise<void> {
    await this.turn();
    this.db.exec(sql);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const outer = this.current();
    if (outer) return this.savepoint(outer, fn);
    while (this.busy) await this.busy;
    let end!: () => void;
    this.busy = new Promise((resolve) => (end = resolve));
    const scope: Scope = { open: true, savepoints: 0 };
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await this.scope.run(scope, fn);
        this.db.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    } finally {
      scope.open = false;
      this.busy = undefined;
      end();
    }
  }

  async close(): Promise<void> {
    while (this.busy) await this.busy;
    this.db.close();
  }

  private current(): Scope | undefined {
    const scope = this.scope.getStore();
    return scope?.open ? scope : undefined;
  }

  /** Resolves when this caller may use the connection: inside its own transaction, or when none is open. */
  private async turn(): Promise<void> {
    if (this.current()) return;
    while (this.busy) await this.busy;
  }

  private async savepoint<T>(scope: Scope, fn: () => Promise<T>): Promise<T> {
    const name = `sp${++scope.savepoints}`;
    this.db.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn();
      this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (e) {
      this.db.exec(`ROLLBACK TO ${name}`);
      this.db.exec(`RELEASE ${name}`);
      throw e;
    }
  }
}

/** The database in `file`, created if need be. */
export function openSqlite(file: string): SqlDatabase {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return new SqliteConnection(db);
}
