import { sql, SqliteAdapter, type Expression, type Kysely } from 'kysely';

/** A bound value as a query takes it: the value itself, or an expression that yields it. */
export type Parameter<T> = T | Expression<T>;

/**
 * Writes bound values so that SQLite's planner cannot look at them: `+?` instead of `?`. The SQLite that
 * better-sqlite3 13 bundles reads a bound value while planning a query with `column = ?` and an ORDER BY, or
 * with `LIMIT ?`, and marks the statement to be planned again whenever a new value is bound, which is at
 * every execution. Each run of a list page was then prepared anew (24 µs) and better-sqlite3 compiled a new
 * row constructor for it (12 µs): 111 µs of SQLite's time a page instead of 78 (bench/seed.ts's million rows).
 * Unary plus leaves the value and its comparison affinity as they are, and the plan is the same, since
 * Usher's statistics have no per-value samples to read. PostgreSQL plans once per statement text and would
 * not resolve `+` on a parameter of unknown type, so it gets the plain parameter.
 */
export function opaqueParameters(db: Kysely<any>): <T>(value: T) => Parameter<T> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return (value) => value;
  return <T>(value: T) => sql<T>`+${value}`;
}
