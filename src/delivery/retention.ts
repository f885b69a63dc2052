/**
 * Retention of what delivery keeps once it is done: finished outbox rows with their attempts, and
 * the local mailbox. Deleted in small batches, each its own short transaction (see `#db/batches`).
 */
import type { Kysely } from 'kysely';
import type { Database, Engine } from '#db';
import { deleteInBatches, type BatchOptions } from '#db/batches';
import { isoTime } from '#common/json';

/** Rows deleted per table by one call. */
export type DeliveryPruned = { outbox: number; delivery_attempts: number; mailbox: number };

/** Final states: nothing sends these rows again, unless someone retries a failed one by hand. */
const FINISHED = ['sent', 'failed', 'skipped'] as const;

/**
 * Deletes outbox rows that finished (sent, failed, skipped) more than `maxAgeMs` before `now`,
 * with their attempts, and mailbox messages older than that. A pending or leased row is never
 * touched. `next_attempt_at`, never later than `done_at` for a row that was tried, bounds the scan
 * to a range of the worker's own index `(status, next_attempt_at)`; a row cancelled before its
 * slot waits until its slot is as old.
 */
export async function pruneDelivered(
  db: Kysely<Database>,
  now: Date,
  maxAgeMs: number,
  options: BatchOptions & { readonly engine: Engine },
): Promise<DeliveryPruned> {
  const cutoff = isoTime(new Date(now.getTime() - maxAgeMs));
  const pruned: DeliveryPruned = { outbox: 0, delivery_attempts: 0, mailbox: 0 };
  pruned.outbox = await deleteInBatches(options, (size) =>
    db.transaction().execute(async (trx) => {
      const finished = trx
        .selectFrom('outbox')
        .select('id')
        .where('status', 'in', FINISHED)
        .where('next_attempt_at', '<', cutoff)
        .where('done_at', '<', cutoff)
        .limit(size);
      // On PostgreSQL the lock keeps a retry by hand from putting a row back in the queue meanwhile.
      const locked = options.engine === 'postgres' ? finished.forUpdate().skipLocked() : finished;
      const ids = (await locked.execute()).map((row) => row.id);
      if (ids.length === 0) return 0;
      // Attempts first: they reference their row.
      const attempts = await trx.deleteFrom('delivery_attempts').where('outbox_id', 'in', ids).executeTakeFirst();
      pruned.delivery_attempts += Number(attempts.numDeletedRows);
      return Number((await trx.deleteFrom('outbox').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
    }),
  );
  pruned.mailbox = await deleteInBatches(options, async (size) => {
    const old = db.selectFrom('mailbox').select('id').where('created_at', '<', cutoff).limit(size);
    return Number((await db.deleteFrom('mailbox').where('id', 'in', old).executeTakeFirst()).numDeletedRows);
  });
  return pruned;
}
