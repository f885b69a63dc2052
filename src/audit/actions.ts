/**
 * What the audit trail records, one action per kind of privileged change. `join_request.decided` is
 * reserved for the join requests of shareable links (issue 27): their service records it when built.
 */
export const AUDIT_ACTIONS = [
  'key.created',
  'key.changed',
  'key.revoked',
  'signing_key.rotated',
  'settings.changed',
  'webhook.created',
  'webhook.changed',
  'webhook.deleted',
  'webhook.secret_rotated',
  'identity.created',
  'identity.changed',
  'provider_account.created',
  'provider_account.changed',
  'provider_account.deleted',
  'invitation.revoked',
  'invitation.edited',
  'join_request.decided',
] as const;

/** One action of the catalogue. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The one webhook event type that carries every audit entry. */
export const AUDIT_WEBHOOK_EVENT = 'audit.recorded';
