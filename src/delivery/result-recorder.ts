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
  record(attempt: RecordedAttempt): Promise<void>;
}

/**
 * Group commit for attempt results: results that finish while a write is under way go together in
 * the next one, one transaction for all (rows, attempts, events), instead of one per row. Under
 * load the groups grow by themselves; a lone result is written at once. If a group's transaction
 * fails, its results are written one by one, so one bad row cannot take the others down with it.
 */
export function createResultRecorder(options: {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly workerId: string;
  readonly onError?: (error: unknown) => void;
  /** Groups written at once: more than one only helps where the store has several connections (PostgreSQL). 1 by default. */
  readonly writers?: number;
}): ResultRecorder {
  const { db, clock, workerId } = options;
  const writers = options.writers ?? 1;
  let queue: { attempt: RecordedAttempt; done: () => void }[] = [];
  let writing = 0;

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

  async function drain(): Promise<void> {
    writing += 1;
    while (queue.length > 0) {
      // Let the replies that arrived in the same turn of the event loop join this group.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (queue.length === 0) break; // another writer took them
      const group = queue;
      queue = [];
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
    record(attempt) {
      return new Promise<void>((done) => {
        queue.push({ attempt, done });
        if (writing < writers) void drain();
      });
    },
  };
}
