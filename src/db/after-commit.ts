import type { DatabaseConnection, Dialect, Driver, Kysely, TransactionSettings } from 'kysely';

/** Callbacks waiting for their transaction's COMMIT, by the connection the transaction runs on. */
const waiting = new WeakMap<DatabaseConnection, Array<() => void>>();

/**
 * A driver that runs `afterCommit` callbacks once the transaction's COMMIT has returned, and drops
 * them on rollback. On SQLite's group writer `commitTransaction` returns only after the group's
 * COMMIT, so a callback never runs before another connection (or process) can see the work.
 */
class AfterCommitDriver implements Driver {
  constructor(private readonly inner: Driver) {
    const { savepoint, rollbackToSavepoint, releaseSavepoint } = inner;
    if (savepoint) this.savepoint = savepoint.bind(inner);
    if (rollbackToSavepoint) this.rollbackToSavepoint = rollbackToSavepoint.bind(inner);
    if (releaseSavepoint) this.releaseSavepoint = releaseSavepoint.bind(inner);
  }

  savepoint?: Driver['savepoint'];
  rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  releaseSavepoint?: Driver['releaseSavepoint'];

  init = () => this.inner.init();
  acquireConnection = () => this.inner.acquireConnection();
  releaseConnection = (connection: DatabaseConnection) => this.inner.releaseConnection(connection);
  destroy = () => this.inner.destroy();

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    waiting.set(connection, []);
    await this.inner.beginTransaction(connection, settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const callbacks = waiting.get(connection) ?? [];
    waiting.delete(connection);
    await this.inner.commitTransaction(connection);
    for (const callback of callbacks) callback();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    waiting.delete(connection);
    await this.inner.rollbackTransaction(connection);
  }
}

/** The dialect with `afterCommit` support: openStore wraps both engines' dialects in it. */
export function withAfterCommit(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new AfterCommitDriver(dialect.createDriver()),
    createIntrospector: (db: Kysely<any>) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

/**
 * Runs `callback` once `db`'s transaction has committed (never if it rolls back), or at once when
 * `db` is not a transaction (its writes are already committed). For what must not happen before
 * others can see the work, such as waking the outbox worker. The callback must not throw.
 */
export async function afterCommit(db: Kysely<any>, callback: () => void): Promise<void> {
  if (!db.isTransaction) return callback();
  await db.getExecutor().provideConnection(async (connection) => {
    const callbacks = waiting.get(connection);
    // A transaction on a store opened without withAfterCommit: nothing will say when it commits.
    if (callbacks) callbacks.push(callback);
    else callback();
  });
}
