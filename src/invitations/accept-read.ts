import { sql, type RawBuilder } from 'kysely';
import { preparedQuery, type Db, type Engine, type InvitationRow, type MembershipRow } from '#db';
import { MEMBERSHIP_COLUMNS, seekMembership } from '#memberships';
import { lockInvitationByToken } from './queries';

/**
 * The membership an accept's member holds in the invitation's target, read with the locked invitation: `key` is the
 * member key it was looked up by, `membership` the row, or null when the member holds none.
 */
export interface CurrentSeat {
  readonly key: string | null;
  readonly membership: MembershipRow | null;
}

/**
 * The membership `seat` holds for the member key `memberKey`: the row, null when the member holds none, or undefined
 * when the read was for another key or not made (SQLite), and the caller must read it itself.
 */
export function membershipRead(seat: CurrentSeat | undefined, memberKey: string): MembershipRow | null | undefined {
  return seat?.key === memberKey ? seat.membership : undefined;
}

/** The invitation as read to accept it, with the member's current membership when it was read (PostgreSQL). */
export interface InvitationToAccept {
  readonly row: InvitationRow;
  readonly seat?: CurrentSeat;
}

const PREFIX = 'seat__';

/**
 * memberOf's key in SQL: the invitation's recipient first (an address, a DID, an actor, the first present), else
 * the key the acceptor gives (`acceptorKeyOf`). Empty strings count as absent, as in memberOf; redeem() uses the
 * membership only when this key is the one memberOf gives, so a difference costs a round trip, never a wrong member.
 */
const memberKey = (acceptorKey: string | null): RawBuilder<string | null> => sql`coalesce(
  'email:' || nullif(i.recipient_email_normalized, ''), 'did:' || nullif(i.recipient_did, ''),
  'actor:' || nullif(i.recipient_actor, ''), ${acceptorKey})`;

// The token as a scalar subquery, as queries.ts reads it; the membership sought by its unique key (seekMembership,
// memberships' own read) in a lateral join: one statement where a read of its own would be a round trip before the
// accept's writes.
const lockedWithSeat = preparedQuery((db, p: { tokenHash: string; acceptorKey: string | null }) =>
  db
    .selectFrom('invitations as i')
    .leftJoinLateral(
      seekMembership(db, {
        tenantId: sql.ref('i.tenant_id'),
        targetKey: sql.ref('i.target_key'),
        memberKey: memberKey(p.acceptorKey),
      }).as('m'),
      (join) =>
        join
          .onRef('m.tenant_id', '=', 'i.tenant_id')
          .onRef('m.target_key', '=', 'i.target_key')
          .on('m.member_key', '=', memberKey(p.acceptorKey)),
    )
    .selectAll('i')
    .select(memberKey(p.acceptorKey).as(`${PREFIX}key`))
    .select(MEMBERSHIP_COLUMNS.map((column) => sql.ref(`m.${column}`).as(`${PREFIX}${column}`)))
    .where('i.id', '=', (eb) =>
      eb
        .selectFrom('invitation_tokens')
        .select('invitation_id')
        .where('token_hash', '=', p.tokenHash)
        .where('revoked_at', 'is', null),
    )
    .forUpdate('i'),
);

/** The read's row taken apart: the invitation's columns, and the seat's under PREFIX. */
function split(read: Record<string, unknown>): InvitationToAccept {
  const row: Record<string, unknown> = {};
  const membership: Record<string, unknown> = {};
  for (const column in read) {
    if (column.startsWith(PREFIX)) membership[column.slice(PREFIX.length)] = read[column];
    else row[column] = read[column];
  }
  const { key, ...held } = membership;
  return {
    row: row as unknown as InvitationRow,
    seat: { key: key as string | null, membership: held.id === null ? null : (held as unknown as MembershipRow) },
  };
}

/**
 * The invitation a live link opens, locked to accept it (as `lockInvitationByToken`), and on PostgreSQL the
 * membership its member already holds in its target, in the same statement: the accept then knows what its grant
 * writes without asking, and all its writes go out as one statement with the COMMIT (grantMembership's `current`).
 * On SQLite, where a statement is no round trip and a join's bound values cost a re-plan (docs/architecture.md,
 * "Statement shapes"), the invitation alone. `acceptorKey`: `acceptorKeyOf` the acceptor. Null for an unknown or
 * revoked token.
 */
export async function lockInvitationToAccept(
  trx: Db,
  engine: Engine,
  tokenHash: string,
  acceptorKey: string | null,
): Promise<InvitationToAccept | null> {
  if (engine !== 'postgres') {
    const row = await lockInvitationByToken(trx, engine, tokenHash);
    return row && { row };
  }
  const read = await lockedWithSeat.executeTakeFirst(trx, { tokenHash, acceptorKey });
  return read ? split(read as Record<string, unknown>) : null;
}
