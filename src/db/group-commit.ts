/**
 * The Kysely side of SQLite's group commit (group-writer.ts has the why and the writer): a connection
 * per use, the driver that turns Kysely's transactions into group members, and the dialect.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import {
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { GroupWriter, raw, run, type Prepared } from './group-writer';
import { withStatementCache } from './statement-cache';

/** One use of the store by Kysely: a single statement, or a transaction. */
class GroupConnection implements DatabaseConnection {
  inTransaction = false;
  /** Whether its transaction runs under the member savepoint (it joined a group others had begun). */
  underSavepoint = false;
  constructor(
    private readonly writer: GroupWriter,
    private readonly reader: Prepared,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction) return this.writer.execute(query) as QueryResult<R>;
    if (this.#readsOnly(query.sql)) return run(this.reader, query) as QueryResult<R>;
    // A write outside a transaction is a one-statement member of the group.
    await this.writer.lock();
    return this.writer.finishMember(() => this.writer.execute(query)) as Promise<QueryResult<R>>;
  }

  // Whether the reader can run it. The reader prepares against the schema it last read, which a
  // migration's DDL on the writer can leave a statement behind: CREATE INDEX of a name just dropped
  // failed there as "already exists". What the reader cannot prepare is the writer's to run or refuse.
  #readsOnly(sql: string): boolean {
    try {
      return this.reader.prepare(sql).readonly;
    } catch {
      return false;
    }
  }

  /** The reader answers, and the writer can write if a write had failed for want of the store. */
  async probe(): Promise<void> {
    run(this.reader, raw('select 1'));
    await this.writer.probe();
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used by Usher');
  }
}

class GroupCommitDriver implements Driver {
  constructor(
    private readonly writer: GroupWriter,
    private readonly reader: Prepared & { close(): void },
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GroupConnection(this.writer, this.reader);
  }

  async beginTransaction(connection: GroupConnection, settings: TransactionSettings): Promise<void> {
    await this.writer.lock();
    try {
      connection.underSavepoint = this.writer.beginMember(settings.isolationLevel === OWN_GROUP);
    } catch (error) {
      this.writer.unlock();
      throw error;
    }
    connection.inTransaction = true;
  }

  async commitTransaction(connection: GroupConnection): Promise<void> {
    connection.inTransaction = false;
    await this.writer.finishMember(() => this.writer.releaseMember(connection.underSavepoint));
  }

  async rollbackTransaction(connection: GroupConnection): Promise<void> {
    connection.inTransaction = false;
    await this.writer.finishMember(() => this.writer.rollbackMember(connection.underSavepoint));
  }

  async savepoint(connection: GroupConnection, name: string): Promise<void> {
    await connection.executeQuery(raw(`savepoint "${name}"`));
  }

  async rollbackToSavepoint(connection: GroupConnection, name: string): Promise<void> {
    await connection.executeQuery(raw(`rollback to "${name}"`));
  }

  async releaseSavepoint(connection: GroupConnection, name: string): Promise<void> {
    await connection.executeQuery(raw(`release "${name}"`));
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    this.writer.close();
    this.reader.close();
  }
}

/**
 * The isolation level that asks the group writer for a group of its own: the members before it are
 * committed first, and it runs without the member savepoint. SQLite has no isolation levels to
 * choose from (its one writer makes every transaction serializable), so the setting is free to
 * carry this; `ownGroup` sets it on SQLite only.
 */
const OWN_GROUP = 'serializable';

/**
 * A transaction whose own savepoints are the outermost: on SQLite's group writer it begins a group
 * of its own; elsewhere it is an ordinary transaction. For a transaction that opens savepoints by
 * the thousand (a bulk import): under a member savepoint their journal would grow with each.
 */
export function ownGroup<DB>(db: Kysely<DB>) {
  const onSqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  return onSqlite ? db.transaction().setIsolationLevel(OWN_GROUP) : db.transaction();
}

/** A Kysely dialect over a writer and a reader connection to one SQLite file (WAL), with group commit. */
export function groupCommitDialect(writer: SqliteDatabase, reader: SqliteDatabase): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () =>
      new GroupCommitDriver(
        new GroupWriter(writer),
        withStatementCache(reader) as unknown as Prepared & { close(): void },
      ),
    createIntrospector: (db: Kysely<any>) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}

/**
 * Readiness on a connection of the group dialect: the reader answers, and, after a write failed
 * for want of the store, the writer can write again (`GroupWriter.probe`). False for any other
 * connection, which the caller checks its own way.
 */
export async function probeGroupConnection(connection: DatabaseConnection): Promise<boolean> {
  if (!(connection instanceof GroupConnection)) return false;
  await connection.probe();
  return true;
}
