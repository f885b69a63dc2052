import type { Kysely } from 'kysely';
import type { Database, OutboxRow } from '#db';
import type { Clock } from '#common/clock';
import { parseJson } from '#common/json';
import { effectiveStatus, findInvitationRow, invitationUrl, mintInvitationToken, recordDeliveryEvent, type EventSink } from '#invitations';
import { getIdentity, getTenant } from '#tenants';
import type { DeliveryHandler } from '../worker';
import type { Mailer } from './mailer';
import { renderEmail, type TemplateKind } from './templates';

export interface EmailHandlerDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly mailer: Mailer;
  /** The From header, e.g. "Acme via Usher <no-reply@example.com>"; the tenant's name is put in front. */
  readonly fromAddress: string;
  readonly sink: EventSink;
}

/** The payload of an email outbox row: which message, and for reminders the expiry it was planned for. */
export interface EmailPayload {
  readonly kind: TemplateKind;
  readonly expiresAt?: string;
}

/**
 * Sends an invitation or reminder email. The link is minted here, at send time, so no plain
 * token waits in the outbox; a retry mints another. Nothing is sent for an invitation that is no
 * longer pending, or for a reminder planned for an expiry that has since changed.
 */
export function createEmailHandler(deps: EmailHandlerDeps): DeliveryHandler {
  const { db, clock } = deps;
  const host = new URL(deps.publicUrl).hostname;
  return {
    async deliver(row: OutboxRow) {
      const payload = parseJson<EmailPayload>(row.payload, { kind: 'invitation' });
      const invitation = row.invitation_id ? await findInvitationRow(db, row.tenant_id, row.invitation_id) : null;
      if (!invitation) return { outcome: 'skipped', error: 'the invitation no longer exists' };
      const now = clock.now();
      const status = effectiveStatus({ status: invitation.status as never, usesAllowed: invitation.uses_allowed, usesCount: invitation.uses_count, startsAt: invitation.starts_at, expiresAt: invitation.expires_at }, now);
      if (status !== 'pending') return { outcome: 'skipped', response: `the invitation is ${status}` };
      if (payload.kind === 'reminder' && payload.expiresAt !== invitation.expires_at) {
        return { outcome: 'skipped', response: 'the expiry changed since this reminder was planned' };
      }
      if (!invitation.recipient_email) return { outcome: 'failed', permanent: true, error: 'the invitation has no recipient email' };

      const [tenant, identity] = await Promise.all([getTenant(db, row.tenant_id), getIdentity(db, row.tenant_id, invitation.identity_id)]);
      const token = await mintInvitationToken(db, invitation, payload.kind === 'reminder' ? 'reminder' : 'email', now);
      const email = renderEmail(
        payload.kind,
        invitation.locale ?? tenant.settings.locale,
        {
          tenantName: tenant.name,
          brandColor: tenant.settings.branding.color,
          logoUrl: tenant.settings.branding.logoUrl,
          inviterName: identity.displayName,
          targetName: invitation.target_type === 'tenant' ? tenant.name : (invitation.target_name ?? tenant.name),
          role: invitation.role,
          rules: parseJson<string[]>(invitation.rules, []),
          message: invitation.message,
          recipientName: invitation.recipient_name,
          expiresAt: invitation.expires_at,
          acceptUrl: invitationUrl(deps.publicUrl, token),
        },
        tenant.settings.emailTemplates,
      );
      const result = await deps.mailer.send(
        {
          messageId: `<${row.id}@${host}>`,
          from: fromHeader(tenant.name, deps.fromAddress),
          to: invitation.recipient_email,
          subject: email.subject,
          text: email.text,
          html: email.html,
        },
        { tenantId: row.tenant_id, outboxId: row.id },
      );
      return result.accepted
        ? { outcome: 'sent', responseCode: result.responseCode, response: result.response }
        : { outcome: 'failed', permanent: result.permanent, responseCode: result.responseCode, response: result.response, error: result.response };
    },

    async settled(trx, row, status, result, now) {
      if (status === 'skipped' || !row.invitation_id) return;
      const invitation = await findInvitationRow(trx, row.tenant_id, row.invitation_id);
      if (!invitation) return;
      const kind = parseJson<EmailPayload>(row.payload, { kind: 'invitation' }).kind;
      const data = { channel: 'email', kind, deliveryId: row.id, ...(status === 'failed' ? { reason: result.error ?? result.response ?? 'failed' } : {}) };
      await recordDeliveryEvent(trx, invitation, status === 'sent' ? 'invitation.sent' : 'invitation.delivery_failed', data, now, deps.sink);
    },
  };
}

/** "Acme <no-reply@…>": the tenant's name as the display name, the configured address kept. */
function fromHeader(tenantName: string, fromAddress: string): string {
  const address = /<([^>]+)>/.exec(fromAddress)?.[1] ?? fromAddress;
  const name = tenantName.replace(/["\\\r\n]/g, '');
  return `"${name}" <${address}>`;
}
