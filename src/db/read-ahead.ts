import type { CompiledQuery, QueryResult } from 'kysely';
import type pg from 'pg';
import { AHEAD, type Answer } from './held-statements';
import { onPostgres, type Db } from './store';

/**
 * A handle on `trx` whose prepared queries (preparedQuery) are sent ahead: on PostgreSQL, inside a transaction, each
 * is held and written with the transaction's next statement (held-statements.ts), and its rows come once that
 * statement is answered; elsewhere it is `trx` itself. Kysely's own builders on the handle run as on `trx`.
 */
function readAhead(trx: Db): Db {
  if (!trx.isTransaction || !onPostgres(trx)) return trx;
  const executeQuery = async <R>(compiled: CompiledQuery<R>): Promise<QueryResult<R>> => {
    let answer!: Answer;
    const answered = new Promise<pg.QueryResult>((resolve, reject) => (answer = { resolve, reject }));
    await trx.executeQuery({ ...compiled, sql: AHEAD + compiled.sql, parameters: [...compiled.parameters, answer] });
    return { rows: (await answered).rows as R[] };
  };
  return new Proxy(trx, {
    get(target, property) {
      if (property === 'executeQuery') return executeQuery;
      // Kysely's methods use private fields: they must run on the transaction itself, not on this proxy.
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Starts `read` on a handle that sends its statements ahead: for what a request will need later but can ask for now,
 * so the read rides with a statement the request sends anyway instead of costing a round trip of its own (bench: a
 * round trip costs Usher and PostgreSQL some 0.2 ms of CPU together). Await the result where it is needed; a request
 * that fails before then leaves it unawaited, which is harmless (its rejection is handled here).
 */
export function startAhead<T>(trx: Db, read: (early: Db) => Promise<T>): Promise<T> {
  const started = read(readAhead(trx));
  started.catch(() => undefined);
  return started;
}
