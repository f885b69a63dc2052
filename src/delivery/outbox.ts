import { sql } from 'kysely';
import {
  insertRow,
  insertRows,
  insertRowsLater,
  type DeliveryAttemptRow,
  type Db,
  type Engine,
  type OutboxRow,
} from '#db';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';

/** The built-in topics by name, and any a registered channel delivers (`ChannelPlugin.handlers`). */
export type OutboxTopic =
  | 'email.invitation'
  | 'email.reminder'
  | 'email.code'
  | 'webhook'
  | 'didcomm.message'
  | 'activitypub.send'
  | 'provider.invite'
  | 'provider.withdraw'
  | (string & {});
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

/** A row still to be delivered: due or waiting for its time, or claimed by a worker now. */
export const WAITING_STATUSES = ['pending', 'sending'] as const satisfies readonly OutboxStatus[];

/** A row to deliver, as written by the change that causes it. */
export interface OutboxItem {
  readonly tenantId: string;
  readonly topic: OutboxTopic;
  readonly invitationId?: string | null;
  readonly endpointId?: string | null;
  readonly payload: Readonly<Record<string, unknown>>;
  /** Not before this time (reminders); now by default. */
  readonly notBefore?: Date;
}

/** What one delivery attempt came to. Failures are results, not exceptions. */
export interface DeliveryResult {
  /** sent: delivered; failed: try again by the retry policy; skipped: nothing to do any more. */
  readonly outcome: 'sent' | 'failed' | 'skipped';
  /** Failures that retrying cannot fix (a 5xx SMTP rejection of the address, say). */
  readonly permanent?: boolean;
  readonly responseCode?: number | null;
  readonly response?: string | null;
  readonly error?: string | null;
  /** The receiver asked to wait at least this long (Retry-After): the next attempt is not sooner. */
  readonly retryAfterMs?: number;
}

const RESPONSE_LIMIT = 1024;
const truncate = (text: string | null | undefined, limit = RESPONSE_LIMIT) =>
  text == null ? null : text.length > limit ? `${text.slice(0, limit)}…` : text;

/** Writes outbox rows in the caller's transaction: they commit, or vanish, with the change. */
export async function enqueue(trx: Db, items: readonly OutboxItem[], now: Date): Promise<string[]> {
  if (items.length === 0) return [];
  const at = isoTime(now);
  const rows: OutboxRow[] = items.map((item) => ({
    id: newId(now.getTime()),
    tenant_id: item.tenantId,
    topic: item.topic,
    invitation_id: item.invitationId ?? null,
    endpoint_id: item.endpointId ?? null,
    payload: JSON.stringify(item.payload),
    status: 'pending',
    attempts: 0,
    next_attempt_at: isoTime(item.notBefore ?? now),
    claimed_by: null,
    claimed_until: null,
    last_error: null,
    created_at: at,
    updated_at: at,
    done_at: null,
  }));
  // Fresh ids: the rows go with the transaction's next statement or its COMMIT.
  await insertRowsLater(trx, 'outbox', rows);
  return rows.map((r) => r.id);
}

/**
 * Claims up to `limit` due rows for one worker, as a lease until `now + leaseMs`: pending rows
 * whose time has come, and rows whose previous claimant's lease ran out (it died mid-send).
 * On PostgreSQL, FOR UPDATE SKIP LOCKED lets several workers claim side by side without
 * waiting on or taking each other's rows; SQLite runs one writer at a time.
 */
export async function claimDue(
  db: Db,
  engine: Engine,
  workerId: string,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<OutboxRow[]> {
  const at = isoTime(now);
  const leaseUntil = isoTime(new Date(now.getTime() + leaseMs));
  const due = db
    .selectFrom('outbox')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', at)]),
        eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<=', at)]),
      ]),
    )
    .orderBy('next_attempt_at')
    .limit(limit);
  return db
    .updateTable('outbox')
    .set({
      status: 'sending',
      claimed_by: workerId,
      claimed_until: leaseUntil,
      attempts: sql`attempts + 1`,
      updated_at: at,
    })
    .where('id', 'in', engine === 'postgres' ? due.forUpdate().skipLocked() : due)
    .returningAll()
    .execute();
}

/**
 * Restarts the lease on claimed rows just before they are sent, and while they are (the worker's
 * heartbeat), so a lease bounds how long a crash holds rows back and not how long a send may take.
 * Returns the ids still held: a row missing from it was lost meanwhile (another worker took it
 * after the lease ran out), and the caller must not send it.
 */
export async function renewClaims(
  db: Db,
  rowIds: readonly string[],
  workerId: string,
  now: Date,
  leaseMs: number,
): Promise<Set<string>> {
  if (rowIds.length === 0) return new Set();
  const held = await db
    .updateTable('outbox')
    .set({ claimed_until: isoTime(new Date(now.getTime() + leaseMs)) })
    .where('id', 'in', rowIds)
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'sending')
    .returning('id')
    .execute();
  return new Set(held.map((row) => row.id));
}

/** One finished attempt, as the worker hands it to recordResults. */
export interface AttemptOutcome {
  readonly row: OutboxRow;
  readonly result: DeliveryResult;
  readonly timing: { readonly startedAt: Date; readonly finishedAt: Date };
  /** When to try again after a retryable failure; null for none (the row fails). */
  readonly retryDelayMs: number | null;
}

function statusOf(result: DeliveryResult, retryDelayMs: number | null): OutboxStatus {
  return result.outcome === 'sent'
    ? 'sent'
    : result.outcome === 'skipped'
      ? 'skipped'
      : result.permanent || retryDelayMs === null
        ? 'failed'
        : 'pending';
}

function attemptRow({ row, result, timing }: AttemptOutcome): DeliveryAttemptRow {
  return {
    id: newId(timing.finishedAt.getTime()),
    outbox_id: row.id,
    tenant_id: row.tenant_id,
    attempt: row.attempts,
    started_at: isoTime(timing.startedAt),
    finished_at: isoTime(timing.finishedAt),
    outcome: result.outcome,
    response_code: result.responseCode ?? null,
    response: truncate(result.response),
    error: truncate(result.error),
  };
}

/**
 * Stores an attempt's result under the worker's claim. Returns null when the claim was lost
 * (the lease ran out and another worker took the row), in which case nothing is written.
 */
export async function recordResult(
  trx: Db,
  row: OutboxRow,
  workerId: string,
  result: DeliveryResult,
  timing: { startedAt: Date; finishedAt: Date },
  retryDelayMs: number | null,
): Promise<{ status: OutboxStatus } | null> {
  const at = isoTime(timing.finishedAt);
  const status = statusOf(result, retryDelayMs);
  const updated = await trx
    .updateTable('outbox')
    .set({
      status,
      claimed_by: null,
      claimed_until: null,
      last_error: result.outcome === 'failed' ? truncate(result.error ?? result.response ?? 'failed') : null,
      next_attempt_at:
        status === 'pending'
          ? isoTime(new Date(timing.finishedAt.getTime() + (retryDelayMs ?? 0)))
          : row.next_attempt_at,
      done_at: status === 'pending' ? null : at,
      updated_at: at,
    })
    .where('id', '=', row.id)
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return null;
  await insertRow(trx, 'delivery_attempts', attemptRow({ row, result, timing, retryDelayMs }));
  return { status };
}

/**
 * Stores the results of several attempts in the caller's transaction: the sent rows in one update
 * and one insert of their attempts (the common case, and most of a drain's writes), the others row
 * by row. Returns the status stored per row id; a row whose claim was lost is left out, unwritten.
 */
export async function recordResults(
  trx: Db,
  outcomes: readonly AttemptOutcome[],
  workerId: string,
  now: Date,
): Promise<Map<string, OutboxStatus>> {
  const stored = new Map<string, OutboxStatus>();
  const sent = outcomes.filter((o) => o.result.outcome === 'sent');
  if (sent.length > 0) {
    // done_at is when the batch was recorded, within milliseconds of each send; the attempt keeps the exact times.
    const at = isoTime(now);
    const held = await trx
      .updateTable('outbox')
      .set({ status: 'sent', claimed_by: null, claimed_until: null, last_error: null, done_at: at, updated_at: at })
      .where(
        'id',
        'in',
        sent.map((o) => o.row.id),
      )
      .where('claimed_by', '=', workerId)
      .where('status', '=', 'sending')
      .returning('id')
      .execute();
    const ids = new Set(held.map((row) => row.id));
    const attempts = sent.filter((o) => ids.has(o.row.id)).map(attemptRow);
    await insertRows(trx, 'delivery_attempts', attempts);
    for (const id of ids) stored.set(id, 'sent');
  }
  for (const outcome of outcomes) {
    if (outcome.result.outcome === 'sent') continue;
    const result = await recordResult(trx, outcome.row, workerId, outcome.result, outcome.timing, outcome.retryDelayMs);
    if (result) stored.set(outcome.row.id, result.status);
  }
  return stored;
}

/** Gives a stopping worker's unstarted claims back, so others need not wait for the lease. */
export async function releaseClaims(db: Db, workerId: string, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set({
      status: 'pending',
      claimed_by: null,
      claimed_until: null,
      attempts: sql`attempts - 1`,
      updated_at: isoTime(now),
    })
    .where('id', 'in', ids)
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'sending')
    .execute();
}

/**
 * Cancels, in the caller's transaction, what still waits for an invitation on one topic: its
 * pending rows become `skipped` with `reason`, and no worker will claim them. A row a worker has
 * already claimed is left alone (it is being sent); returns how many rows were cancelled.
 */
export async function cancelPending(
  trx: Db,
  of: { readonly invitationId: string; readonly topic: OutboxTopic },
  reason: string,
  now: Date,
): Promise<number> {
  const at = isoTime(now);
  const updated = await trx
    .updateTable('outbox')
    .set({ status: 'skipped', last_error: truncate(reason), done_at: at, updated_at: at })
    .where('invitation_id', '=', of.invitationId)
    .where('topic', '=', of.topic)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows);
}
