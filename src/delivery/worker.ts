import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Engine } from '#db';
import type { Clock } from '#common/clock';
import { ClaimedBatch } from './claimed-batch';
import { runSend, type DeliveryHandler, type DeliveryJob } from './delivery-jobs';
import { claimDue, type OutboxTopic } from './outbox';
import { createFailureWatch, type DeliveryWarn } from './failure-watch';
import { createResultRecorder } from './result-recorder';
import type { RetryPolicy } from './retry-policy';

export type { DeliveryHandler, FinalStatus, PreparedDelivery } from './delivery-jobs';
export type { DeliveryWarn } from './failure-watch';

export interface OutboxWorkerOptions {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly clock: Clock;
  /** A topic without a handler fails its rows at once, saying so. */
  readonly handlers: Readonly<Partial<Record<OutboxTopic, DeliveryHandler>>>;
  readonly retryPolicy: RetryPolicy;
  readonly workerId?: string;
  /** Rows claimed at a time. 400 by default. */
  readonly batchSize?: number;
  /** Deliveries in flight at once, and rows prepared together. 32 by default: four per pooled SMTP connection. */
  readonly concurrency?: number;
  /**
   * How long a claim holds before another worker may take the row: how long a crash delays what the dead
   * worker held. Claims of rows being sent are renewed every fifth of it while the send lasts. 10 s by default.
   */
  readonly leaseMs?: number;
  /** Wait between polls when nothing is due. 250 ms by default. */
  readonly pollIntervalMs?: number;
  readonly onError?: (error: unknown) => void;
  /** Told when a topic starts failing, at most once a minute while it keeps failing, and when it recovers. */
  readonly onWarn?: DeliveryWarn;
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

/**
 * Deliveries in flight at once when not told otherwise: four per pooled SMTP connection, so the pool never waits on the
 * worker.
 */
export const DEFAULT_CONCURRENCY = 32;

/**
 * A result waits for its group only while at least this share of its lease is left; below, it is written at once, well
 * before another worker could take the row.
 */
const LEASE_LEFT_TO_LINGER = 0.5;
/** How long a claim holds when not told otherwise: a crash delays the dead worker's rows by about this much. */
export const DEFAULT_LEASE_MS = 10_000;
/** The longest wait between polls while polls keep failing. */
const FAILING_POLL_MAX_MS = 5_000;

/**
 * The outbox worker: claim due rows, deliver, record every attempt, retry by the policy. A batch
 * is prepared `concurrency` rows at a time (the email handler reads and mints links for them
 * together), sent with `concurrency` sends in flight, and the results are stored by group commit.
 */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, engine, clock, handlers, retryPolicy } = options;
  const id = options.workerId ?? `worker-${randomBytes(6).toString('hex')}`;
  const batchSize = options.batchSize ?? 400;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  // PostgreSQL has a pool: a group can commit while the next one is written. SQLite has one connection.
  const recorder = createResultRecorder({
    db,
    clock,
    workerId: id,
    onError: options.onError,
    writers: engine === 'postgres' ? 3 : 1,
  });
  const failures = createFailureWatch({ clock, warn: options.onWarn });
  let stopping = false;
  let loop: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  // A wake that came while a poll was under way: that poll may have looked before the rows committed.
  let woken = false;

  async function runOnce(): Promise<number> {
    const claimedAt = clock.now();
    const rows = await claimDue(db, engine, id, claimedAt, leaseMs, batchSize);
    if (rows.length === 0) return 0;
    const batch = new ClaimedBatch(rows, claimedAt, {
      db,
      clock,
      workerId: id,
      handlers,
      leaseMs,
      concurrency,
      stopping: () => stopping,
      onError: options.onError,
    });

    /** Sends one job and hands its result to the recorder; resolves once sent, with the storing still to wait for. */
    const deliver = async (job: DeliveryJob): Promise<{ readonly stored: Promise<void> } | undefined> => {
      if (!(await batch.start(job))) return undefined;
      const startedAt = clock.now();
      const result = await runSend(job);
      const finishedAt = clock.now();
      failures.observe(job.row.topic, result);
      const policy = result.outcome === 'failed' && !result.permanent ? retryPolicy(job.row.attempts) : null;
      const retryDelayMs = policy === null ? null : Math.max(policy, result.retryAfterMs ?? 0);
      const promptly = batch.leaseLeftMs(job.row.id, finishedAt) < leaseMs * LEASE_LEFT_TO_LINGER;
      // Wrapped, so that this async function does not wait for the storing it hands back.
      const attempt = { row: job.row, result, timing: { startedAt, finishedAt }, retryDelayMs, settled: job.settled };
      return { stored: batch.storing(job.row.id, recorder.record(attempt, { promptly })) };
    };

    // A lane goes on to its next send while its last result waits for its group, but it does not leave two behind:
    // before a third send it waits for the first to be stored. So each lane has at most two messages sent and not yet
    // recorded, and a worker killed mid-batch causes at most 2 × concurrency copies (worker.test.ts and
    // worker-processes.test.ts hold it).
    const lanes = Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
      let last: Promise<void> | undefined;
      for (let job = await batch.next(); job; job = await batch.next()) {
        const delivered = await deliver(job).catch((error: unknown) => void options.onError?.(error));
        await last;
        last = delivered?.stored;
      }
      await last;
    });
    try {
      await Promise.all(lanes);
    } finally {
      batch.stopHeartbeat();
    }
    await batch.releaseUnstarted();
    return rows.length;
  }

  return {
    id,
    runOnce,
    start() {
      if (loop) return;
      stopping = false;
      loop = (async () => {
        // Polls that failed in a row (the database is down): each doubles the wait, up to
        // FAILING_POLL_MAX_MS, so failing polls log a few lines, not four a second; wake() still cuts it short.
        let failures = 0;
        while (!stopping) {
          let handled = 0;
          woken = false;
          try {
            handled = await runOnce();
            failures = 0;
          } catch (error) {
            failures += 1;
            options.onError?.(error);
          }
          if (handled === 0 && !stopping && !woken) {
            await new Promise<void>((resolve) => {
              const wait = Math.min(pollIntervalMs * 2 ** failures, Math.max(pollIntervalMs, FAILING_POLL_MAX_MS));
              const timer = setTimeout(resolve, wait);
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
      woken = true;
      wakeUp?.();
    },
  };
}
