import type { Kysely } from 'kysely';
import type { Database } from '#db';
import type { Clock } from '#common/clock';
import type { FinalStatus, PreparedDelivery } from './delivery-jobs';
import { recordResults, type AttemptOutcome } from './outbox';

/** A finished attempt waiting to be stored, with what its handler writes once the outcome is final. */
export interface RecordedAttempt extends AttemptOutcome {
  readonly settled?: PreparedDelivery['settled'];
}

/** Stores finished attempts; `record` resolves once the attempt is committed (or reported as an error). */
export interface ResultRecorder {
  /** `promptly` writes the attempt's group without waiting for more: its claim is running out. */
  record(attempt: RecordedAttempt, options?: { readonly promptly?: boolean }): Promise<void>;
}

/** How long the first result of a group waits for others when none asks for haste; 20 ms by default. */
export const DEFAULT_LINGER_MS = 20;
/** Results written in one transaction at most; a group this size is written without waiting. */
export const MAX_GROUP = 64;

/**
 * Group commit for attempt results: one transaction for a group (rows, attempts, events) instead of
 * one per row. A group gathers for `lingerMs` after its first result, or until it holds MAX_GROUP,
 * or until a result asks to be written promptly. Each COMMIT writes every page it touched to the WAL
 * (a SQLite COMMIT of the drain cost ~0.6 ms, most of it in syscalls): without the wait, results
 * went in groups of about six, a COMMIT for every six emails. A wait delays the bookkeeping, and a
 * send only where a lane already has two results unstored (worker.ts). If a group's transaction fails,
 * its results are written one by one, so one bad row cannot take the others down with it.
 */
export function createResultRecorder(options: {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly workerId: string;
  readonly onError?: (error: unknown) => void;
  /**
   * Groups written at once: more than one only helps where the store has several connections (PostgreSQL). 1 by
   * default.
   */
  readonly writers?: number;
  readonly lingerMs?: number;
}): ResultRecorder {
  const { db, clock, workerId } = options;
  const writers = options.writers ?? 1;
  const lingerMs = options.lingerMs ?? DEFAULT_LINGER_MS;
  const queue: { attempt: RecordedAttempt; done: () => void; promptly: boolean }[] = [];
  let writing = 0;
  // Writers waiting for their group to gather, woken early by a full group or a prompt result.
  const gathering = new Set<() => void>();

  async function write(attempts: readonly RecordedAttempt[]): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const stored = await recordResults(trx, attempts, workerId, clock.now());
      for (const attempt of attempts) {
        const status = stored.get(attempt.row.id);
        if (status && status !== 'pending' && status !== 'sending') {
          await attempt.settled?.(trx, status as FinalStatus, attempt.result, attempt.timing.finishedAt);
        }
      }
    });
  }

  // A group goes without waiting once it is full or a result in line asks for haste.
  const due = () => queue.length >= MAX_GROUP || queue.some((entry) => entry.promptly);

  function gather(): Promise<void> {
    if (due()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const go = () => {
        clearTimeout(timer);
        gathering.delete(go);
        resolve();
      };
      const timer = setTimeout(go, lingerMs);
      gathering.add(go);
    });
  }

  async function drain(): Promise<void> {
    writing += 1;
    while (queue.length > 0) {
      await gather();
      if (queue.length === 0) break; // another writer took them
      const group = queue.splice(0, MAX_GROUP);
      try {
        await write(group.map((entry) => entry.attempt));
      } catch (error) {
        if (group.length === 1) options.onError?.(error);
        else for (const entry of group) await write([entry.attempt]).catch((e: unknown) => options.onError?.(e));
      }
      for (const entry of group) entry.done();
    }
    writing -= 1;
  }

  return {
    record(attempt, { promptly = false } = {}) {
      return new Promise<void>((done) => {
        queue.push({ attempt, done, promptly });
        if (due()) for (const go of [...gathering]) go();
        if (writing < writers) void drain();
      });
    },
  };
}
