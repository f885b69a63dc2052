/** The events an endpoint can subscribe to; `"*"` in a subscription means all of them. */
export const WEBHOOK_EVENT_TYPES = [
  'invitation.created',
  'invitation.sent',
  'invitation.delivery_failed',
  'invitation.accepted',
  'invitation.tentatively_accepted',
  'invitation.declined',
  'invitation.revoked',
  'invitation.expired',
  'invitation.exhausted',
  // A link that requires approval: asked, approved (with invitation.accepted), declined.
  'join_request.created',
  'join_request.approved',
  'join_request.declined',
  // Every entry of the audit trail (src/audit/): keys, settings, webhooks, identities, invitations revoked or edited.
  'audit.recorded',
] as const;

/** One event type of the catalogue. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What an endpoint subscribes to: event types, or `"*"` for the whole catalogue. */
export type WebhookEventSelector = WebhookEventType | '*';

/** True for an event type of the catalogue. */
export function isWebhookEventType(type: string): type is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * True when a subscription covers the event type. `"*"` covers the catalogue only, so events
 * outside it (internal ones) never reach endpoints that could not have named them.
 */
export function subscribesTo(events: readonly string[], type: string): boolean {
  return isWebhookEventType(type) && (events.includes('*') || events.includes(type));
}
