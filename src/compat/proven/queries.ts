/**
 * The reads Proven needs and the core does not offer: lookups by invitation number and purpose,
 * and offset pages with a total. Always one tenant's didcomm invitations, never one deleted
 * through Proven (proven_deletions, migration 0009); the records themselves
 * come from the core (service.ts), so these return only which invitations, in which order.
 */
import { sql } from 'kysely';
import type { Db } from '#db';
import { isoTime } from '#common/json';
import type { InvitationStatus } from '#invitations';

/** Which invitation, and its protocol payload (for the handshake and alias the record shows). */
export interface InvitationRef {
  readonly id: string;
  readonly payload: string | null;
}

/** One page of a Proven list: the column to sort by (whitelisted by the caller), filters and offset. */
export interface PageQuery {
  readonly column: 'updated_at' | 'created_at' | 'number' | 'expires_at';
  readonly direction: 'asc' | 'desc';
  readonly limit: number;
  readonly offset: number;
  readonly status?: InvitationStatus;
  readonly contactId?: string;
}

// invitations.number is a 32-bit integer on PostgreSQL: a larger one names nothing, and must not reach the query.
const MAX_NUMBER = 2_147_483_647;

/**
 * The tenant's didcomm invitations, numbered (every invitation is, since migration 0006), less those deleted through
 * Proven.
 */
function didcommInvitations(db: Db, tenantId: string) {
  return db
    .selectFrom('invitations')
    .where('tenant_id', '=', tenantId)
    .where('channel', '=', 'didcomm')
    .where('number', 'is not', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('proven_deletions')
            .select('proven_deletions.invitation_id')
            .whereRef('proven_deletions.invitation_id', '=', 'invitations.id'),
        ),
      ),
    );
}

/** Hides an invitation from every Proven read; a second delete of the same one changes nothing. */
export async function markDeleted(db: Db, tenantId: string, invitationId: string, now: Date): Promise<void> {
  await db
    .insertInto('proven_deletions')
    .values({ invitation_id: invitationId, tenant_id: tenantId, deleted_at: isoTime(now) })
    .onConflict((oc) => oc.column('invitation_id').doNothing())
    .execute();
}

/** The tenant's didcomm invitation with this number, id or purpose; null when there is none. */
export async function findInvitationRef(
  db: Db,
  tenantId: string,
  where: { number: number } | { id: string } | { purpose: string },
): Promise<InvitationRef | null> {
  if ('number' in where && (!Number.isSafeInteger(where.number) || where.number < 1 || where.number > MAX_NUMBER))
    return null;
  let query = didcommInvitations(db, tenantId).select(['id', 'payload']);
  if ('number' in where) query = query.where('number', '=', where.number);
  else if ('id' in where) query = query.where('id', '=', where.id);
  else query = query.where('purpose', '=', where.purpose);
  return (await query.executeTakeFirst()) ?? null;
}

/**
 * One page of the tenant's didcomm invitations and how many match in all; a status filter applies expiry as of `now`.
 */
export async function listInvitationRefs(
  db: Db,
  tenantId: string,
  q: PageQuery,
  now: Date,
): Promise<{ count: number; refs: InvitationRef[] }> {
  const at = isoTime(now);
  let filtered = didcommInvitations(db, tenantId);
  if (q.contactId !== undefined) filtered = filtered.where('recipient_contact_id', '=', q.contactId);
  // The lifecycle's effectiveStatus in SQL, as the native list has it: an open invitation past its
  // expiry reads expired before the sweep stores it, so it must filter as expired too.
  if (q.status === 'pending' || q.status === 'tentative')
    filtered = filtered.where('status', '=', q.status).where('expires_at', '>', at);
  else if (q.status === 'expired') {
    filtered = filtered.where((eb) =>
      eb.or([
        eb('status', '=', 'expired'),
        eb.and([eb('status', 'in', ['pending', 'tentative']), eb('expires_at', '<=', at)]),
      ]),
    );
  } else if (q.status) filtered = filtered.where('status', '=', q.status);
  const total = await filtered.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const refs = await filtered
    .select(['id', 'payload'])
    .orderBy(q.column, q.direction)
    // Numbers are unique and never null here: a total order, so pages neither repeat nor skip rows.
    .orderBy('number', q.direction)
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  return { count: Number(total.n), refs };
}
