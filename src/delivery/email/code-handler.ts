import type { Kysely } from 'kysely';
import type { Database, OutboxRow } from '#db';
import type { Clock } from '#common/clock';
import { parseJson } from '#common/json';
import { findEmailCodeMail, findInvitationRow, linkKeyOf, EMAIL_CODE_TTL_MS } from '#invitations';
import { getTenant } from '#tenants';
import type { DeliveryHandler } from '../worker';
import { codeMessage } from './code-message';
import { namedAddress } from './invitation-message';
import type { Mailer } from './mailer';

/** What the code handler needs: the email handler's ports, less the event sink (a code is no invitation event). */
export interface CodeHandlerDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly mailer: Mailer;
  readonly fromAddress: string;
  readonly linkSecret: string;
}

/**
 * Sends the one-time codes that prove an address on a link with allowed domains (topic `email.code`). The row names
 * the proof; the code is recomputed from the server secret at send time. A proof already used, replaced, expired or
 * dead sends nothing (skipped): a late code would only mislead.
 */
export function createCodeHandler(deps: CodeHandlerDeps): DeliveryHandler {
  const host = new URL(deps.publicUrl).hostname;
  const linkKey = linkKeyOf(deps.linkSecret);
  return {
    async deliver(row: OutboxRow) {
      const { proofId } = parseJson<{ proofId?: string }>(row.payload, {});
      const mail = proofId ? await findEmailCodeMail(deps.db, linkKey, row.tenant_id, proofId, deps.clock.now()) : null;
      if (!mail) return { outcome: 'skipped', response: 'the code was used, replaced or has expired' };
      const invitation = await findInvitationRow(deps.db, row.tenant_id, mail.invitationId);
      if (!invitation) return { outcome: 'skipped', error: 'the invitation no longer exists' };
      const tenant = await getTenant(deps.db, row.tenant_id);
      const message = codeMessage({
        outboxId: row.id,
        host,
        from: namedAddress(tenant.name, deps.fromAddress),
        to: mail.email,
        code: mail.code,
        tenantName: tenant.name,
        targetName: invitation.target_type === 'tenant' ? tenant.name : (invitation.target_name ?? tenant.name),
        minutes: EMAIL_CODE_TTL_MS / 60_000,
      });
      const sent = await deps.mailer.send(message, { tenantId: row.tenant_id, outboxId: row.id });
      return sent.accepted
        ? { outcome: 'sent', responseCode: sent.responseCode, response: sent.response }
        : { outcome: 'failed', permanent: sent.permanent, responseCode: sent.responseCode, error: sent.response };
    },
  };
}
