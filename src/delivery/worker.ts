import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Db, Engine, OutboxRow } from '#db';
import type { Clock } from '#common/clock';
import { claimDue, recordResult, releaseClaims, renewClaim, type DeliveryResult, type OutboxStatus, type OutboxTopic } from './outbox';
import type { RetryPolicy } from './retry-policy';

/** Delivers one topic's rows. `settled` runs in the transaction that stores a final outcome. */
export interface DeliveryHandler {
  deliver(row: OutboxRow): Promise<DeliveryResult>;
  settled?(trx: Db, row: OutboxRow, status: Exclude<OutboxStatus, 'pending' | 'sending'>, result: DeliveryResult, now: Date): Promise<void>;
}

export interface OutboxWorkerOptions {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly clock: Clock;
  /** A topic without a handler fails its rows at once, saying so. */
  readonly handlers: Readonly<Partial<Record<OutboxTopic, DeliveryHandler>>>;
  readonly retryPolicy: RetryPolicy;
  readonly workerId?: string;
  /** Rows claimed at a time. 100 by default. */
  readonly batchSize?: number;
  /** Deliveries in flight at once. 20 by default. */
  readonly concurrency?: number;
  /** How long a claim holds before another worker may take the row. 60 s by default. */
  readonly leaseMs?: number;
  /** Wait between polls when nothing is due. 250 ms by default. */
  readonly pollIntervalMs?: number;
  readonly onError?: (error: unknown) => void;
}

export interface OutboxWorker {
  readonly id: string;
  /** Claims and delivers one batch; resolves with how many rows it handled. */
  runOnce(): Promise<number>;
  /** Polls until stopped. */
  start(): void;
  /** Lets deliveries in flight finish, gives unstarted claims back, then resolves. */
  stop(): Promise<void>;
  /** Polls now instead of at the next interval (after a request enqueued something). */
  wake(): void;
}

/** The outbox worker: claim due rows, deliver, record every attempt, retry by the policy. */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, engine, clock, handlers, retryPolicy } = options;
  const id = options.workerId ?? `worker-${randomBytes(6).toString('hex')}`;
  const batchSize = options.batchSize ?? 100;
  const concurrency = options.concurrency ?? 20;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  let stopping = false;
  let loop: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  const unstarted = new Set<string>();

  async function deliverOne(row: OutboxRow): Promise<void> {
    unstarted.delete(row.id);
    // A batch can outlast the lease it was claimed with; a row whose claim was lost is another worker's now.
    if (!(await renewClaim(db, row.id, id, clock.now(), leaseMs))) return;
    const handler = handlers[row.topic as OutboxTopic];
    const startedAt = clock.now();
    let result: DeliveryResult;
    try {
      result = handler ? await handler.deliver(row) : { outcome: 'failed', permanent: true, error: `no handler for topic ${row.topic}` };
    } catch (error) {
      result = { outcome: 'failed', error: error instanceof Error ? error.message : String(error) };
    }
    const finishedAt = clock.now();
    const policy = result.outcome === 'failed' && !result.permanent ? retryPolicy(row.attempts) : null;
    const delay = policy === null ? null : Math.max(policy, result.retryAfterMs ?? 0);
    await db.transaction().execute(async (trx) => {
      const stored = await recordResult(trx, row, id, result, { startedAt, finishedAt }, delay);
      if (stored && stored.status !== 'pending' && stored.status !== 'sending') {
        await handler?.settled?.(trx, row, stored.status, result, finishedAt);
      }
    });
  }

  async function runOnce(): Promise<number> {
    const rows = await claimDue(db, engine, id, clock.now(), leaseMs, batchSize);
    for (const row of rows) unstarted.add(row.id);
    let next = 0;
    const lanes = Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
      while (next < rows.length && !stopping) {
        const row = rows[next++]!;
        await deliverOne(row).catch((error: unknown) => options.onError?.(error));
      }
    });
    await Promise.all(lanes);
    if (unstarted.size > 0) {
      const ids = [...unstarted];
      unstarted.clear();
      await releaseClaims(db, id, ids, clock.now());
    }
    return rows.length;
  }

  return {
    id,
    runOnce,
    start() {
      if (loop) return;
      stopping = false;
      loop = (async () => {
        while (!stopping) {
          let handled = 0;
          try {
            handled = await runOnce();
          } catch (error) {
            options.onError?.(error);
          }
          if (handled === 0 && !stopping) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, pollIntervalMs);
              wakeUp = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wakeUp = null;
          }
        }
      })();
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await loop;
      loop = null;
    },
    wake() {
      wakeUp?.();
    },
  };
}
