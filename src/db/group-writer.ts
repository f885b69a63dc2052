/**
 * SQLite with group commit: one writer connection whose transactions share COMMITs, and one
 * reader connection for statements that only read.
 *
 * Why: on SQLite a COMMIT writes every page the transaction changed to the WAL, two writes
 * and a checksum per page, and an invitation changes some 25 pages (the row, its indexes, its
 * token, number and event). That was half of SQLite's time per create and accept (bench). Under
 * load, transactions that arrive together now commit together: they run in one open transaction,
 * each after the first under a SAVEPOINT, and the group COMMITs at the end of a turn of the event
 * loop that brought it no new member, or once it has GROUP_LIMIT members. A page that several
 * members change (the newest leaf of each index) is written once. Nobody is answered before the
 * COMMIT that holds their work: `commitTransaction` resolves only then, and a failed COMMIT fails
 * every member.
 *
 * Members still run one at a time, in arrival order, as before (SQLite has one writer): a member
 * sees the released work of the members before it, which commits with it or fails with it.
 * A member that fails rolls back to its savepoint and leaves the others untouched. The first member
 * of a group needs no savepoint: it has nobody to leave untouched, and rolls back the whole
 * transaction instead.
 *
 * Savepoints are why the writer keeps SQLite's temporary storage in memory (`openSqliteWriter`):
 * inside a savepoint every page a member changes is first copied to the savepoint's journal, about
 * 100 KB for a create, and with temporary storage in files SQLite spills a journal of more than
 * 64 KiB to a new temporary file each transaction, some 30 system calls a member (bench: 0.94 ->
 * 0.52 ms of server CPU a create at ten connections). In memory the journal is truncated as each
 * outermost savepoint is released, so it holds one member's pages at a time. Savepoints nested in a
 * member's savepoint are the exception: a bulk import's thousands of item savepoints would pile up
 * there, so such a transaction asks for a group of its own (`ownGroup`), where its savepoints are
 * the outermost.
 *
 * Reads outside a transaction go to the reader connection, which sees only committed data (WAL
 * snapshots), so nothing a group has not yet committed is ever shown to anyone.
 */
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { CompiledQuery, type QueryResult } from 'kysely';
import { assertRoomFor } from './free-space';
import { withStatementCache } from './statement-cache';
import { isDatabaseUnavailable } from './unavailable';

/** Members after which a group commits even if more are waiting, so no answer waits long. */
const GROUP_LIMIT = 64;
const MEMBER = 'usher_group_member';

export type Prepared = { prepare(sql: string): Statement };

export function run(connection: Prepared, query: CompiledQuery): QueryResult<unknown> {
  const statement = connection.prepare(query.sql);
  const parameters = query.parameters as unknown[];
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

export const raw = (sql: string) => CompiledQuery.raw(sql);

/** The writer's state: who holds it, who waits for it, and the open group. */
export class GroupWriter {
  readonly #sqlite: SqliteDatabase;
  readonly #connection: Prepared;
  #held = false;
  readonly #queue: Array<() => void> = [];
  #open = false;
  #members: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  #flushScheduled = false;
  /** Members the group had when the last turn of the event loop ended with it open. */
  #membersAtLastTurn = 0;
  /**
   * Set when a write failed for want of the store (disk full, I/O error), cleared by `probe`'s write.
   * A `select 1` still answers then, so readiness has to write to know.
   */
  #cannotWrite = false;

  constructor(sqlite: SqliteDatabase) {
    this.#sqlite = sqlite;
    this.#connection = withStatementCache(sqlite) as unknown as Prepared;
  }

  async lock(): Promise<void> {
    // Free, nobody in line, and room in the group. A full group lets go of the writer and waits for
    // its COMMIT at the end of the turn: a newcomer queues for the next group (behind any line)
    // rather than slipping into this one past its limit.
    if (!this.#held && this.#queue.length === 0 && this.#members.length < GROUP_LIMIT) {
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
      // A rollback refused by an I/O error can leave SQLite's transaction open: end it before beginning anew.
      if (this.#sqlite.inTransaction) run(this.#connection, raw('rollback'));
      run(this.#connection, raw('begin'));
      this.#open = true;
      this.#membersAtLastTurn = 0;
    }
    try {
      return run(this.#connection, query);
    } catch (error) {
      if (isDatabaseUnavailable(error)) this.#cannotWrite = true;
      this.#failGroupIfAborted(error);
      throw error;
    }
  }

  /**
   * For readiness: throws while the store cannot write. Checks only after a write failed, in two
   * steps. A write: the user_version in the header page, set to what it is, one page in the WAL
   * committed with the group, which a read-only file or an I/O error refuses. Then room (`assertRoomFor`).
   */
  async probe(): Promise<void> {
    if (!this.#cannotWrite) return;
    await this.lock();
    await this.finishMember(() => {
      const [row] = this.execute(raw('pragma user_version')).rows as Array<{ user_version: number }>;
      this.execute(raw(`pragma user_version = ${Number(row?.user_version ?? 0)}`));
    });
    await assertRoomFor(this.#sqlite.name);
    this.#cannotWrite = false;
  }

  /** Work under the writer that must commit before its caller goes on: resolves after the group's COMMIT. */
  joinGroup(): Promise<void> {
    // No group open: an error already ended it, and there is nothing left to wait for.
    if (!this.#open) return Promise.resolve();
    return new Promise((resolve, reject) => this.#members.push({ resolve, reject }));
  }

  // At the end of a turn of the event loop (setImmediate), the group commits unless that turn
  // brought it new members: then it waits one turn more, so requests already in the sockets, whose
  // readiness the next poll reports, join it first. A lone request waits one idle turn; a saturated
  // server keeps the group open while work keeps arriving, up to GROUP_LIMIT.
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (this.#held || !this.#open) return; // whoever holds it flushes when it lets go
      const members = this.#members.length;
      if (members > this.#membersAtLastTurn && members < GROUP_LIMIT) {
        this.#membersAtLastTurn = members;
        this.#scheduleFlush();
        return;
      }
      this.#commit();
    });
  }

  // After a COMMIT, the first in line begins the next group: a full group let go of the writer
  // without handing it on, and nobody else would wake them.
  #wakeNext(): void {
    if (this.#held) return;
    const next = this.#queue.shift();
    if (!next) return;
    this.#held = true;
    next();
  }

  #commit(): void {
    const members = this.#members;
    this.#members = [];
    this.#open = false;
    try {
      run(this.#connection, raw('commit'));
    } catch (error) {
      if (isDatabaseUnavailable(error)) this.#cannotWrite = true;
      // This runs at the end of a turn, outside any caller: a rollback that throws too (an I/O
      // error) must not escape, or it would end the process and leave every member waiting.
      try {
        if (this.#sqlite.inTransaction) run(this.#connection, raw('rollback'));
      } catch {
        // The members are told the COMMIT's error below; the next group's first statement ends what is left.
      }
      for (const member of members) member.reject(error);
      this.#wakeNext();
      return;
    }
    for (const member of members) member.resolve();
    this.#wakeNext();
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

  /**
   * For the holder: begins its transaction as a member, under the member savepoint when it joins a
   * group others began; the first member begins the transaction with its first statement (execute)
   * and needs none. `ownGroup` commits the members before it first. Returns whether it took the savepoint.
   */
  beginMember(ownGroup: boolean): boolean {
    if (ownGroup && this.#open) this.#commit();
    if (!this.#open) return false;
    this.execute(raw(`savepoint ${MEMBER}`));
    return true;
  }

  /** Keeps the member's work in the group: releases its savepoint, if it took one. */
  releaseMember(savepoint: boolean): void {
    if (savepoint) this.execute(raw(`release ${MEMBER}`));
  }

  /**
   * Undoes the current member's work: back to its savepoint, or, for the group's first member, the
   * whole transaction, which holds nobody else's work. Nothing to undo when an error already ended it.
   */
  rollbackMember(savepoint: boolean): void {
    if (!this.#open || !this.#sqlite.inTransaction) return;
    if (savepoint) {
      run(this.#connection, raw(`rollback to ${MEMBER}`));
      run(this.#connection, raw(`release ${MEMBER}`));
      return;
    }
    this.#open = false;
    run(this.#connection, raw('rollback'));
  }

  /** Commits what is open, for a clean close. */
  close(): void {
    if (this.#open && !this.#held) this.#commit();
    (this.#connection as unknown as { close(): void }).close();
  }
}
