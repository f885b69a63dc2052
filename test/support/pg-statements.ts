import pg from 'pg';

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
