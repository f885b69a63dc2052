/**
 * Delivers `provider.withdraw` rows: takes back, at the provider, an invitation revoked after it
 * was sent (Unipile: DELETE /api/v1/users/invite/sent/{invitation_id}), or revokes the incoming
 * invitation of an identity of this server. The provider's refusal is kept as the result, final
 * for its 4xx and retried by the outbox's policy for 429, 5xx and no answer, as sends are.
 */
import type { Kysely } from 'kysely';
import type { Database, OutboxRow } from '#db';
import type { Clock } from '#common/clock';
import { AppError } from '#common/errors';
import { parseJson } from '#common/json';
import type { DeliveryHandler } from '#delivery';
import { findInvitationById, type InvitationService } from '#invitations';
import { findAccountRow } from './accounts';
import { failedDelivery } from './failed-delivery';
import { connectorFor, type ProviderServiceDeps } from './service';
import { findSend, markWithdrawn } from './sends';

/** What the withdrawer needs: it revokes a local invitation through the invitation service. */
export interface ProviderWithdrawerDeps extends Pick<ProviderServiceDeps, 'allowPrivateNetwork' | 'connector'> {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly invitations: InvitationService;
}

type Result = Awaited<ReturnType<DeliveryHandler['deliver']>>;
/** Either shape of WithdrawPayload, read from stored JSON. */
type Payload = Partial<{ sendId: string; incomingInvitationId: string; inviter: string }>;

/** The delivery handler of withdrawals. */
export function createProviderWithdrawer(deps: ProviderWithdrawerDeps): DeliveryHandler {
  const { db, clock } = deps;

  async function throughAccount(sendId: string): Promise<Result> {
    const send = await findSend(db, sendId);
    if (!send) return { outcome: 'skipped', error: 'the provider account was deleted' };
    // A worker is handing the invitation to the provider right now: withdraw once it has it.
    if (send.status === 'scheduled')
      return {
        outcome: 'failed',
        error: 'the invitation is still being sent; it is withdrawn once the provider has it',
      };
    if (send.status !== 'sent' || !send.remote_invitation_id)
      return { outcome: 'skipped', error: `nothing to withdraw: the send is ${send.status}` };
    const account = await findAccountRow(db, send.account_id);
    if (!account) return { outcome: 'skipped', error: 'the provider account was deleted' };
    const connector = connectorFor(account, deps);
    if (!connector.withdraw)
      return { outcome: 'failed', permanent: true, error: 'this provider cannot take an invitation back' };
    const result = await connector.withdraw(send.remote_invitation_id);
    if (!result.ok) return failedDelivery(result);
    await markWithdrawn(db, send.id, clock.now());
    return {
      outcome: 'sent',
      responseCode: result.status,
      response: JSON.stringify({ invitation_id: send.remote_invitation_id, withdrawn: true }),
    };
  }

  /** The invitee is on this server: its incoming invitation is revoked, as an Undo would revoke it. */
  async function locally(incomingId: string, inviter: string): Promise<Result> {
    const incoming = await findInvitationById(db, incomingId, ['tenant_id', 'direction']);
    if (!incoming || incoming.direction !== 'incoming')
      return { outcome: 'skipped', error: "the invitee's invitation is gone" };
    const { invitations } = deps;
    try {
      const revoked = await invitations.revoke(incoming.tenant_id, incomingId, { kind: 'remote', iri: inviter });
      return {
        outcome: 'sent',
        response: JSON.stringify({ incomingInvitationId: incomingId, status: revoked.status }),
      };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const { status } = await invitations.get(incoming.tenant_id, incomingId);
      // Closed without an answer: nothing is left to take back. Answered: too late, and the inviter should see so.
      if (status === 'revoked' || status === 'expired')
        return { outcome: 'skipped', error: `the invitee's invitation is already ${status}` };
      return {
        outcome: 'failed',
        permanent: true,
        error: `${error.code}: the invitee's invitation is already ${status}`,
      };
    }
  }

  return {
    async deliver(row: OutboxRow): Promise<Result> {
      const payload = parseJson<Payload>(row.payload, {});
      if (payload.incomingInvitationId && payload.inviter)
        return locally(payload.incomingInvitationId, payload.inviter);
      if (payload.sendId) return throughAccount(payload.sendId);
      return { outcome: 'skipped', error: 'nothing to withdraw' };
    },
  };
}
