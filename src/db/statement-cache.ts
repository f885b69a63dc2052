import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** How many distinct statements are kept; queries with IN-lists of varying length make new ones. */
const MAX_STATEMENTS = 1000;

/**
 * Kysely's SQLite driver prepares every query anew, which costs as much as running it on the
 * short queries Usher makes. This keeps prepared statements by SQL text. Reuse is safe because
 * Kysely runs one query at a time per connection, and SQLite re-prepares a statement itself after
 * a schema change.
 */
export function withStatementCache(sqlite: SqliteDatabase): KyselySqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) return statement as never;
      statement = sqlite.prepare(sql);
      if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
      statements.set(sql, statement);
      return statement as never;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}
