import type { OutboxRow } from '#db';
import { errorMessage } from '#common/errors';
import { parseJson } from '#common/json';
import { findInvitationRow, invitationUrl, linkForMessage, linkKeyOf } from '#invitations';
import { getTenant } from '#tenants';
import type { DeliveryHandler } from '../worker';
import type { CodeHandlerDeps } from './code-handler';
import { toResult } from './email-handler';
import { escapeHtml } from './html-body';
import { namedAddress } from './invitation-message';
import type { MailResult } from './mailer';

/** The payload of an `email.join_request` row: the decision, and the address the requester gave. */
export interface JoinRequestMailPayload {
  readonly decision: 'approved' | 'declined';
  readonly to: string;
  readonly reason: string | null;
}

/** The same ports as the code handler's: the mailer, the server's secret and address, no event sink. */
export type JoinRequestMailDeps = CodeHandlerDeps;

/**
 * Tells a requester what was decided. An approval carries the invitation's live link: opening it again gives the
 * seat and its acceptance token (one seat per person), so no token waits in the outbox or in a mailbox.
 */
export function createJoinRequestMailHandler(deps: JoinRequestMailDeps): DeliveryHandler {
  const host = new URL(deps.publicUrl).hostname;
  const linkKey = linkKeyOf(deps.linkSecret);
  return {
    async deliver(row: OutboxRow) {
      const payload = parseJson<JoinRequestMailPayload | null>(row.payload, null);
      const invitation = row.invitation_id ? await findInvitationRow(deps.db, row.tenant_id, row.invitation_id) : null;
      if (!payload || !invitation) return { outcome: 'skipped', error: 'the invitation no longer exists' };
      try {
        const tenant = await getTenant(deps.db, row.tenant_id);
        const place = invitation.target_type === 'tenant' ? tenant.name : (invitation.target_name ?? tenant.name);
        const token =
          payload.decision === 'approved'
            ? await deps.db
                .transaction()
                .execute((trx) => linkForMessage(trx, linkKey, invitation, 'email', deps.clock.now()))
            : null;
        const url = token ? invitationUrl(deps.publicUrl, token) : null;
        const lines =
          payload.decision === 'approved'
            ? [
                `Your request to join ${place} was approved: you're in.`,
                url ? `Open ${url} and accept again to continue.` : 'You can now continue where you asked to join.',
              ]
            : [`Your request to join ${place} was declined.`, ...(payload.reason ? [`Reason: ${payload.reason}`] : [])];
        const subject = `${payload.decision === 'approved' ? 'Approved' : 'Declined'}: your request to join ${place}`;
        const result: MailResult = await deps.mailer.send(
          {
            messageId: `<${row.id}@${host}>`,
            from: namedAddress(tenant.name, deps.fromAddress),
            to: payload.to,
            subject,
            text: `${lines.join('\n\n')}\n`,
            html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n'),
          },
          { tenantId: row.tenant_id, outboxId: row.id },
        );
        return toResult(result);
      } catch (error) {
        return { outcome: 'failed', error: errorMessage(error) };
      }
    },
  };
}
