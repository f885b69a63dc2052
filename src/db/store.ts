import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  sql,
  SqliteAdapter,
  SqliteDialect,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { errorMessage } from '#common/errors';
import type { Database } from './schema';
import { migrations } from './migrations/index';
import { withStatementCache } from './statement-cache';
import { groupCommitDialect } from './group-commit';
import { withAfterCommit } from './after-commit';
import { withPreparedStatements } from './prepared-statements';

/** A Kysely handle or a transaction on it: functions that write take one of these. */
export type Db = Kysely<Database> | Transaction<Database>;

/** Runs `work` in the caller's transaction, or in a new one: a change and what records it commit together. */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** Whether `db` (a store's handle or a transaction of it) is on PostgreSQL, for the few statements that differ. */
export function onPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export type Engine = 'sqlite' | 'postgres';

/** An open store: the Kysely handle, which engine it is, and how to close it. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  close(): Promise<void>;
}

/** Options for openStore. */
export interface StoreOptions {
  /**
   * Told when PostgreSQL drops a connection, idle or in use (restart, failover); the pool replaces it,
   * and a request that was using it fails as `isDatabaseUnavailable`.
   */
  readonly onConnectionError?: (error: Error) => void;
  /**
   * PostgreSQL: name repeated statements so each connection parses them once (prepared-statements.ts). On by
   * default; off behind a pooler that cannot carry named statements (USHER_POSTGRES_PREPARED_STATEMENTS=false).
   */
  readonly preparedStatements?: boolean;
  /**
   * PostgreSQL: write a transaction's BEGIN, and its writes marked LATER, with its next statement
   * (held-statements.ts). On by default; off only to measure what it saves (bench/micro/pg-store-ab.ts).
   */
  readonly holdStatements?: boolean;
  /**
   * PostgreSQL, with `holdStatements`: held inserts in a row as one statement (merged-writes.ts). On by default; off
   * only to measure what it saves (bench/micro/pg-store-ab.ts).
   */
  readonly mergeWrites?: boolean;
  /** PostgreSQL: the most connections this process opens (USHER_POSTGRES_POOL_SIZE); 10 unless said. */
  readonly poolSize?: number;
}

/** How long a request waits for a PostgreSQL connection before it fails as unavailable (503). */
const CONNECT_TIMEOUT_MS = 5_000;

/** Opens `sqlite:<path>` (WAL, created on demand) or `postgres://…`; does not migrate. */
export function openStore(databaseUrl: string, options: StoreOptions = {}): Store {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (path === ':memory:') {
      // One connection cannot be shared between a writer and a reader: no group commit.
      const dialect = withAfterCommit(new SqliteDialect({ database: withStatementCache(openSqlite(path)) }));
      const db = new Kysely<Database>({ dialect });
      return { db, engine: 'sqlite', close: () => db.destroy() };
    }
    mkdirSync(dirname(path), { recursive: true });
    const writer = openSqliteWriter(path);
    // Statistics for the planner: without them it sorted every pending invitation for `status=pending`
    // (bench). Cheap with a bounded analysis, and ANALYZE runs only on tables that need it; taken at each
    // open, so a process that runs for months keeps the statistics it started with.
    writer.pragma('analysis_limit = 1000');
    writer.pragma('optimize = 0x10002');
    const db = new Kysely<Database>({ dialect: withAfterCommit(groupCommitDialect(writer, openSqlite(path))) });
    return { db, engine: 'sqlite', close: () => db.destroy() };
  }
  // A request waits at most this long for a connection: a server that does not answer at all (a
  // network partition) becomes a 503 instead of a request that hangs; a stopped one refuses at once.
  // Pipeline mode: node-pg writes a query without waiting for the answer to the one before, which lets a
  // transaction's BEGIN and writes nobody waits for go out with its next statement (held-statements.ts).
  const holdStatements = options.holdStatements ?? true;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    pipeline: holdStatements,
  });
  // node-pg emits 'error' on a client when its server goes away, and an 'error' without a listener
  // kills the process. The pool listens only while a client is idle; a client checked out (in a
  // transaction, or between two queries of one) had none: a restart under load exited 4-7 ms after
  // the server stopped. So every client gets its own listener for its whole life; the pool's sees
  // the idle ones again, and is kept only because pg-pool re-emits on itself.
  pool.on('connect', (client) => client.on('error', (error) => options.onConnectionError?.(error)));
  pool.on('error', () => undefined);
  const wrapped = withPreparedStatements(pool, {
    named: options.preparedStatements !== false,
    holdStatements,
    mergeWrites: options.mergeWrites !== false,
  });
  const db = new Kysely<Database>({ dialect: withAfterCommit(new PostgresDialect({ pool: wrapped })) });
  return { db, engine: 'postgres', close: () => db.destroy() };
}

/** A connection with Usher's pragmas: WAL, created on demand. Exported for the bench's floor server. */
export function openSqlite(path: string): SqliteDatabase.Database {
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable in WAL mode except across power loss of the last transactions.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Temporary storage stays SQLite's default (a file, used only once its cache is full), not MEMORY:
  // in memory, the savepoint journal of a long transaction (a bulk import of 5,000 items, each under
  // its savepoint, inside the group's) grew in the process's own heap. Bench: 5,000 email invitations
  // took 27-46 s a request and the server reached 290 MB; with the default, 5-8 s and 200 MB.
  sqlite.pragma('temp_store = DEFAULT');
  return sqlite;
}

/**
 * The group writer's connection (src/db/group-commit.ts): Usher's pragmas, with temporary storage in
 * memory, where the members' savepoint journals stay instead of spilling to a new file each group.
 * Its transactions do not sort or build temporary indexes of any size; the reader's big sorts keep
 * the default. Exported for the bench's floor server.
 */
export function openSqliteWriter(path: string): SqliteDatabase.Database {
  const sqlite = openSqlite(path);
  sqlite.pragma('temp_store = MEMORY');
  return sqlite;
}

/**
 * Applies every pending migration and returns the names it applied (none when the schema was current);
 * throws with the failing migration's name. Safe to run from several processes at once: on PostgreSQL
 * Kysely's Migrator holds an advisory lock and reads what is pending only once it has it; on SQLite,
 * which Kysely does not lock, the whole run is one IMMEDIATE transaction on a connection of its own.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<readonly string[]> {
  const file = await sqliteFile(db);
  if (!file) return runMigrator(db);
  const locker = openSqlite(file);
  // A migration of a big store can hold the write lock for minutes; the next process waits for it.
  locker.pragma('busy_timeout = 600000');
  const own = new Kysely<Database>({ dialect: new SqliteDialect({ database: locker }) });
  try {
    return await own.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      try {
        const applied = await runMigrator(connection);
        await sql`commit`.execute(connection);
        return applied;
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => undefined);
        throw error;
      }
    });
  } finally {
    await own.destroy();
  }
}

/** The file of a SQLite store, or null for PostgreSQL and for a store in memory. */
async function sqliteFile(db: Kysely<Database>): Promise<string | null> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return null;
  const { rows } = await sql<{ file: string }>`select file from pragma_database_list where name = 'main'`.execute(db);
  return rows[0]?.file || null;
}

async function runMigrator(db: Kysely<Database>): Promise<readonly string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = errorMessage(error);
    // No failed migration means none ran: the database could not be reached or read at all.
    throw new Error(failed ? `migration ${failed} failed: ${reason}` : `cannot migrate the database: ${reason}`);
  }
  return (results ?? []).map((result) => result.migrationName);
}

/** True when the error is a unique-constraint violation on either engine. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
