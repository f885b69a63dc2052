import type { Db, InvitationRow } from '#db';
import { commitTransitionWith, type TransitionContext } from './commit-transition';
import type { CurrentSeat } from './accept-read';
import { redeem, type Redemption } from './redeem';
import type { AcceptorInput } from './public-schemas';

/** What an acceptance stored: the invitation after it, its redemption, and what the caller's `within` returned. */
export interface Accepted<T> {
  readonly row: InvitationRow;
  readonly redemption: Redemption;
  readonly value: T;
}

/**
 * Accepts `row`, which the caller holds locked, with one redemption. `within` writes what the acceptance
 * produced (a protocol connection, its outgoing response) in the same transaction, after the redemption
 * and before the events. A refusal writes nothing. `context.seat`: the member's membership, read with the row
 * (accept-read.ts), so the grant need not ask.
 */
export async function commitAcceptance<T = undefined>(
  trx: Db,
  row: InvitationRow,
  acceptor: AcceptorInput,
  context: Omit<TransitionContext, 'set' | 'data'> & { readonly seat?: CurrentSeat },
  within?: (accepted: InvitationRow, redemption: Redemption) => Promise<T>,
): Promise<Accepted<T>> {
  const committed = await commitTransitionWith(trx, row, 'accept', context, async (accepted) => {
    const redemption = await redeem(trx, accepted, acceptor, context.now, context.seat);
    const produced = (within ? await within(accepted, redemption) : undefined) as T;
    const { membership } = redemption;
    const data = {
      redemptionId: redemption.id,
      membershipId: membership.id,
      member: membership.member.key,
      ...(membership.emailMismatch ? { acceptedEmail: membership.acceptedEmail, emailMismatch: true } : {}),
    };
    return { data, value: { redemption, produced } };
  });
  return { row: committed.row, redemption: committed.value.redemption, value: committed.value.produced };
}
