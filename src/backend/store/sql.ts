/**
 * The SQL connection the stores are written against, no larger than they need: prepared
 * statements whose rows the caller types (one row type per table, beside its store), transactions,
 * and schema DDL. SQLite stands behind it today: store/sqlite.ts opens the one connection and is
 * the only module that knows the driver.
 */
export type SqlValue = string | number | bigint | null | Buffer | undefined;

export interface SqlStatement<Row> {
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
  run(...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint };
}

export interface SqlDatabase {
  /** A statement whose rows are `Row` (the table's row type, named as its columns are). */
  prepare<Row = never>(sql: string): SqlStatement<Row>;
  exec(sql: string): void;
  /** Runs `fn` in one transaction (within another: a savepoint); a throw rolls it back. */
  transaction<T>(fn: () => T): T;
}
