import type { Kysely } from 'kysely';
import type { Database, OutboxRow } from '#db';
import type { Clock } from '#common/clock';
import { prepareJobs, type DeliveryHandler, type DeliveryJob } from './delivery-jobs';
import { releaseClaims, renewClaims, type OutboxTopic } from './outbox';

/** A send starts only while at least this share of a lease is left; below it, the claim is renewed first. */
const LEASE_LEFT_TO_SEND = 0.75;
/** How often the heartbeat renews the claims of rows being sent, as a share of the lease: four beats can fail first. */
const HEARTBEAT_SHARE = 0.2;
/** The lease of a row another worker has taken: it never holds. */
const LOST = Number.NEGATIVE_INFINITY;

/** What a claimed batch needs from its worker. */
export interface ClaimedBatchOptions {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly workerId: string;
  readonly handlers: Readonly<Partial<Record<OutboxTopic, DeliveryHandler>>>;
  readonly leaseMs: number;
  /** Sends in flight at once: also how many rows are prepared together, and renewed together before a send. */
  readonly concurrency: number;
  /** Whether the worker is stopping: no job is handed out once it is. */
  readonly stopping: () => boolean;
  readonly onError?: (error: unknown) => void;
}

/**
 * The rows one poll claimed, from their claim until the claims of rows never started are given back.
 * It prepares jobs about one round of sends ahead, so links are minted shortly before they go out;
 * renews claims before a send and, by a heartbeat, while a result waits to be stored; and knows
 * which rows were lost to another worker meanwhile, which must not be sent.
 */
export class ClaimedBatch {
  readonly #options: ClaimedBatchOptions;
  /** When each claim runs out, as far as this worker knows; LOST once another worker has the row. */
  readonly #leases: Map<string, number>;
  /** Rows not prepared yet, in claim order. */
  readonly #waiting: OutboxRow[];
  /** Jobs prepared and not handed out yet. */
  readonly #ready: DeliveryJob[] = [];
  /** Claimed and not started: given back at the end, unless their lease is left to run out. */
  readonly #unstarted: Set<string>;
  /**
   * Rows sent and not yet stored. A short lease bounds how long a crash holds rows back; the heartbeat keeps
   * it from running out under a slow send or a result waiting for its group, where another worker would send
   * the row again. Rows not yet started are left to run out: `start` renews them before their send.
   */
  readonly #inFlight = new Set<string>();
  #preparing: Promise<void> | null = null;
  #renewing: Promise<void> | null = null;
  readonly #heartbeat: NodeJS.Timeout;

  /** Takes over `rows`, claimed at `claimedAt`, and starts the heartbeat: `stopHeartbeat` must follow. */
  constructor(rows: readonly OutboxRow[], claimedAt: Date, options: ClaimedBatchOptions) {
    this.#options = options;
    this.#leases = new Map(rows.map((row) => [row.id, claimedAt.getTime() + options.leaseMs]));
    this.#waiting = [...rows];
    this.#unstarted = new Set(rows.map((row) => row.id));
    this.#heartbeat = setInterval(() => {
      if (this.#renewing || this.#inFlight.size === 0) return;
      this.#renew([...this.#inFlight]).catch((error: unknown) => options.onError?.(error));
    }, options.leaseMs * HEARTBEAT_SHARE);
    this.#heartbeat.unref();
  }

  /** The next job to send, or null once none is left or the worker is stopping. */
  async next(): Promise<DeliveryJob | null> {
    for (;;) {
      if (this.#options.stopping()) return null;
      const job = this.#ready.shift();
      this.#topUp();
      if (job) return job;
      if (!this.#preparing) return null;
      await this.#preparing;
    }
  }

  /**
   * Takes `job` out of the unstarted rows and says whether it may be sent: a batch can outlast its lease,
   * so a claim running low is renewed first, together with those of the sends about to follow, and a row
   * whose claim was lost meanwhile is another worker's now. A job that may be sent is in flight from here.
   */
  async start(job: DeliveryJob): Promise<boolean> {
    const held = await this.#holds(job);
    this.#unstarted.delete(job.row.id);
    if (held) this.#inFlight.add(job.row.id);
    return held;
  }

  /** How much of the row's claim is left at `at`, as far as this worker knows (-Infinity once lost). */
  leaseLeftMs(rowId: string, at: Date): number {
    return (this.#leases.get(rowId) ?? LOST) - at.getTime();
  }

  /** Keeps the row's claim renewed until `stored` settles; resolves or rejects as it does. */
  storing(rowId: string, stored: Promise<void>): Promise<void> {
    return stored.finally(() => this.#inFlight.delete(rowId));
  }

  /** Stops renewing the claims of rows in flight: once every send of the batch is done, or has failed. */
  stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
  }

  /** Waits for a preparation still under way (a stop can leave one), then gives back the claims never started. */
  async releaseUnstarted(): Promise<void> {
    await this.#preparing;
    if (this.#unstarted.size === 0) return;
    const ids = [...this.#unstarted];
    this.#unstarted.clear();
    const { db, workerId, clock } = this.#options;
    await releaseClaims(db, workerId, ids, clock.now());
  }

  // Keeps about one round of sends prepared ahead, so links are minted shortly before they go out.
  #topUp(): void {
    const { concurrency, handlers, onError } = this.#options;
    if (this.#preparing || this.#waiting.length === 0 || this.#ready.length >= concurrency) return;
    const chunk = this.#waiting.splice(0, concurrency);
    this.#preparing = (async () => {
      try {
        this.#ready.push(...(await prepareJobs(handlers, chunk)));
      } catch (error) {
        // Its rows stay unstarted: they are given back at the end, or their lease runs out.
        onError?.(error);
      } finally {
        this.#preparing = null;
      }
    })();
  }

  async #holds(job: DeliveryJob): Promise<boolean> {
    const { clock, leaseMs, concurrency } = this.#options;
    for (;;) {
      const until = this.#leases.get(job.row.id) ?? LOST;
      if (until - clock.now().getTime() >= leaseMs * LEASE_LEFT_TO_SEND) return true;
      if (until === LOST) return false;
      const next = this.#ready.slice(0, concurrency - 1).map((queued) => queued.row.id);
      await (this.#renewing ?? this.#renew([job.row.id, ...next]));
    }
  }

  // Renews the claims of `ids` in one statement; a row missing from the answer was lost to another worker.
  #renew(ids: readonly string[]): Promise<void> {
    const { db, workerId, clock, leaseMs } = this.#options;
    this.#renewing ??= (async () => {
      const now = clock.now();
      const held = await renewClaims(db, ids, workerId, now, leaseMs);
      for (const rowId of ids) this.#leases.set(rowId, held.has(rowId) ? now.getTime() + leaseMs : LOST);
    })().finally(() => (this.#renewing = null));
    return this.#renewing;
  }
}
