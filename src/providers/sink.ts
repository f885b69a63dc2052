/**
 * What the provider channel owes the other side when one of its invitations is revoked, decided
 * in the revoking transaction: a send still waiting in the outbox is cancelled there, so nothing
 * goes out; one the provider has, or is being handed right now, gets a `provider.withdraw` row;
 * an invitation to an identity of this server gets one that revokes the invitee's incoming one.
 */
import type { Db, InvitationRow } from '#db';
import { parseJson } from '#common/json';
import type { OutboxPort } from '#delivery';
import type { EventSink } from '#invitations';
import { findIdentityById } from '#tenants';
import { PROVIDER_TOPIC, type AccountPayload } from './channel';
import { LOCAL_PROVIDER, type LocalPayload } from './local';
import { findSend, settleSend } from './sends';

/** The outbox topic of withdrawals. */
export const WITHDRAW_TOPIC = 'provider.withdraw' as const;

/** A `provider.withdraw` row's payload: a send through an account, or the incoming invitation of a local invitee. */
export type WithdrawPayload =
  | { readonly sendId: string }
  /** `inviter`: the inviting identity's DID, recorded as who revoked the incoming invitation. */
  | { readonly incomingInvitationId: string; readonly inviter: string };

/** The event sink of the provider channel. */
export function createProviderSink(outbox: Pick<OutboxPort, 'enqueue' | 'cancel'>): EventSink {
  async function withdrawalOf(trx: Db, invitation: InvitationRow, now: Date): Promise<WithdrawPayload | null> {
    const payload = parseJson<Partial<AccountPayload> & Partial<LocalPayload>>(invitation.payload, {});
    if (payload.provider === LOCAL_PROVIDER && payload.incomingInvitationId) {
      // identity_id is a foreign key: an invitation's identity is always there.
      const inviter = (await findIdentityById(trx, invitation.identity_id, ['did']))!;
      return { incomingInvitationId: payload.incomingInvitationId, inviter: inviter.did };
    }
    const send = payload.sendId ? await findSend(trx, payload.sendId) : null;
    // Deleted with its account, or refused, or cancelled: the provider holds nothing to take back.
    if (!send || send.status === 'failed' || send.status === 'cancelled' || send.status === 'withdrawn') return null;
    if (
      send.status === 'scheduled' &&
      (await outbox.cancel(
        trx,
        { invitationId: invitation.id, topic: PROVIDER_TOPIC },
        'revoked before it was sent',
        now,
      )) > 0
    ) {
      // Its slot goes back to the quota at once.
      await settleSend(trx, send.id, { status: 'cancelled' }, now);
      return null;
    }
    // Sent, or claimed by a worker and on its way: the withdrawal follows it.
    return { sendId: send.id };
  }

  return async (trx, invitation, events) => {
    if (invitation.channel !== 'provider' || invitation.direction !== 'outgoing') return;
    const revoked = events.find((event) => event.type === 'invitation.revoked');
    if (!revoked) return;
    const now = new Date(revoked.createdAt);
    const payload = await withdrawalOf(trx, invitation, now);
    if (!payload) return;
    await outbox.enqueue(
      trx,
      [{ tenantId: invitation.tenant_id, topic: WITHDRAW_TOPIC, invitationId: invitation.id, payload }],
      now,
    );
  };
}
