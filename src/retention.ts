/**
 * Retention: what delivery and DIDComm keep once it is done (finished outbox rows and their
 * attempts, the mailbox, held messages) is deleted once older than the configured number of days.
 * Each capability prunes its own tables; this runs them on the sweep's beat and counts the rows.
 */
import type { Kysely } from 'kysely';
import type { Database, Engine } from '#db';
import type { BatchOptions } from '#db/batches';
import { pruneDelivered } from '#delivery';
import { pruneHeldMessages } from '#didcomm';
import type { Metrics } from '#observability';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Rows deleted per table by one run. */
export type Pruned = Readonly<Record<string, number>>;

/** What `createRetention` needs: the store and where to count what it deleted. */
export interface RetentionDeps {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly metrics: Pick<Metrics, 'countPruned'>;
}

/** Returns `pruneRetained(now, retentionDays)`; 0 days keeps everything forever. */
export function createRetention({ db, engine, metrics }: RetentionDeps) {
  return async function pruneRetained(now: Date, retentionDays: number, options: BatchOptions = {}): Promise<Pruned> {
    if (retentionDays <= 0) return {};
    const maxAgeMs = retentionDays * DAY_MS;
    const delivered = await pruneDelivered(db, now, maxAgeMs, { ...options, engine });
    metrics.countPruned(delivered);
    const held = { didcomm_held_messages: await pruneHeldMessages(db, now, maxAgeMs, options) };
    metrics.countPruned(held);
    return { ...delivered, ...held };
  };
}
