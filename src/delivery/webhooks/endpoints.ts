import { forgetAfterCommit, inTransaction, preparedQuery, type Db, type WebhookEndpointRow } from '#db';
import { changedFields, type Audit, type AuditChange } from '#audit';
import { compareKeys } from '#db/keyset';
import { newId } from '#common/ids';
import { isoTime, parseJson } from '#common/json';
import { assertEndpointUrl, normalizeEvents } from './endpoint-input';
import { subscribesTo, type WebhookEventSelector } from './event-types';
import { webhookError } from './errors';
import { newWebhookSecret } from './signature';

/** Records a change to an endpoint, never its secret, when the caller audits (a key acting through a surface). */
const audited = (trx: Db, audit: Audit | undefined, action: AuditChange['action'], id: string, changes = {}) =>
  audit?.(trx, { action, subjectType: 'webhook_endpoint', subjectId: id, changes }) ?? Promise.resolve();

/** Consecutive failed deliveries after which an endpoint is disabled until someone re-enables it. */
export const ENDPOINT_DISABLE_AFTER_FAILURES = 20;

/** A tenant's webhook receiver, as the API shows it: never with its secret. */
export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly description: string | null;
  readonly events: WebhookEventSelector[];
  readonly status: 'enabled' | 'disabled';
  /** Failed deliveries in a row; any success resets it. */
  readonly failureStreak: number;
  readonly disabledReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** An endpoint with its signing secret: only what create and rotate return, once. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  readonly secret: string;
}

/** What createEndpoint needs. */
export interface CreateEndpointInput {
  readonly url: string;
  readonly events: readonly string[];
  readonly description?: string | null;
}

/** The fields updateEndpoint changes; `status: 'enabled'` re-enables and clears the failure streak. */
export interface UpdateEndpointInput {
  readonly url?: string;
  readonly events?: readonly string[];
  readonly description?: string | null;
  readonly status?: 'enabled';
}

/** What recordEndpointOutcome left behind; `disabledNow` is true only for the failure that disabled it. */
export interface EndpointOutcome {
  readonly endpoint: WebhookEndpoint;
  readonly disabledNow: boolean;
}

function toEndpoint(row: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: parseJson<WebhookEventSelector[]>(row.events, []),
    status: row.status === 'disabled' ? 'disabled' : 'enabled',
    failureStreak: row.failure_streak,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Registers an endpoint with a new signing secret, returned this once. The secret is stored in
 * clear, unlike API keys: HMAC signing needs the key itself, so a hash would be useless.
 */
export async function createEndpoint(
  db: Db,
  tenantId: string,
  input: CreateEndpointInput,
  now: Date,
  audit?: Audit,
): Promise<WebhookEndpointWithSecret> {
  assertEndpointUrl(input.url);
  const row: WebhookEndpointRow = {
    id: newId(now.getTime()),
    tenant_id: tenantId,
    url: input.url,
    description: input.description ?? null,
    events: JSON.stringify(normalizeEvents(input.events)),
    secret: newWebhookSecret(),
    status: 'enabled',
    failure_streak: 0,
    disabled_reason: null,
    created_at: isoTime(now),
    updated_at: isoTime(now),
  };
  await inTransaction(db, async (trx) => {
    await trx.insertInto('webhook_endpoints').values(row).execute();
    await forgetAfterCommit(trx);
    await audited(trx, audit, 'webhook.created', row.id, { url: input.url, events: normalizeEvents(input.events) });
  });
  return { ...toEndpoint(row), secret: row.secret };
}

/** Every endpoint of the tenant, oldest first. Tenants have a handful, so there are no pages. */
export async function listEndpoints(db: Db, tenantId: string): Promise<WebhookEndpoint[]> {
  const rows = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toEndpoint);
}

/** One endpoint of the tenant, or null. */
export async function findEndpoint(db: Db, tenantId: string, id: string): Promise<WebhookEndpoint | null> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toEndpoint(row) : null;
}

/** One endpoint of the tenant; throws webhook_endpoint_not_found naming `field`. */
export async function getEndpoint(db: Db, tenantId: string, id: string, field = 'path.id'): Promise<WebhookEndpoint> {
  const endpoint = await findEndpoint(db, tenantId, id);
  if (!endpoint) throw webhookError('webhook_endpoint_not_found', `no webhook endpoint ${id} in this tenant`, field);
  return endpoint;
}

/** Changes the given fields; `status: 'enabled'` also resets the failure streak and the disabled reason. */
export async function updateEndpoint(
  db: Db,
  tenantId: string,
  id: string,
  patch: UpdateEndpointInput,
  now: Date,
  audit?: Audit,
): Promise<WebhookEndpoint> {
  return inTransaction(db, (trx) => applyEndpointPatch(trx, tenantId, id, patch, now, audit));
}

async function applyEndpointPatch(
  db: Db,
  tenantId: string,
  id: string,
  patch: UpdateEndpointInput,
  now: Date,
  audit?: Audit,
): Promise<WebhookEndpoint> {
  const before = await getEndpoint(db, tenantId, id);
  if (patch.url !== undefined) assertEndpointUrl(patch.url);
  const events = patch.events !== undefined ? normalizeEvents(patch.events) : undefined;
  await db
    .updateTable('webhook_endpoints')
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(events !== undefined ? { events: JSON.stringify(events) } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      // Only a re-enable touches the counters: the worker may be updating them right now.
      ...(patch.status === 'enabled' ? { status: 'enabled', failure_streak: 0, disabled_reason: null } : {}),
      updated_at: isoTime(now),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
  await forgetAfterCommit(db);
  const after = await getEndpoint(db, tenantId, id);
  const fields = ['url', 'events', 'description', 'status'] as const;
  const pick = (endpoint: WebhookEndpoint) => Object.fromEntries(fields.map((field) => [field, endpoint[field]]));
  const changes = changedFields(pick(before), pick(after));
  // A patch that changes nothing (re-enabling an enabled endpoint) leaves no entry, as for settings.
  if (Object.keys(changes).length > 0) await audited(db, audit, 'webhook.changed', id, changes);
  return after;
}

/** Deletes an endpoint. Deliveries still queued for it are skipped by the worker when their turn comes. */
export async function deleteEndpoint(db: Db, tenantId: string, id: string, audit?: Audit): Promise<void> {
  await inTransaction(db, async (trx) => {
    const result = await trx
      .deleteFrom('webhook_endpoints')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n)
      throw webhookError('webhook_endpoint_not_found', `no webhook endpoint ${id} in this tenant`, 'path.id');
    await forgetAfterCommit(trx);
    await audited(trx, audit, 'webhook.deleted', id);
  });
}

/**
 * Replaces the signing secret and returns the new one, this once. The old secret stops at
 * once: deliveries are signed when sent, so queued ones go out under the new secret.
 */
export async function rotateEndpointSecret(
  db: Db,
  tenantId: string,
  id: string,
  now: Date,
  audit?: Audit,
): Promise<WebhookEndpointWithSecret> {
  const secret = newWebhookSecret();
  return inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('webhook_endpoints')
      .set({ secret, updated_at: isoTime(now) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw webhookError('webhook_endpoint_not_found', `no webhook endpoint ${id} in this tenant`, 'path.id');
    await forgetAfterCommit(trx);
    await audited(trx, audit, 'webhook.secret_rotated', id, { secret: 'changed' });
    return { ...toEndpoint(row), secret };
  });
}

const enabledEndpoints = preparedQuery((db, p: { tenantId: string }) =>
  db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', p.tenantId).where('status', '=', 'enabled'),
);

/** The tenant's enabled endpoints, as stored: what findSubscribedEndpoints filters. */
export const readEnabledEndpoints = (db: Db, tenantId: string): Promise<WebhookEndpointRow[]> =>
  enabledEndpoints.execute(db, { tenantId });

/**
 * The tenant's enabled endpoints subscribed to the event type (by name or by `"*"`). `enabled` is the read of the
 * tenant's enabled endpoints when the caller started it already (readEnabledEndpoints).
 */
export async function findSubscribedEndpoints(
  db: Db,
  tenantId: string,
  eventType: string,
  enabled: Promise<readonly WebhookEndpointRow[]> = readEnabledEndpoints(db, tenantId),
): Promise<WebhookEndpoint[]> {
  const rows = [...(await enabled)];
  // Ordered here rather than by ORDER BY, which costs SQLite a re-plan per call on every event (see
  // "Statement shapes" in docs/architecture.md); a tenant has a handful of endpoints.
  rows.sort((a, b) => compareKeys(a.created_at, a.id, b.created_at, b.id));
  // Event lists are short JSON arrays; matching them here keeps the query the same on both engines.
  return rows.map(toEndpoint).filter((endpoint) => subscribesTo(endpoint.events, eventType));
}

/**
 * Counts one delivery: a success resets the failure streak, a failure extends it and the
 * ENDPOINT_DISABLE_AFTER_FAILURES-th in a row disables the endpoint. One UPDATE, so concurrent
 * deliveries count correctly. Null when the endpoint is gone.
 */
export async function recordEndpointOutcome(
  db: Db,
  endpointId: string,
  ok: boolean,
  now: Date,
): Promise<EndpointOutcome | null> {
  const limit = ENDPOINT_DISABLE_AFTER_FAILURES;
  const reason = `disabled at ${isoTime(now)} after ${limit} consecutive failed deliveries`;
  const row = await db
    .updateTable('webhook_endpoints')
    .set((eb) => {
      if (ok) return { failure_streak: 0 };
      // SET expressions read the row as it was, so `failure_streak >= limit - 1` means "this failure reaches the
      // limit".
      const disabling = eb.and([eb('failure_streak', '>=', limit - 1), eb('status', '=', 'enabled')]);
      return {
        failure_streak: eb('failure_streak', '+', 1),
        status: eb.case().when(disabling).then('disabled').else(eb.ref('status')).end(),
        disabled_reason: eb.case().when(disabling).then(reason).else(eb.ref('disabled_reason')).end(),
        updated_at: eb.case().when(disabling).then(isoTime(now)).else(eb.ref('updated_at')).end(),
      };
    })
    .where('id', '=', endpointId)
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;
  const disabledNow = !ok && row.status === 'disabled' && row.failure_streak === limit;
  // Only a disabling changes what the sink reads (enabled endpoints): a streak's count is not remembered anywhere.
  if (disabledNow) await forgetAfterCommit(db);
  return { endpoint: toEndpoint(row), disabledNow };
}
