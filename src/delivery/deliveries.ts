import type { DeliveryAttemptRow, Db, OutboxRow } from '#db';
import type { DeliveryChannelState } from '#invitations';
import { defineErrors, errorFactory } from '#common/errors';
import { isoTime, parseJson } from '#common/json';
import { WAITING_STATUSES } from './outbox';

export const deliveryErrors = defineErrors({
  delivery_not_found: { status: 404, title: 'No such delivery' },
  delivery_not_failed: { status: 409, title: 'Only a failed delivery can be retried by hand' },
});
const deliveryError = errorFactory(deliveryErrors);

/** One attempt as the API shows it. */
export interface DeliveryAttempt {
  readonly attempt: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly outcome: string;
  readonly responseCode: number | null;
  readonly response: string | null;
  readonly error: string | null;
}

/** A delivery (an outbox row) with its attempts; its payload is shown only for webhooks, which hold no secret. */
export interface Delivery {
  readonly id: string;
  readonly topic: string;
  /** queued (waiting or being sent), retrying (an attempt failed, another is due), sent, failed, skipped. */
  readonly state: 'queued' | 'retrying' | 'sent' | 'failed' | 'skipped';
  readonly invitationId: string | null;
  readonly endpointId: string | null;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly payload: unknown;
  readonly log: DeliveryAttempt[];
}

/**
 * A waiting row is retrying once an attempt has failed: the failure is kept in `last_error` until a
 * result clears it. A failed delivery retried by hand starts again at 0 attempts, queued.
 */
function stateOf(row: OutboxRow): Delivery['state'] {
  if (!(WAITING_STATUSES as readonly string[]).includes(row.status)) return row.status as Delivery['state'];
  return row.last_error !== null && row.attempts > 0 ? 'retrying' : 'queued';
}

/** Rows retrying now, by topic, the same rule as stateOf: for /metrics, across tenants. */
export async function countRetrying(db: Db): Promise<Array<{ readonly topic: string; readonly count: number }>> {
  const rows = await db
    .selectFrom('outbox')
    .select(['topic', (eb) => eb.fn.countAll<string>().as('count')])
    .where('status', 'in', [...WAITING_STATUSES])
    .where('last_error', 'is not', null)
    .where('attempts', '>', 0)
    .groupBy('topic')
    .execute();
  return rows.map((row) => ({ topic: row.topic, count: Number(row.count) }));
}

function toDelivery(row: OutboxRow, attempts: readonly DeliveryAttemptRow[]): Delivery {
  const state = stateOf(row);
  return {
    id: row.id,
    topic: row.topic,
    state,
    invitationId: row.invitation_id,
    endpointId: row.endpoint_id,
    attempts: row.attempts,
    nextAttemptAt: state === 'queued' || state === 'retrying' ? row.next_attempt_at : null,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    payload: row.topic === 'webhook' ? parseJson(row.payload, null) : null,
    log: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: a.started_at,
      finishedAt: a.finished_at,
      outcome: a.outcome,
      responseCode: a.response_code,
      response: a.response,
      error: a.error,
    })),
  };
}

async function withAttempts(db: Db, rows: readonly OutboxRow[]): Promise<Delivery[]> {
  if (rows.length === 0) return [];
  const attempts = await db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where(
      'outbox_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('attempt')
    .execute();
  return rows.map((row) =>
    toDelivery(
      row,
      attempts.filter((a) => a.outbox_id === row.id),
    ),
  );
}

/** An invitation's or an endpoint's deliveries, newest first (the 100 most recent). */
export async function listDeliveries(
  db: Db,
  tenantId: string,
  of: { invitationId: string } | { endpointId: string },
): Promise<Delivery[]> {
  let query = db.selectFrom('outbox').selectAll().where('tenant_id', '=', tenantId);
  query =
    'invitationId' in of
      ? query.where('invitation_id', '=', of.invitationId)
      : query.where('endpoint_id', '=', of.endpointId);
  return withAttempts(db, await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(100).execute());
}

/** One delivery of the tenant; throws delivery_not_found. */
export async function getDelivery(db: Db, tenantId: string, id: string): Promise<Delivery> {
  const row = await db
    .selectFrom('outbox')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw deliveryError('delivery_not_found', undefined, 'path.id');
  return (await withAttempts(db, [row]))[0]!;
}

/** Puts a failed delivery back in the queue with a fresh set of attempts. */
export async function retryDelivery(db: Db, tenantId: string, id: string, now: Date): Promise<Delivery> {
  const current = await getDelivery(db, tenantId, id);
  if (current.state !== 'failed')
    throw deliveryError('delivery_not_failed', `this delivery is ${current.state}`, 'path.id');
  await db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: 0, next_attempt_at: isoTime(now), done_at: null, updated_at: isoTime(now) })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .execute();
  return getDelivery(db, tenantId, id);
}

/** Per channel, where the latest message of an invitation stands: what the console and API show. */
export function deliverySummary(deliveries: readonly Delivery[]): Record<string, DeliveryChannelState> {
  const summary: Record<string, DeliveryChannelState> = {};
  const channels: Record<string, string> = {
    'email.invitation': 'email',
    'email.reminder': 'reminder',
    'didcomm.message': 'didcomm',
    'activitypub.send': 'activitypub',
    'provider.invite': 'provider',
    'provider.withdraw': 'withdrawal',
  };
  for (const delivery of deliveries) {
    const channel = channels[delivery.topic];
    // Newest first: the first row seen for a channel is the one that counts.
    if (channel) {
      const { state, attempts, nextAttemptAt, updatedAt } = delivery;
      const reason = state === 'failed' || state === 'retrying' ? delivery.lastError : null;
      summary[channel] ??= { state, reason, attempts, nextAttemptAt, updatedAt };
    }
  }
  return summary;
}
