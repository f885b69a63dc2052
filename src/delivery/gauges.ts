/**
 * The outbox as /metrics shows it, across tenants (the endpoint shows aggregates only): what waits,
 * how long the oldest due row has waited, and the attempts recorded. Read at scrape time so every
 * process reports the same truth; rows retrying are `countRetrying` (deliveries.ts).
 */
import type { Db } from '#db';
import { WAITING_STATUSES } from './outbox';

/** Rows waiting to be delivered (pending or being sent), by topic. */
export async function countWaitingByTopic(db: Db): Promise<{ topic: string; count: number }[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['topic', (eb) => eb.fn.countAll<string>().as('count')])
    .where('status', 'in', WAITING_STATUSES)
    .groupBy('topic')
    .execute();
  return rows.map((row) => ({ topic: row.topic, count: Number(row.count) }));
}

/** By topic, when the oldest waiting row that is due as of `now` became due. */
export async function oldestDueByTopic(db: Db, now: Date): Promise<{ topic: string; oldest: string }[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['topic', (eb) => eb.fn.min('next_attempt_at').as('oldest')])
    .where('status', 'in', WAITING_STATUSES)
    .where('next_attempt_at', '<=', now.toISOString())
    .groupBy('topic')
    .execute();
  return rows.flatMap((row) => (row.oldest ? [{ topic: row.topic, oldest: String(row.oldest) }] : []));
}

/** Delivery attempts recorded, by topic and outcome (less those retention deleted). */
export async function countAttemptsByOutcome(db: Db): Promise<{ topic: string; outcome: string; count: number }[]> {
  const rows = await db
    .selectFrom('delivery_attempts')
    .innerJoin('outbox', 'outbox.id', 'delivery_attempts.outbox_id')
    .select(['outbox.topic', 'delivery_attempts.outcome', (eb) => eb.fn.countAll<string>().as('count')])
    .groupBy(['outbox.topic', 'delivery_attempts.outcome'])
    .execute();
  return rows.map((row) => ({ topic: row.topic, outcome: row.outcome, count: Number(row.count) }));
}
