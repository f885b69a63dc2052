import type { Db, InvitationRow } from '#db';
import { findSeat } from '#memberships';
import { effectiveStatus } from './lifecycle';
import { lifecycleState } from './record';
import { memberOf, type Redemption } from './redeem';
import type { AcceptorInput } from './schemas';

/**
 * One seat per person on a multi-use invitation: the membership this invitation already gave the acceptor's member
 * key, with the redemption that gave it, or null. Given back, it consumes no use and records nothing. Only while
 * the invitation is open or spent (a spent link still knows its members); a revoked or expired one refuses as
 * before. Costs one statement on a multi-use accept, two when the seat is taken.
 */
export async function findTakenSeat(
  trx: Db,
  row: InvitationRow,
  acceptor: AcceptorInput,
  now: Date,
): Promise<Redemption | null> {
  // A single-use link that requires approval has a seat to give back too: the approved requester's.
  const approval = row.require_approval === 1;
  if (row.uses_allowed === 1 && !approval) return null;
  const status = effectiveStatus(lifecycleState(row), now);
  if (status !== 'pending' && status !== 'exhausted' && !(approval && status === 'accepted')) return null;
  const member = memberOf(row, acceptor);
  const membership = await findSeat(trx, {
    tenantId: row.tenant_id,
    targetKey: row.target_key,
    memberKey: member.key,
    invitationId: row.id,
  });
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
