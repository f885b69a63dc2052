/**
 * Delivers `provider.invite` outbox rows when their slot comes: the account's connector sends
 * the invitation with its note. An invitation revoked or expired meanwhile is skipped; a
 * provider's 4xx is final (its error type is kept), 429, 5xx and no answer are retried.
 */
import type { Kysely } from 'kysely';
import type { Database, OutboxRow } from '#db';
import type { Clock } from '#common/clock';
import { parseJson } from '#common/json';
import type { DeliveryHandler } from '#delivery';
import { findInvitationById } from '#invitations';
import { findAccountRow } from './accounts';
import { failedDelivery } from './failed-delivery';
import { connectorFor, type ProviderServiceDeps } from './service';
import { findSend, settleSend } from './sends';

/** What the sender needs. */
export interface ProviderSenderDeps extends Pick<ProviderServiceDeps, 'allowPrivateNetwork' | 'connector'> {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
}

type Result = Awaited<ReturnType<DeliveryHandler['deliver']>>;

/** The delivery handler of the provider channel. */
export function createProviderSender(deps: ProviderSenderDeps): DeliveryHandler {
  const { db, clock } = deps;
  return {
    async deliver(row: OutboxRow): Promise<Result> {
      const sendId = parseJson<{ sendId?: string }>(row.payload, {}).sendId;
      const send = sendId ? await findSend(db, sendId) : null;
      if (!send) return { outcome: 'skipped', error: 'the provider account was deleted' };
      const account = await findAccountRow(db, send.account_id);
      const invitation = await findInvitationById(db, send.invitation_id);
      if (!account || !invitation)
        return { outcome: 'skipped', error: 'the provider account or the invitation is gone' };
      const now = clock.now();
      if (invitation.status !== 'pending' || Date.parse(invitation.expires_at) <= now.getTime()) {
        return {
          outcome: 'skipped',
          error: `the invitation is ${invitation.status === 'pending' ? 'expired' : invitation.status}`,
        };
      }
      const recipient = parseJson<{ userId?: string } | null>(invitation.recipient_provider, null);
      if (!recipient?.userId) return { outcome: 'skipped', error: 'the invitation names no provider user' };
      const result = await connectorFor(account, deps).invite({
        providerId: recipient.userId,
        message: send.with_note ? invitation.message : null,
      });
      if (result.ok) {
        await settleSend(db, send.id, { status: 'sent', remoteInvitationId: result.value.invitationId }, clock.now());
        return {
          outcome: 'sent',
          responseCode: result.status,
          response: JSON.stringify({ invitation_id: result.value.invitationId, usage: result.value.usage }),
        };
      }
      return failedDelivery(result);
    },

    /** A send that will not go gives its slot back, so the quota counts only what the provider saw. */
    async settled(trx, row, status, _result, now) {
      if (status === 'sent') return;
      const sendId = parseJson<{ sendId?: string }>(row.payload, {}).sendId;
      if (sendId) await settleSend(trx, sendId, { status: status === 'failed' ? 'failed' : 'cancelled' }, now);
    },
  };
}
