import { startAhead, type ShortMemory, type Db, type InvitationRow, type WebhookEndpointRow } from '#db';
import { toInvitation, type EventSink, type InvitationEvent } from '#invitations';
import { getMembership, type Membership } from '#memberships';
import { getTenant, type TenantSettings } from '#tenants';
import { enqueue, type OutboxItem } from './outbox';
import { findSubscribedEndpoints, readEnabledEndpoints } from './webhooks/index';

/**
 * The webhook body: the event, the invitation as the API shows it, and what an acceptance produced. Never a token or
 * link.
 */
export interface WebhookPayload {
  readonly type: string;
  readonly timestamp: string;
  readonly data: {
    readonly event: Omit<InvitationEvent, 'invitationId'>;
    readonly invitation: ReturnType<typeof toInvitation>;
    readonly acceptedBy?: Membership['member'];
    readonly membership?: Membership;
  };
}

/**
 * Turns recorded invitation events into outbox rows, in the transaction that recorded them:
 * the invitation email (on create and resend of an email invitation), its reminder when the
 * tenant wants one, and a webhook delivery per subscribed endpoint. `onEnqueued` is told, in that
 * transaction, that it wrote rows.
 */
export function createDeliverySink(options: {
  readonly onEnqueued?: (trx: Db) => Promise<void>;
  readonly memory: ShortMemory;
}): EventSink {
  const { memory } = options;
  const endpointsOf = (db: Db, tenantId: string) =>
    memory.recall(`webhook-endpoints:${tenantId}`, () => readEnabledEndpoints(db, tenantId));
  // The endpoints read started ahead in a transaction (and the settings its caller had), for its next event of that
  // tenant; taken once.
  type Started = { tenantId: string; endpoints: Promise<WebhookEndpointRow[]>; settings?: TenantSettings };
  const started = new WeakMap<Db, Started>();
  const take = (trx: Db, tenantId: string) => {
    const ahead = started.get(trx);
    started.delete(trx);
    return ahead?.tenantId === tenantId ? ahead : undefined;
  };
  const sink = async (trx: Db, invitation: InvitationRow, events: readonly InvitationEvent[]) => {
    const items: OutboxItem[] = [];
    const ahead = take(trx, invitation.tenant_id);
    // Read once for all the events of the call (a transition can record two), when the first one needs it.
    let enabled = ahead?.endpoints;
    for (const event of events) {
      items.push(...(await emailItems(trx, invitation, event, ahead?.settings)));
      enabled ??= endpointsOf(trx, invitation.tenant_id);
      items.push(...(await webhookItems(trx, invitation, event, enabled)));
    }
    if (items.length === 0) return;
    await enqueue(trx, items, new Date(events[0]!.createdAt));
    await options.onEnqueued?.(trx);
  };
  return Object.assign(sink, {
    ahead: (trx: Db, tenantId: string, settings?: TenantSettings) =>
      started.set(trx, {
        tenantId,
        endpoints: startAhead(trx, (early) => endpointsOf(early, tenantId)),
        ...(settings ? { settings } : {}),
      }),
  });
}

async function emailItems(
  trx: Db,
  invitation: InvitationRow,
  event: InvitationEvent,
  known?: TenantSettings,
): Promise<OutboxItem[]> {
  const decided = event.type === 'join_request.approved' || event.type === 'join_request.declined';
  if (decided && typeof event.data.email === 'string') {
    const decision = event.type === 'join_request.approved' ? 'approved' : 'declined';
    const payload = { decision, to: event.data.email, reason: event.data.reason ?? null };
    return [{ tenantId: invitation.tenant_id, invitationId: invitation.id, topic: 'email.join_request', payload }];
  }
  const sends = event.type === 'invitation.created' || event.type === 'invitation.resent';
  // A didcomm invitation addressed to an email goes by email too (TrustTrace's flow): the link opens the accept page.
  const emailed =
    invitation.channel === 'email' || (invitation.channel === 'didcomm' && invitation.recipient_email !== null);
  if (!sends || !emailed || invitation.direction !== 'outgoing') return [];
  const base = { tenantId: invitation.tenant_id, invitationId: invitation.id } as const;
  const items: OutboxItem[] = [{ ...base, topic: 'email.invitation', payload: { kind: 'invitation' } }];
  const settings = known ?? (await getTenant(trx, invitation.tenant_id)).settings;
  if (settings.reminderBeforeExpirySeconds !== null) {
    const at = new Date(Date.parse(invitation.expires_at) - settings.reminderBeforeExpirySeconds * 1000);
    // A reminder only makes sense if it would go out after the invitation itself.
    if (at.getTime() > Date.parse(event.createdAt)) {
      items.push({
        ...base,
        topic: 'email.reminder',
        payload: { kind: 'reminder', expiresAt: invitation.expires_at },
        notBefore: at,
      });
    }
  }
  return items;
}

async function webhookItems(
  trx: Db,
  invitation: InvitationRow,
  event: InvitationEvent,
  enabled: Promise<WebhookEndpointRow[]>,
): Promise<OutboxItem[]> {
  const endpoints = await findSubscribedEndpoints(trx, invitation.tenant_id, event.type, enabled);
  if (endpoints.length === 0) return [];
  const membershipId = typeof event.data.membershipId === 'string' ? event.data.membershipId : null;
  const membership = membershipId ? await getMembership(trx, invitation.tenant_id, membershipId) : null;
  const { invitationId: _omit, ...eventView } = event;
  const payload: WebhookPayload = {
    type: event.type,
    timestamp: event.createdAt,
    data: {
      event: eventView,
      invitation: toInvitation(invitation, new Date(event.createdAt)),
      ...(membership ? { acceptedBy: membership.member, membership } : {}),
    },
  };
  return endpoints.map((endpoint) => ({
    tenantId: invitation.tenant_id,
    topic: 'webhook' as const,
    endpointId: endpoint.id,
    invitationId: invitation.id,
    payload: payload as never,
  }));
}
