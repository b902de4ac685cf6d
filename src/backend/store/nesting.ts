/**
 * What both SQL connections share about transactions: where a caller stands (its asynchronous
 * scope: which transaction, at what depth of nesting), and nested transactions as savepoints,
 * those of one scope run one after another (savepoints nest, they do not overlap).
 */
import type { AsyncLocalStorage } from 'node:async_hooks';

/** An open transaction; `open` is false once it ended (a timer it started may outlive it). */
export interface OpenTransaction {
  open: boolean;
  savepoints: number;
}

/** Where a caller stands: in a transaction, at some depth of nesting. */
export interface Scope<Tx extends OpenTransaction> {
  tx: Tx;
  /** Settles when the last transaction nested at this depth ends: they run one after another. */
  nested: Promise<void>;
}

/** `fn` as a savepoint of the transaction `scope` stands in; `exec` runs a statement in it. */
export function savepoint<Tx extends OpenTransaction, T>(
  storage: AsyncLocalStorage<Scope<Tx>>,
  scope: Scope<Tx>,
  exec: (sql: string) => unknown,
  fn: () => Promise<T>,
): Promise<T> {
  const run = async () => {
    const name = `sp${++scope.tx.savepoints}`;
    await exec(`SAVEPOINT ${name}`);
    try {
      const inner: Scope<Tx> = { tx: scope.tx, nested: Promise.resolve() };
      const result = await storage.run(inner, fn);
      await inner.nested;
      await exec(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (e) {
      await exec(`ROLLBACK TO SAVEPOINT ${name}`);
      await exec(`RELEASE SAVEPOINT ${name}`);
      throw e;
    }
  };
  const result = scope.nested.then(run, run);
  scope.nested = result.then(
    () => undefined,
    () => undefined,
  );
  return result;
}
