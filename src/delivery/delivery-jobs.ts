import { errorMessage } from '#common/errors';
import type { Db, OutboxRow } from '#db';
import type { DeliveryResult, OutboxStatus, OutboxTopic } from './outbox';

/** The outcome a row ends in: anything but waiting or being sent. */
export type FinalStatus = Exclude<OutboxStatus, 'pending' | 'sending'>;

/** A row made ready to send by a handler's `prepare`: the send itself, and what to write once its outcome is final. */
export interface PreparedDelivery {
  send(): Promise<DeliveryResult>;
  /** Runs in the transaction that stores the final outcome (an `invitation.sent` event, say). */
  settled?(trx: Db, status: FinalStatus, result: DeliveryResult, now: Date): Promise<void>;
}

/** Delivers one topic's rows. `settled` runs in the transaction that stores a final outcome. */
export interface DeliveryHandler {
  deliver(row: OutboxRow): Promise<DeliveryResult>;
  settled?(trx: Db, row: OutboxRow, status: FinalStatus, result: DeliveryResult, now: Date): Promise<void>;
  /**
   * Readies several due rows at once, for handlers whose reads and writes batch well (email reads
   * the invitations of a batch together and mints their links in one transaction). Per row id: the
   * send to run, or the result the row already came to (skipped); rows left out go through `deliver`.
   */
  prepare?(rows: readonly OutboxRow[]): Promise<ReadonlyMap<string, PreparedDelivery | DeliveryResult>>;
}

/** One claimed row the worker is about to send: its row, the send, and what to do once settled. */
export interface DeliveryJob extends PreparedDelivery {
  readonly row: OutboxRow;
}

function resultJob(row: OutboxRow, result: DeliveryResult, settled?: PreparedDelivery['settled']): DeliveryJob {
  return { row, send: async () => result, settled };
}

function handlerSettled(handler: DeliveryHandler, row: OutboxRow): PreparedDelivery['settled'] {
  const { settled } = handler;
  return settled ? (trx, status, result, now) => settled.call(handler, trx, row, status, result, now) : undefined;
}

/**
 * Turns claimed rows into jobs, topic by topic: one `prepare` call per topic whose handler has
 * one, `deliver` for the others. A `prepare` that throws fails its rows for a retry, as a throwing
 * `deliver` does. Jobs come back in the order of `rows`.
 */
export async function prepareJobs(
  handlers: Readonly<Partial<Record<OutboxTopic, DeliveryHandler>>>,
  rows: readonly OutboxRow[],
): Promise<DeliveryJob[]> {
  const byTopic = new Map<string, OutboxRow[]>();
  for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
  const jobs = new Map<string, DeliveryJob>();
  await Promise.all(
    [...byTopic].map(async ([topic, group]) => {
      const handler = handlers[topic as OutboxTopic];
      if (!handler) {
        for (const row of group)
          jobs.set(
            row.id,
            resultJob(row, { outcome: 'failed', permanent: true, error: `no handler for topic ${topic}` }),
          );
        return;
      }
      let prepared: ReadonlyMap<string, PreparedDelivery | DeliveryResult> = new Map();
      try {
        if (handler.prepare) prepared = await handler.prepare(group);
      } catch (error) {
        for (const row of group)
          jobs.set(
            row.id,
            resultJob(row, { outcome: 'failed', error: errorMessage(error) }, handlerSettled(handler, row)),
          );
        return;
      }
      for (const row of group) {
        const ready = prepared.get(row.id);
        if (ready === undefined)
          jobs.set(row.id, { row, send: () => handler.deliver(row), settled: handlerSettled(handler, row) });
        else if ('outcome' in ready) jobs.set(row.id, resultJob(row, ready));
        else
          jobs.set(row.id, {
            row,
            send: () => ready.send(),
            settled: ready.settled && ((trx, status, result, now) => ready.settled!(trx, status, result, now)),
          });
      }
    }),
  );
  return rows.map((row) => jobs.get(row.id)!);
}

/** Runs a job's send; a send that throws is a failed attempt, not a crash. */
export async function runSend(job: DeliveryJob): Promise<DeliveryResult> {
  try {
    return await job.send();
  } catch (error) {
    return { outcome: 'failed', error: errorMessage(error) };
  }
}
