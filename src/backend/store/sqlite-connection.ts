/**
 * SQLite (better-sqlite3, WAL) as the stores' asynchronous SqlDatabase: the only module that knows
 * the driver. The driver is synchronous, so a statement runs at once; what the interface adds is
 * the transaction's scope. A transaction spans awaits, so it holds the one connection until it
 * ends: statements of its own asynchronous scope (AsyncLocalStorage) run inside it, everyone
 * else's wait for it. Nested transactions are savepoints.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type OpenTransaction, savepoint, type Scope as NestScope } from './nesting';
import Database from 'better-sqlite3';
import { checkStorable, type SqlDatabase, type SqlStatement, type SqlValue, UniqueViolation } from './sql';

type Scope = NestScope<OpenTransaction>;

/** How many prepared statements are kept for reuse (the oldest goes first). */
const STATEMENT_CACHE = 256;

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
      // Bounded: SQL with a list of ? per id differs with each list's length, as requests choose.
      if (this.statements.size >= STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, stmt);
    }
    const s = stmt;
    return {
      get: (...params: SqlValue[]) => this.inTurn(params, () => s.get(...params) as Row | undefined),
      all: (...params: SqlValue[]) => this.inTurn(params, () => s.all(...params) as Row[]),
      run: (...params: SqlValue[]) => this.inTurn(params, () => s.run(...params)),
    };
  }

  exec(sql: string): Promise<void> {
    return this.inTurn([], () => void this.db.exec(sql));
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const outer = this.current();
    if (outer) return savepoint(this.scope, outer, (sql) => this.db.exec(sql), fn);
    while (this.busy) await this.busy;
    let end!: () => void;
    this.busy = new Promise((resolve) => (end = resolve));
    const tx: OpenTransaction = { open: true, savepoints: 0 };
    const scope: Scope = { tx, nested: Promise.resolve() };
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await this.scope.run(scope, fn);
        await scope.nested; // a nested transaction still running ends before this one commits
        this.db.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    } finally {
      tx.open = false;
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
    return scope?.tx.open ? scope : undefined;
  }

  /**
   * Runs `work` when this caller may use the connection: at once inside its own transaction or
   * when none is open, else once the open one has ended. The check and the work are one
   * synchronous step, so no transaction can begin between them.
   */
  private async inTurn<T>(params: SqlValue[], work: () => T): Promise<T> {
    checkStorable(params);
    while (this.busy && !this.current()) await this.busy;
    try {
      return work();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
        throw new UniqueViolation((e as Error).message);
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
