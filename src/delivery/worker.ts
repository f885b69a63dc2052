import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Engine } from '#db';
import type { Clock } from '#common/clock';
import { prepareJobs, runSend, type DeliveryHandler, type DeliveryJob } from './delivery-jobs';
import { claimDue, releaseClaims, renewClaims, type OutboxTopic } from './outbox';
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

/** Deliveries in flight at once when not told otherwise: four per pooled SMTP connection, so the pool never waits on the worker. */
export const DEFAULT_CONCURRENCY = 32;

/** A send starts only while at least this share of a lease is left; below it, the claim is renewed first. */
const LEASE_LEFT_TO_SEND = 0.75;
/** A result waits for its group only while at least this share of its lease is left; below, it is written at once, well before another worker could take the row. */
const LEASE_LEFT_TO_LINGER = 0.5;
/** How often the heartbeat renews the claims of rows being sent, as a share of the lease: four beats can fail first. */
const HEARTBEAT_SHARE = 0.2;
/** How long a claim holds when not told otherwise: a crash delays the dead worker's rows by about this much. */
export const DEFAULT_LEASE_MS = 10_000;
const LOST = Number.NEGATIVE_INFINITY;
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
  const recorder = createResultRecorder({ db, clock, workerId: id, onError: options.onError, writers: engine === 'postgres' ? 3 : 1 });
  const failures = createFailureWatch({ clock, warn: options.onWarn });
  let stopping = false;
  let loop: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  // A wake that came while a poll was under way: that poll may have looked before the rows committed.
  let woken = false;
  const unstarted = new Set<string>();

  async function runOnce(): Promise<number> {
    const claimedAt = clock.now();
    const rows = await claimDue(db, engine, id, claimedAt, leaseMs, batchSize);
    if (rows.length === 0) return 0;
    // When each claim runs out, as far as this worker knows; LOST once another worker has the row.
    const leases = new Map(rows.map((row) => [row.id, claimedAt.getTime() + leaseMs]));
    for (const row of rows) unstarted.add(row.id);
    const waiting = [...rows];
    const ready: DeliveryJob[] = [];
    let preparing: Promise<void> | null = null;
    let renewing: Promise<void> | null = null;
    // Keeps about one round of sends prepared ahead, so links are minted shortly before they go out.
    const topUp = () => {
      if (preparing || waiting.length === 0 || ready.length >= concurrency) return;
      const chunk = waiting.splice(0, concurrency);
      preparing = (async () => {
        try {
          ready.push(...(await prepareJobs(handlers, chunk)));
        } catch (error) {
          // Its rows stay unstarted: they are given back below, or their lease runs out.
          options.onError?.(error);
        } finally {
          preparing = null;
        }
      })();
    };

    const nextJob = async (): Promise<DeliveryJob | null> => {
      for (;;) {
        if (stopping) return null;
        const job = ready.shift();
        if (job) {
          topUp();
          return job;
        }
        topUp();
        if (!preparing) return null;
        await preparing;
      }
    };

    // Renews the claims of `ids` in one statement; a row missing from the answer was lost to another worker.
    const renew = (ids: readonly string[]): Promise<void> =>
      (renewing ??= (async () => {
        const now = clock.now();
        const held = await renewClaims(db, ids, id, now, leaseMs);
        for (const rowId of ids) leases.set(rowId, held.has(rowId) ? now.getTime() + leaseMs : LOST);
      })().finally(() => (renewing = null)));

    // A batch can outlast its lease: before a send, the claims of the sends about to start are renewed
    // together, and a row whose claim was lost meanwhile is another worker's now, so it is not sent.
    const holds = async (job: DeliveryJob): Promise<boolean> => {
      for (;;) {
        const until = leases.get(job.row.id) ?? LOST;
        if (until - clock.now().getTime() >= leaseMs * LEASE_LEFT_TO_SEND) return true;
        if (until === LOST) return false;
        await (renewing ?? renew([job.row.id, ...ready.slice(0, concurrency - 1).map((next) => next.row.id)]));
      }
    };

    // Rows sent and not yet stored. A short lease bounds how long a crash holds rows back; the heartbeat keeps
    // it from running out under a slow send or a result waiting for its group, where another worker would send
    // the row again. Rows not yet started are left to run out: holds() renews them before their send.
    const inFlight = new Set<string>();
    const heartbeat = setInterval(() => {
      if (!renewing && inFlight.size > 0) renew([...inFlight]).catch((error: unknown) => options.onError?.(error));
    }, leaseMs * HEARTBEAT_SHARE);
    heartbeat.unref();

    /** Sends one job and hands its result to the recorder; resolves once the send is done, with the storing still to wait for. */
    const deliver = async (job: DeliveryJob): Promise<{ readonly stored: Promise<void> } | undefined> => {
      const held = await holds(job);
      unstarted.delete(job.row.id);
      if (!held) return undefined;
      inFlight.add(job.row.id);
      const startedAt = clock.now();
      const result = await runSend(job);
      const finishedAt = clock.now();
      failures.observe(job.row.topic, result);
      const policy = result.outcome === 'failed' && !result.permanent ? retryPolicy(job.row.attempts) : null;
      const retryDelayMs = policy === null ? null : Math.max(policy, result.retryAfterMs ?? 0);
      const leaseLeftMs = (leases.get(job.row.id) ?? LOST) - finishedAt.getTime();
      const promptly = leaseLeftMs < leaseMs * LEASE_LEFT_TO_LINGER;
      // Wrapped, so that this async function does not wait for the storing it hands back.
      const attempt = { row: job.row, result, timing: { startedAt, finishedAt }, retryDelayMs, settled: job.settled };
      const stored = recorder.record(attempt, { promptly });
      return { stored: stored.finally(() => inFlight.delete(job.row.id)) };
    };

    // A lane goes on to its next send while its last result waits for its group, but it does not leave two behind: before
    // a third send it waits for the first to be stored. So each lane has at most two messages sent and not yet recorded,
    // and a worker killed mid-batch causes at most 2 × concurrency copies (worker.test.ts and worker-processes.test.ts hold it).
    const lanes = Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
      let last: Promise<void> | undefined;
      for (let job = await nextJob(); job; job = await nextJob()) {
        const delivered = await deliver(job).catch((error: unknown) => void options.onError?.(error));
        await last;
        last = delivered?.stored;
      }
      await last;
    });
    try {
      await Promise.all(lanes);
    } finally {
      clearInterval(heartbeat);
    }
    await preparing; // a stop can leave one under way
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
