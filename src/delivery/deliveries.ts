import type { DeliveryAttemptRow, Db, OutboxRow } from '#db';
import { defineErrors, errorFactory } from '#common/errors';
import { isoTime, parseJson } from '#common/json';

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
  /** queued (waiting or being sent), sent, failed, skipped. */
  readonly state: 'queued' | 'sent' | 'failed' | 'skipped';
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

function stateOf(status: string): Delivery['state'] {
  return status === 'pending' || status === 'sending' ? 'queued' : (status as Delivery['state']);
}

function toDelivery(row: OutboxRow, attempts: readonly DeliveryAttemptRow[]): Delivery {
  const state = stateOf(row.status);
  return {
    id: row.id,
    topic: row.topic,
    state,
    invitationId: row.invitation_id,
    endpointId: row.endpoint_id,
    attempts: row.attempts,
    nextAttemptAt: state === 'queued' ? row.next_attempt_at : null,
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
    .where('outbox_id', 'in', rows.map((r) => r.id))
    .orderBy('attempt')
    .execute();
  return rows.map((row) => toDelivery(row, attempts.filter((a) => a.outbox_id === row.id)));
}

/** An invitation's or an endpoint's deliveries, newest first (the 100 most recent). */
export async function listDeliveries(db: Db, tenantId: string, of: { invitationId: string } | { endpointId: string }): Promise<Delivery[]> {
  let query = db.selectFrom('outbox').selectAll().where('tenant_id', '=', tenantId);
  query = 'invitationId' in of ? query.where('invitation_id', '=', of.invitationId) : query.where('endpoint_id', '=', of.endpointId);
  return withAttempts(db, await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(100).execute());
}

/** One delivery of the tenant; throws delivery_not_found. */
export async function getDelivery(db: Db, tenantId: string, id: string): Promise<Delivery> {
  const row = await db.selectFrom('outbox').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw deliveryError('delivery_not_found', undefined, 'path.id');
  return (await withAttempts(db, [row]))[0]!;
}

/** Puts a failed delivery back in the queue with a fresh set of attempts. */
export async function retryDelivery(db: Db, tenantId: string, id: string, now: Date): Promise<Delivery> {
  const current = await getDelivery(db, tenantId, id);
  if (current.state !== 'failed') throw deliveryError('delivery_not_failed', `this delivery is ${current.state}`, 'path.id');
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
export function deliverySummary(deliveries: readonly Delivery[]): Record<string, { state: Delivery['state']; reason: string | null; updatedAt: string }> {
  const summary: Record<string, { state: Delivery['state']; reason: string | null; updatedAt: string }> = {};
  const channels: Record<string, string> = { 'email.invitation': 'email', 'email.reminder': 'reminder', 'didcomm.message': 'didcomm', 'activitypub.send': 'activitypub', 'provider.invite': 'provider', 'provider.withdraw': 'withdrawal' };
  for (const delivery of deliveries) {
    const channel = channels[delivery.topic];
    // Newest first: the first row seen for a channel is the one that counts.
    if (channel) summary[channel] ??= { state: delivery.state, reason: delivery.state === 'failed' ? delivery.lastError : null, updatedAt: delivery.updatedAt };
  }
  return summary;
}
