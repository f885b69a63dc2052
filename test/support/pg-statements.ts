import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from '#db';

/** A statement node-pg was given: its text and its values (none for a simple query). */
export interface SentStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** The statements node-pg's clients were given while `work` ran, in order, as they went to PostgreSQL. */
export async function statementsSent(work: () => Promise<unknown>): Promise<SentStatement[]> {
  const sent: SentStatement[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [first, second] = args;
    if (typeof first === 'string') sent.push({ text: first, values: Array.isArray(second) ? second : [] });
    else {
      const config = first as { text?: string; values?: unknown[] };
      sent.push({ text: String(config.text), values: config.values ?? [] });
    }
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = query;
  }
  return sent;
}

/**
 * The plan PostgreSQL keeps for `statement` once a connection has run it five times and found a generic plan no
 * worse: prepared, planned generic on the statistics of `db` now (a fresh store's tables never analyzed), explained.
 */
export async function genericPlanOf(db: Kysely<Database>, statement: SentStatement): Promise<string> {
  const literal = (value: unknown) =>
    typeof value === 'number' ? String(value) : `'${String(value).replace(/'/g, "''")}'`;
  return db.transaction().execute(async (trx) => {
    await sql.raw(`prepare usher_plan_check as ${statement.text}`).execute(trx);
    try {
      await sql.raw('set local plan_cache_mode = force_generic_plan').execute(trx);
      const explained = await sql
        .raw<{ 'QUERY PLAN': string }>(`explain execute usher_plan_check(${statement.values.map(literal).join(', ')})`)
        .execute(trx);
      return explained.rows.map((row) => row['QUERY PLAN']).join('\n');
    } finally {
      await sql.raw('deallocate usher_plan_check').execute(trx);
    }
  });
}
