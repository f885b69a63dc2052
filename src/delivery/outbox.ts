import { sql } from 'kysely';
import type { DeliveryAttemptRow, Db, Engine, OutboxRow } from '#db';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';

export type OutboxTopic = 'email.invitation' | 'email.reminder' | 'webhook' | 'didcomm.message' | 'activitypub.send' | 'provider.invite' | 'provider.withdraw';
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

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
const truncate = (text: string | null | undefined, limit = RESPONSE_LIMIT) => (text == null ? null : text.length > limit ? `${text.slice(0, limit)}…` : text);

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
  await trx.insertInto('outbox').values(rows).execute();
  return rows.map((r) => r.id);
}

/**
 * Claims up to `limit` due rows for one worker, as a lease until `now + leaseMs`: pending rows
 * whose time has come, and rows whose previous claimant's lease ran out (it died mid-send).
 * On PostgreSQL, FOR UPDATE SKIP LOCKED lets several workers claim side by side without
 * waiting on or taking each other's rows; SQLite runs one writer at a time.
 */
export async function claimDue(db: Db, engine: Engine, workerId: string, now: Date, leaseMs: number, limit: number): Promise<OutboxRow[]> {
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
    .set({ status: 'sending', claimed_by: workerId, claimed_until: leaseUntil, attempts: sql`attempts + 1`, updated_at: at })
    .where('id', 'in', engine === 'postgres' ? due.forUpdate().skipLocked() : due)
    .returningAll()
    .execute();
}

/**
 * Restarts the lease on one claimed row just before it is sent, so the lease bounds one send and
 * not the whole batch's run. False when the claim was lost meanwhile (another worker took the row
 * after the lease ran out): the caller must not send it.
 */
export async function renewClaim(db: Db, rowId: string, workerId: string, now: Date, leaseMs: number): Promise<boolean> {
  const updated = await db
    .updateTable('outbox')
    .set({ claimed_until: isoTime(new Date(now.getTime() + leaseMs)) })
    .where('id', '=', rowId)
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/**
 * Stores an attempt's result under the worker's claim. Returns false when the claim was lost
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
  const status: OutboxStatus =
    result.outcome === 'sent' ? 'sent' : result.outcome === 'skipped' ? 'skipped' : result.permanent || retryDelayMs === null ? 'failed' : 'pending';
  const updated = await trx
    .updateTable('outbox')
    .set({
      status,
      claimed_by: null,
      claimed_until: null,
      last_error: result.outcome === 'failed' ? truncate(result.error ?? result.response ?? 'failed') : null,
      next_attempt_at: status === 'pending' ? isoTime(new Date(timing.finishedAt.getTime() + (retryDelayMs ?? 0))) : row.next_attempt_at,
      done_at: status === 'pending' ? null : at,
      updated_at: at,
    })
    .where('id', '=', row.id)
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return null;
  const attempt: DeliveryAttemptRow = {
    id: newId(timing.finishedAt.getTime()),
    outbox_id: row.id,
    tenant_id: row.tenant_id,
    attempt: row.attempts,
    started_at: isoTime(timing.startedAt),
    finished_at: at,
    outcome: result.outcome,
    response_code: result.responseCode ?? null,
    response: truncate(result.response),
    error: truncate(result.error),
  };
  await trx.insertInto('delivery_attempts').values(attempt).execute();
  return { status };
}

/** Gives a stopping worker's unstarted claims back, so others need not wait for the lease. */
export async function releaseClaims(db: Db, workerId: string, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ status: 'pending', claimed_by: null, claimed_until: null, attempts: sql`attempts - 1`, updated_at: isoTime(now) })
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
export async function cancelPending(trx: Db, of: { readonly invitationId: string; readonly topic: OutboxTopic }, reason: string, now: Date): Promise<number> {
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
