import type { Kysely } from 'kysely';
import type { Database, OutboxRow } from '#db';
import type { Clock } from '#common/clock';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';
import { getDelivery, type Delivery } from '../deliveries';
import { recordResult } from '../outbox';
import type { DeliveryHandler } from '../worker';
import { getEndpoint } from './endpoints';

/** Sends a test ping to an endpoint now, through the same signing and sending as real events. */
export interface WebhookPinger {
  ping(tenantId: string, endpointId: string): Promise<Delivery>;
}

const PINGER = 'ping';

/**
 * The ping is an outbox row claimed by no worker (claimed_by 'ping') and attempted once,
 * inline, so the caller sees the endpoint's answer and the endpoint's log shows the ping.
 */
export function createWebhookPinger(deps: {
  db: Kysely<Database>;
  clock: Clock;
  handler: DeliveryHandler;
}): WebhookPinger {
  return {
    async ping(tenantId, endpointId) {
      const endpoint = await getEndpoint(deps.db, tenantId, endpointId);
      const now = deps.clock.now();
      const row: OutboxRow = {
        id: newId(now.getTime()),
        tenant_id: tenantId,
        topic: 'webhook',
        invitation_id: null,
        endpoint_id: endpoint.id,
        payload: JSON.stringify({ type: 'webhook.ping', timestamp: isoTime(now), data: { endpointId: endpoint.id } }),
        status: 'sending',
        attempts: 1,
        next_attempt_at: isoTime(now),
        claimed_by: PINGER,
        claimed_until: isoTime(new Date(now.getTime() + 60_000)),
        last_error: null,
        created_at: isoTime(now),
        updated_at: isoTime(now),
        done_at: null,
      };
      await deps.db.insertInto('outbox').values(row).execute();
      const startedAt = deps.clock.now();
      const result = await deps.handler.deliver(row);
      await deps.db
        .transaction()
        .execute((trx) => recordResult(trx, row, PINGER, result, { startedAt, finishedAt: deps.clock.now() }, null));
      return getDelivery(deps.db, tenantId, row.id);
    },
  };
}
