/**
 * The SQL connection the stores are written against, no larger than they need: prepared
 * statements whose rows the caller types (one row type per table, beside its store), transactions,
 * and schema DDL. Every call is asynchronous, so that a server database can stand behind the same
 * interface without touching a store or a service. SQLite (store/sqlite-connection.ts) and
 * PostgreSQL (store/pg-connection.ts) stand behind it, each the only module that knows its driver.
 */
import { ServiceError } from '../errors';

/**
 * A statement broke a UNIQUE (or primary key) constraint: a row with that key exists. The one
 * engine error the stores and services act on (a concurrent twin of a request won), the same
 * whichever engine answered.
 */
export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
}

/**
 * Text holding the NUL character, which PostgreSQL cannot store: refused by both engines before
 * the statement runs, so a request answers alike on either (400, nothing stored or looked up).
 */
export class UnstorableText extends ServiceError {
  constructor() {
    super('InvalidParameterValue', 'Text may not contain the NUL character (U+0000)', 400);
  }
}

/** Throws UnstorableText when a parameter is text with a NUL in it. */
export function checkStorable(values: readonly SqlValue[]): void {
  for (const v of values) if (typeof v === 'string' && v.includes('\u0000')) throw new UnstorableText();
}

export type SqlValue = string | number | bigint | null | Buffer | undefined;

export interface SqlStatement<Row> {
  get(...params: SqlValue[]): Promise<Row | undefined>;
  all(...params: SqlValue[]): Promise<Row[]>;
  /** `changes`: the rows the statement changed (a key, when wanted, comes back with RETURNING). */
  run(...params: SqlValue[]): Promise<{ changes: number }>;
}

export interface SqlDatabase {
  /** A statement whose rows are `Row` (the table's row type, named as its columns are). */
  prepare<Row = never>(sql: string): SqlStatement<Row>;
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction; a throw rolls it back. Within another (in its asynchronous
   * scope) it is a savepoint. No request ever sees another's uncommitted rows, and transactions
   * behave as if they ran one after another (serializable): on SQLite they do; on PostgreSQL they
   * run at once and one that conflicts is rolled back and `fn` run again, so `fn` must touch
   * nothing but the database (write files, call nodes, change memory after it resolves).
   * `exclusive`: run it alone among all the database's users (schema migrations).
   */
  transaction<T>(fn: () => Promise<T>, opts?: { exclusive?: boolean }): Promise<T>;
  close(): Promise<void>;
}
