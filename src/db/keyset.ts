import type { SelectQueryBuilder } from 'kysely';
import type { Parameter } from './opaque-parameters';
import { encodeCursor, type Cursor, type Page } from '#http/pagination';

export type SortDirection = 'asc' | 'desc';

/** Orders two (value, id) keys as keyset pagination does, for rows sorted here rather than in SQL: -1, 0 or 1. */
export function compareKeys(value: string, id: string, otherValue: string, otherId: string): number {
  if (value !== otherValue) return value < otherValue ? -1 : 1;
  return id < otherId ? -1 : id > otherId ? 1 : 0;
}

/**
 * Keyset pagination on (column, id): stable under inserts and as fast on page 10,000 as on
 * page 1, unlike OFFSET. Fetches one row more than asked to know whether a next page exists.
 */
export function keysetPage<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  column: string,
  direction: SortDirection,
  cursor: Cursor | null,
  limit: number,
): SelectQueryBuilder<DB, TB, O> {
  return keysetOrder(keysetFilter(query, column, direction, cursor), column, direction, limit + 1);
}

/** The order a keyset page is read in, and how many rows: `take` is one more than the page's size. */
export function keysetOrder<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  column: string,
  direction: SortDirection,
  take: Parameter<number>,
): SelectQueryBuilder<DB, TB, O> {
  const q = query as unknown as SelectQueryBuilder<any, any, any>;
  return q.orderBy(column, direction).orderBy('id', direction).limit(take) as unknown as SelectQueryBuilder<DB, TB, O>;
}

/** Only the rows after the cursor, in no particular order: for a small set the caller sorts itself. */
export function keysetFilter<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  column: string,
  direction: SortDirection,
  cursor: { readonly value: Parameter<string>; readonly id: Parameter<string> } | null,
): SelectQueryBuilder<DB, TB, O> {
  // Kysely cannot type a column chosen at run time; the callers pass only whitelisted names.
  const q = query as unknown as SelectQueryBuilder<any, any, any>;
  const op = direction === 'asc' ? '>' : '<';
  // A row value, not `column < ? OR (column = ? AND id < ?)`: neither engine turns that OR into an
  // index range, so deep pages walked every row before the cursor (bench: 24 ms at 100,000 rows in).
  return (cursor
    ? q.where((eb) => eb(eb.refTuple(column, 'id'), op, eb.tuple(cursor.value, cursor.id)))
    : q) as unknown as SelectQueryBuilder<DB, TB, O>;
}

/** Cuts the extra row off and turns the last kept row into the next cursor. */
export function toPage<Row extends { id: string }, T>(
  rows: readonly Row[],
  limit: number,
  column: keyof Row,
  map: (row: Row) => T,
): Page<T> {
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor({ value: String(last[column]), id: last.id }) : null;
  return { data: kept.map(map), nextCursor };
}
