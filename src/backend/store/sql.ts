/**
 * The SQL connection the stores are written against, no larger than they need: prepared
 * statements whose rows the caller types (one row type per table, beside its store), transactions,
 * and schema DDL. Every call is asynchronous, so that a server database can stand behind the same
 * interface without touching a store or a service. SQLite stands behind it today:
 * store/sqlite-connection.ts is the only module that knows the driver.
 */
export type SqlValue = string | number | bigint | null | Buffer | undefined;

export interface SqlStatement<Row> {
  get(...params: SqlValue[]): Promise<Row | undefined>;
  all(...params: SqlValue[]): Promise<Row[]>;
  run(...params: SqlValue[]): Promise<{ changes: number; lastInsertRowid: number | bigint }>;
}

export interface SqlDatabase {
  /** A statement whose rows are `Row` (the table's row type, named as its columns are). */
  prepare<Row = never>(sql: string): SqlStatement<Row>;
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction; a throw rolls it back. Within another (in its asynchronous
   * scope) it is a savepoint. Statements from outside wait until the transaction ends, so no
   * request ever sees another's uncommitted rows.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
