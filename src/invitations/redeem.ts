import { insertRowsLater, type Db, type InvitationRow } from '#db';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';
import { grantMembership, type Membership } from '#memberships';
import { acceptedEmailOf } from './accepted-email';
import { invitationError } from './errors';
import { assertRoleWithinCeiling } from './role-ceiling';
import { membershipRead, type CurrentSeat } from './accept-read';
import type { AcceptorInput } from './public-schemas';

/** What one acceptance produced. */
export interface Redemption {
  readonly id: string;
  readonly createdAt: string;
  readonly membership: Membership;
}

/** The first present identifier as a member key, e.g. `email:ann@example.com`. */
function firstKey(candidates: ReadonlyArray<readonly [string, string | null | undefined]>): string | null {
  const found = candidates.find(([, value]) => value);
  return found ? `${found[0]}:${found[1]}` : null;
}

/** The member key an acceptor says they are, for an invitation addressed to nobody; null when they say nothing. */
export function acceptorKeyOf(acceptor: AcceptorInput): string | null {
  return firstKey([
    ['subject', acceptor.subject],
    ['email', acceptor.email?.toLowerCase()],
    ['did', acceptor.did],
    ['actor', acceptor.actorIri],
  ]);
}

/**
 * The member an acceptance admits. An invitation addressed to someone admits that someone,
 * whoever clicks; an open link admits whoever says who they are. (accept-read.ts finds the same key in SQL.)
 */
export function memberOf(row: InvitationRow, acceptor: AcceptorInput): Membership['member'] {
  const acceptorEmail = acceptor.email?.toLowerCase();
  const key =
    firstKey([
      ['email', row.recipient_email_normalized],
      ['did', row.recipient_did],
      ['actor', row.recipient_actor],
    ]) ?? acceptorKeyOf(acceptor);
  if (key === null) throw invitationError('acceptor_required', 'give email, did, actorIri or subject', 'body.email');
  return {
    key,
    email: row.recipient_email_normalized ?? acceptorEmail ?? null,
    did: row.recipient_did ?? acceptor.did ?? null,
    actorIri: row.recipient_actor ?? acceptor.actorIri ?? null,
    subject: acceptor.subject ?? null,
    name: acceptor.name ?? row.recipient_name,
    contactId: row.recipient_contact_id,
  };
}

/**
 * Records one acceptance and the membership it grants, in the caller's transaction. `seat`: the member's membership
 * as the caller read it with the locked invitation (accept-read.ts), used when it was read for this member's key.
 */
export async function redeem(
  trx: Db,
  row: InvitationRow,
  acceptor: AcceptorInput,
  now: Date,
  seat?: CurrentSeat,
): Promise<Redemption> {
  assertRoleWithinCeiling(row);
  const acceptedEmail = await acceptedEmailOf(trx, row, acceptor);
  const member = memberOf(row, acceptor);
  const membership = await grantMembership(
    trx,
    {
      tenantId: row.tenant_id,
      target: { key: row.target_key, type: row.target_type, iri: row.target_iri, name: row.target_name },
      member,
      role: row.role,
      rules: JSON.parse(row.rules ?? '[]') as string[],
      invitationId: row.id,
      acceptedEmail,
    },
    now,
    membershipRead(seat, member.key),
  );
  const id = newId(now.getTime());
  const createdAt = isoTime(now);
  // A fresh id, and a membership this transaction just wrote: the insert goes with the next statement.
  await insertRowsLater(trx, 'redemptions', [
    {
      id,
      tenant_id: row.tenant_id,
      invitation_id: row.id,
      acceptor: JSON.stringify(acceptor),
      membership_id: membership.id,
      created_at: createdAt,
    },
  ]);
  return { id, createdAt, membership };
}
