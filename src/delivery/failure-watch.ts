import type { Clock } from '#common/clock';
import type { DeliveryResult } from './outbox';

/** A warning for the log: structured fields and a message, in pino's order (`log.warn(fields, message)`). */
export type DeliveryWarn = (fields: Readonly<Record<string, unknown>>, message: string) => void;

/** How often a channel that keeps failing is reported again: once a minute. */
export const FAILING_REPORT_INTERVAL_MS = 60_000;

/** Told the outcome of every attempt, it says when a topic starts failing, keeps failing, and recovers. */
export interface FailureWatch {
  observe(topic: string, result: DeliveryResult): void;
}

interface Failing {
  readonly since: Date;
  failures: number;
  unreported: number;
  lastError: string;
  reportedAt: number;
}

/**
 * Warns when a topic's attempts start failing (an SMTP server down, a webhook receiver refusing), then
 * at most once per `intervalMs` while they keep failing, with the count and the last error, and once
 * when one goes through again: an outage is a few lines in the log, not one per row per attempt. Per
 * process; /metrics shows the rows retrying across processes (usher_outbox_retrying).
 */
export function createFailureWatch(options: {
  readonly clock: Clock;
  readonly warn?: DeliveryWarn;
  readonly intervalMs?: number;
}): FailureWatch {
  const { clock, warn } = options;
  const intervalMs = options.intervalMs ?? FAILING_REPORT_INTERVAL_MS;
  const failing = new Map<string, Failing>();
  return {
    observe(topic, result) {
      if (!warn) return;
      const state = failing.get(topic);
      if (result.outcome === 'sent') {
        if (!state) return;
        failing.delete(topic);
        const fields = { topic, failures: state.failures, failingSince: state.since.toISOString() };
        warn(fields, 'delivery channel recovered');
        return;
      }
      if (result.outcome !== 'failed') return;
      const lastError = result.error ?? result.response ?? 'failed';
      const now = clock.now();
      if (!state) {
        failing.set(topic, { since: now, failures: 1, unreported: 0, lastError, reportedAt: now.getTime() });
        warn({ topic, failures: 1, lastError }, 'delivery channel failing');
        return;
      }
      state.failures += 1;
      state.unreported += 1;
      state.lastError = lastError;
      if (now.getTime() - state.reportedAt < intervalMs) return;
      const { failures, unreported: failuresSinceLastReport } = state;
      const failingSince = state.since.toISOString();
      warn({ topic, failures, failuresSinceLastReport, lastError, failingSince }, 'delivery channel still failing');
      state.reportedAt = now.getTime();
      state.unreported = 0;
    },
  };
}
