import { createHash } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { AHEAD, HeldStatements, LATER, type Answer, type Held } from './held-statements';
import { mergeWrites } from './merged-writes';

/** The answer to a statement not sent yet (held), or not at all (the end of a transaction that ran nothing). */
const NOTHING: PostgresQueryResult<never> = { command: 'SELECT', rowCount: 0, rows: [] };

/** Distinct statements named per pool; IN-lists of varying length make new texts, which stay unnamed past this. */
const MAX_NAMED = 400;
/** Statements seen once, remembered until the second sighting names them; forgotten wholesale past this. */
const MAX_CANDIDATES = 2_000;

/**
 * What PostgreSQL says when a statement prepared before a schema change (a column added by a newer process's
 * migration, under a `select *`) would now return other columns. The plan cannot be reused on that connection.
 */
function isStalePlan(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === '0A000' && /cached plan must not change result type/.test(message ?? '');
}

/**
 * Names each statement Usher runs more than once, so that PostgreSQL parses and analyses it once per connection
 * instead of on every call (node-pg prepares a named statement on a connection the first time it sends it there,
 * and only binds and executes it afterwards). PostgreSQL then also keeps a generic plan for it when that plan costs
 * no more than the custom ones. Kysely's driver sends every query as an unnamed statement, parsed and planned anew.
 *
 * Names are a hash of the SQL text, so every connection and every process gives a text the same name. A statement
 * is named on its second sighting, so one-off texts (IN-lists of a new length, the migrations) never take a slot.
 * A connection on which a prepared statement went stale is closed when released, instead of being pooled again;
 * outside a transaction the failed statement is retried once, unnamed, so a single read does not fail for it.
 * With `holdStatements`, a transaction's BEGIN and its writes marked LATER go out with its next statement
 * (held-statements.ts), inserts in a row as one statement (merged-writes.ts); `named: false` sends every statement
 * unnamed, for a pooler that cannot carry them.
 */
export function withPreparedStatements(
  pool: pg.Pool,
  options: { readonly named: boolean; readonly holdStatements: boolean; readonly mergeWrites: boolean },
): PostgresPool {
  const names = new Map<string, string>();
  const candidates = new Set<string>();
  const nameOf = (sql: string): string | undefined => {
    if (!options.named) return undefined;
    const known = names.get(sql);
    if (known !== undefined || names.size >= MAX_NAMED) return known;
    if (!candidates.has(sql)) {
      if (candidates.size >= MAX_CANDIDATES) candidates.clear();
      candidates.add(sql);
      return undefined;
    }
    candidates.delete(sql);
    const name = `usher_${createHash('sha256').update(sql).digest('base64url').slice(0, 22)}`;
    names.set(sql, name);
    return name;
  };
  // Kysely keeps its connection object per client it is given: the same wrapper for the same pg client.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let stale = false;
    let inTransaction = false;
    // Once its COMMIT has gone out, PostgreSQL has ended the transaction whatever came of it (a COMMIT in a failed
    // transaction rolls it back), and one sent as a statement alone had none: the ROLLBACK Kysely sends after a
    // failed COMMIT would only earn the warning "there is no transaction in progress". A COMMIT refused before it
    // went out (a held write's failure, thrown first) leaves the transaction open, and its ROLLBACK goes.
    let ended = false;
    const combine = options.mergeWrites ? (all: Held[]) => mergeWrites(all, nameOf) : undefined;
    const held = options.holdStatements ? new HeldStatements(client, combine) : null;
    async function run<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
      if (parameters.length === 0) {
        // begin / commit / rollback and savepoints: no parameters, sent as simple queries.
        if (/^(begin|start transaction)/i.test(sql)) {
          inTransaction = true;
          ended = false;
          if (held) {
            held.begin(sql);
            return NOTHING as never;
          }
        } else if (/^commit$/i.test(sql)) {
          inTransaction = false;
          if (held && !held.commitHasWork()) return NOTHING as never;
          const alone = held?.commitAlone();
          if (alone) {
            ended = true;
            await alone;
            return NOTHING as never;
          }
          return (await sent(() => {
            ended = true;
            return client.query(sql);
          })) as never;
        } else if (/^rollback$/i.test(sql)) {
          inTransaction = false;
          if (held && !held.rollbackHasWork(false)) return NOTHING as never;
          if (ended) return NOTHING as never;
        } else if (/^rollback to /i.test(sql)) held?.rollbackHasWork(true);
        return (await sent(() => client.query(sql))) as never;
      }
      if (sql.startsWith(AHEAD)) return runAhead(sql, parameters) as never;
      const values = [...parameters];
      const name = nameOf(sql);
      if (held && inTransaction && sql.startsWith(LATER)) {
        held.later({ text: sql, values, ...(name === undefined ? {} : { name }) });
        return NOTHING as never;
      }
      if (name === undefined) return (await sent(() => client.query({ text: sql, values }))) as never;
      try {
        return (await sent(() => client.query({ name, text: sql, values }))) as never;
      } catch (error) {
        if (!isStalePlan(error)) throw error;
        stale = true;
        if (inTransaction) throw error;
        return (await client.query({ text: sql, values })) as never;
      }
    }
    /** A read sent ahead: held for the next statement in a transaction, else run now; its answer goes to its Answer. */
    async function runAhead(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<unknown>> {
      const answer = parameters.at(-1) as Answer;
      const values = parameters.slice(0, -1);
      const name = nameOf(sql);
      const statement = { text: sql, values, ...(name === undefined ? {} : { name }) };
      if (held && inTransaction) {
        held.later({ ...statement, answer });
        return NOTHING;
      }
      try {
        answer.resolve(await sent(() => client.query(statement)));
      } catch (error) {
        answer.reject(error);
      }
      return NOTHING;
    }
    /** Sends a statement, with what the transaction holds (held-statements.ts) in front of it. */
    function sent<R>(send: () => Promise<R>): Promise<R> {
      return held ? held.with(send) : send();
    }
    const wrapper: PostgresPoolClient = {
      query: ((sqlOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) =>
        typeof sqlOrCursor === 'string'
          ? run(sqlOrCursor, parameters ?? [])
          : client.query(sqlOrCursor as never)) as PostgresPoolClient['query'],
      release() {
        // `true` tells pg-pool to close the connection: its prepared statements go with it.
        if (stale) wrappers.delete(client);
        client.release(stale || undefined);
      },
    };
    return wrapper;
  };
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) wrappers.set(client, (wrapper = wrap(client)));
      return wrapper;
    },
    end: () => pool.end(),
  };
}
