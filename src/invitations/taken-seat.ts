import type { Db, InvitationRow } from '#db';
import { commitAcceptance } from './commit-acceptance';
import type { TransitionContext } from './commit-transition';
import { findSeat, heldSeat } from '#memberships';
import { membershipRead, type CurrentSeat } from './accept-read';
import { effectiveStatus } from './lifecycle';
import { lifecycleState } from './record';
import { memberOf, type Redemption } from './redeem';
import type { AcceptorInput } from './public-schemas';

/**
 * One seat per person on a multi-use invitation: the membership this invitation already gave the acceptor's member
 * key, with the redemption that gave it, or null. Given back, it consumes no use and records nothing. Only while
 * the invitation is open or spent (a spent link still knows its members); a revoked or expired one refuses as
 * before. Costs one statement on a multi-use accept, two when the seat is taken; one fewer with `current`, the
 * member's membership as the accept's locked read holds it (PostgreSQL's accept by link, accept-read.ts), used when it
 * was read for this acceptor's member key.
 */
export async function findTakenSeat(
  trx: Db,
  row: InvitationRow,
  acceptor: AcceptorInput,
  now: Date,
  current?: CurrentSeat,
): Promise<Redemption | null> {
  // A single-use link that requires approval has a seat to give back too: the approved requester's.
  const approval = row.require_approval === 1;
  if (row.uses_allowed === 1 && !approval) return null;
  const status = effectiveStatus(lifecycleState(row), now);
  if (status !== 'pending' && status !== 'exhausted' && !(approval && status === 'accepted')) return null;
  const member = memberOf(row, acceptor);
  const seat = { tenantId: row.tenant_id, targetKey: row.target_key, memberKey: member.key, invitationId: row.id };
  const read = membershipRead(current, member.key);
  const membership = read === undefined ? await findSeat(trx, seat) : heldSeat(read, seat);
  if (!membership) return null;
  const redemption = await trx
    .selectFrom('redemptions')
    .select(['id', 'created_at'])
    .where('tenant_id', '=', row.tenant_id)
    .where('invitation_id', '=', row.id)
    .where('membership_id', '=', membership.id)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return redemption ? { id: redemption.id, createdAt: redemption.created_at, membership } : null;
}

/**
 * Accepts for a protocol inbox (an ActivityPub Accept, a DIDComm request) with one seat per person, as the link's
 * token does: the acceptor who already holds a seat from this multi-use invitation gets it back, consuming no use
 * and recording no event, and `within` still runs with that redemption (what the protocol answers).
 */
export async function acceptKeepingSeat<T>(
  trx: Db,
  row: InvitationRow,
  acceptor: AcceptorInput,
  context: Omit<TransitionContext, 'set' | 'data'>,
  within: (accepted: InvitationRow, redemption: Redemption) => Promise<T>,
): Promise<T> {
  const seat = await findTakenSeat(trx, row, acceptor, context.now);
  if (seat) return within(row, seat);
  return (await commitAcceptance(trx, row, acceptor, context, within)).value;
}
