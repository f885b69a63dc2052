import type { Db } from '#db';
import { AUDIT_WEBHOOK_EVENT, type AuditEvent, type AuditSink } from '#audit';
import { enqueue } from './outbox';
import { findSubscribedEndpoints } from './webhooks/index';

/**
 * Sends each audit entry as an `audit.recorded` webhook to every endpoint of the tenant subscribed to it,
 * through the outbox, in the transaction that recorded the entry. `onEnqueued` is told it wrote rows.
 */
export function createAuditWebhookSink(options: { readonly onEnqueued?: (trx: Db) => Promise<void> } = {}): AuditSink {
  return async (trx: Db, tenantId: string, event: AuditEvent) => {
    const endpoints = await findSubscribedEndpoints(trx, tenantId, AUDIT_WEBHOOK_EVENT);
    if (endpoints.length === 0) return;
    const payload = { type: AUDIT_WEBHOOK_EVENT, timestamp: event.createdAt, data: { auditEvent: event } };
    const items = endpoints.map((endpoint) => ({
      tenantId,
      topic: 'webhook' as const,
      endpointId: endpoint.id,
      payload: payload as never,
    }));
    await enqueue(trx, items, new Date(event.createdAt));
    await options.onEnqueued?.(trx);
  };
}
