import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';
import { migrations } from './migrations/index';
import { withStatementCache } from './statement-cache';
import { groupCommitDialect } from './group-commit';
import { withAfterCommit } from './after-commit';

export { afterCommit } from './after-commit';

export { ownGroup } from './group-commit';

export { opaqueParameters, type Parameter } from './opaque-parameters';
export { columnParams, definedColumns, insertRow, insertRows, preparedQuery, preparedShapes, type PreparedQuery } from './prepared-query';

export type { Database } from './schema';
export type * from './schema';

/** A Kysely handle or a transaction on it: functions that write take one of these. */
export type Db = Kysely<Database> | Transaction<Database>;

export type Engine = 'sqlite' | 'postgres';

/** An open store: the Kysely handle, which engine it is, and how to close it. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  close(): Promise<void>;
}

/** Options for openStore. */
export interface StoreOptions {
  /** Told when PostgreSQL drops an idle connection (restart, failover); the pool replaces it. */
  readonly onConnectionError?: (error: Error) => void;
}

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
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on('error', (error) => options.onConnectionError?.(error));
  const db = new Kysely<Database>({ dialect: withAfterCommit(new PostgresDialect({ pool })) });
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

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    // No failed migration means none ran: the database could not be reached or read at all.
    throw new Error(failed ? `migration ${failed} failed: ${reason}` : `cannot migrate the database: ${reason}`);
  }
}

/** True when the error is a unique-constraint violation on either engine. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
