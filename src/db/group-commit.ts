/**
 * SQLite with group commit: one writer connection whose transactions share COMMITs, and one
 * reader connection for statements that only read.
 *
 * Why: on SQLite a COMMIT writes every page the transaction changed to the WAL, two writes
 * and a checksum per page, and an invitation changes some 25 pages (the row, its indexes, its
 * token, number and event). That was half of SQLite's time per create and accept (bench). Under
 * load, transactions that arrive together now commit together: each runs as a SAVEPOINT inside
 * one open transaction, and the group COMMITs once no other transaction is waiting to join, or
 * after GROUP_LIMIT members. A page that several members change (the newest leaf of each index)
 * is written once. Nobody is answered before the COMMIT that holds their work: `commitTransaction`
 * resolves only then, and a failed COMMIT fails every member.
 *
 * Members still run one at a time, in arrival order, as before (SQLite has one writer): a member
 * sees the released work of the members before it, which commits with it or fails with it.
 * A member that fails rolls back to its savepoint and leaves the others untouched.
 *
 * Reads outside a transaction go to the reader connection, which sees only committed data (WAL
 * snapshots), so nothing a group has not yet committed is ever shown to anyone.
 */
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { CompiledQuery, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult } from 'kysely';
import { withStatementCache } from './statement-cache';

/** Members after which a group commits even if more are waiting, so no answer waits long. */
const GROUP_LIMIT = 64;
const MEMBER = 'usher_group_member';

type Prepared = { prepare(sql: string): Statement };

function run(connection: Prepared, query: CompiledQuery): QueryResult<unknown> {
  const statement = connection.prepare(query.sql);
  const parameters = query.parameters as unknown[];
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

const raw = (sql: string) => CompiledQuery.raw(sql);

/** The writer's state: who holds it, who waits for it, and the open group. */
class GroupWriter {
  readonly #sqlite: SqliteDatabase;
  readonly #connection: Prepared;
  #held = false;
  readonly #queue: Array<() => void> = [];
  #open = false;
  #members: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  #flushScheduled = false;

  constructor(sqlite: SqliteDatabase) {
    this.#sqlite = sqlite;
    this.#connection = withStatementCache(sqlite) as unknown as Prepared;
  }

  async lock(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#queue.push(resolve));
  }

  /** Hands the writer to the next in line, or, with nobody waiting, lets the group commit. */
  unlock(): void {
    const next = this.#members.length < GROUP_LIMIT ? this.#queue.shift() : undefined;
    if (next) return next();
    this.#held = false;
    if (this.#open) this.#scheduleFlush();
  }

  execute(query: CompiledQuery): QueryResult<unknown> {
    if (!this.#open) {
      run(this.#connection, raw('begin'));
      this.#open = true;
    }
    try {
      return run(this.#connection, query);
    } catch (error) {
      this.#failGroupIfAborted(error);
      throw error;
    }
  }

  /** Work under the writer that must commit before its caller goes on: resolves after the group's COMMIT. */
  joinGroup(): Promise<void> {
    // No group open: an error already ended it, and there is nothing left to wait for.
    if (!this.#open) return Promise.resolve();
    return new Promise((resolve, reject) => this.#members.push({ resolve, reject }));
  }

  // Next turn of the event loop: requests that have arrived by then join the group first.
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (this.#held || !this.#open) return; // whoever holds it flushes when it lets go
      if (this.#queue.length > 0 && this.#members.length < GROUP_LIMIT) return;
      this.#commit();
    });
  }

  #commit(): void {
    const members = this.#members;
    this.#members = [];
    this.#open = false;
    try {
      run(this.#connection, raw('commit'));
    } catch (error) {
      if (this.#sqlite.inTransaction) run(this.#connection, raw('rollback'));
      for (const member of members) member.reject(error);
      return;
    }
    for (const member of members) member.resolve();
  }

  // Some errors (I/O, disk full, a busy deadlock) end the whole transaction, taking released members' work with it.
  #failGroupIfAborted(error: unknown): void {
    if (this.#sqlite.inTransaction) return;
    this.#open = false;
    const members = this.#members;
    this.#members = [];
    for (const member of members) member.reject(error);
  }

  /**
   * Ends the holder's turn with `last` (its last statement) and lets the writer go, then waits for
   * the group's COMMIT, success or not: a statement or transaction refused over another member's
   * row reports it once that row is committed, as PostgreSQL does, so the caller can read it.
   */
  async finishMember<T>(last: () => T): Promise<T> {
    let result: T;
    try {
      result = last();
    } catch (error) {
      const settled = this.joinGroup().catch(() => undefined);
      this.unlock();
      await settled;
      throw error;
    }
    const committed = this.joinGroup();
    this.unlock();
    await committed;
    return result;
  }

  /** Undoes the current member's work; nothing to undo when an error already ended the whole group. */
  rollbackMember(): void {
    if (!this.#open || !this.#sqlite.inTransaction) return;
    run(this.#connection, raw(`rollback to ${MEMBER}`));
    run(this.#connection, raw(`release ${MEMBER}`));
  }

  /** Commits what is open, for a clean close. */
  close(): void {
    if (this.#open && !this.#held) this.#commit();
    (this.#connection as unknown as { close(): void }).close();
  }
}

/** One use of the store by Kysely: a single statement, or a transaction. */
class GroupConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(
    private readonly writer: GroupWriter,
    private readonly reader: Prepared,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction) return this.writer.execute(query) as QueryResult<R>;
    const statement = this.reader.prepare(query.sql);
    if (statement.readonly) return run(this.reader, query) as QueryResult<R>;
    // A write outside a transaction is a one-statement member of the group.
    await this.writer.lock();
    return this.writer.finishMember(() => this.writer.execute(query)) as Promise<QueryResult<R>>;
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

  async beginTransaction(connection: GroupConnection): Promise<void> {
    await this.writer.lock();
    try {
      this.writer.execute(raw(`savepoint ${MEMBER}`));
    } catch (error) {
      this.writer.unlock();
      throw error;
    }
    connection.inTransaction = true;
  }

  async commitTransaction(connection: GroupConnection): Promise<void> {
    connection.inTransaction = false;
    await this.writer.finishMember(() => this.writer.execute(raw(`release ${MEMBER}`)));
  }

  async rollbackTransaction(connection: GroupConnection): Promise<void> {
    connection.inTransaction = false;
    await this.writer.finishMember(() => this.writer.rollbackMember());
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

/** A Kysely dialect over a writer and a reader connection to one SQLite file (WAL), with group commit. */
export function groupCommitDialect(writer: SqliteDatabase, reader: SqliteDatabase): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new GroupCommitDriver(new GroupWriter(writer), withStatementCache(reader) as unknown as Prepared & { close(): void }),
    createIntrospector: (db: Kysely<any>) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}
