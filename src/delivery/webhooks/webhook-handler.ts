import type { Kysely } from 'kysely';
import type { Database, OutboxRow } from '#db';
import type { Clock } from '#common/clock';
import type { DeliveryHandler } from '../worker';
import { recordEndpointOutcome } from './endpoints';
import { postWebhook } from './http-sender';
import { webhookHeaders } from './signature';

/**
 * Delivers one webhook: signed at send time (Standard Webhooks; the outbox id is the
 * webhook-id, stable across retries so receivers can deduplicate), posted, and counted
 * against the endpoint's failure streak.
 */
export function createWebhookHandler(deps: {
  db: Kysely<Database>;
  clock: Clock;
  allowPrivateNetwork: boolean;
  timeoutMs?: number;
}): DeliveryHandler {
  return {
    async deliver(row: OutboxRow) {
      const endpoint = row.endpoint_id
        ? await deps.db
            .selectFrom('webhook_endpoints')
            .selectAll()
            .where('id', '=', row.endpoint_id)
            .where('tenant_id', '=', row.tenant_id)
            .executeTakeFirst()
        : undefined;
      if (!endpoint) return { outcome: 'skipped', response: 'the endpoint was deleted' };
      if (endpoint.status !== 'enabled') return { outcome: 'skipped', response: `the endpoint is ${endpoint.status}` };
      const body = row.payload;
      const timestamp = Math.floor(deps.clock.now().getTime() / 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'Usher-Webhooks/1',
        ...webhookHeaders(endpoint.secret, row.id, timestamp, body),
      };
      const response = await postWebhook(endpoint.url, body, headers, {
        timeoutMs: deps.timeoutMs ?? 10_000,
        allowPrivateNetwork: deps.allowPrivateNetwork,
      });
      await recordEndpointOutcome(deps.db, endpoint.id, response.ok, deps.clock.now());
      return response.ok
        ? { outcome: 'sent', responseCode: response.status, response: response.body }
        : {
            outcome: 'failed',
            responseCode: response.status,
            response: response.body,
            error: response.error ?? `HTTP ${response.status}`,
          };
    },
  };
}
