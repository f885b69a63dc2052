import { sql } from 'kysely';
import { columnParams, insertRowsLater, onPostgres, preparedQuery, type Db, type MembershipRow } from '#db';
import { keysetPage, toPage } from '#db/keyset';
import { newId } from '#common/ids';
import { errorFactory, defineErrors } from '#common/errors';
import { isoTime, parseJson } from '#common/json';
import type { Cursor, Page } from '#http/pagination';

export const membershipErrors = defineErrors({
  membership_not_found: { status: 404, title: 'No such membership' },
});
const membershipError = errorFactory(membershipErrors);

/** Someone's place in a target with a role, produced by accepting an invitation. */
export interface Membership {
  readonly id: string;
  readonly target: { readonly type: string; readonly iri: string | null; readonly name: string | null };
  readonly member: {
    readonly key: string;
    readonly email: string | null;
    readonly did: string | null;
    readonly actorIri: string | null;
    readonly subject: string | null;
    readonly name: string | null;
    readonly contactId: string | null;
  };
  /** null: a member with no permissions until granted. */
  readonly role: string | null;
  readonly rules: string[];
  readonly invitationId: string;
  /** The address that accepted an email invitation when it was not the invited one; else null. */
  readonly acceptedEmail: string | null;
  /** True when `acceptedEmail` differs from the invited address (the tenant's policy accepted and flagged it). */
  readonly emailMismatch: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The member and target of a new or renewed membership. */
export interface MembershipGrant {
  readonly tenantId: string;
  readonly target: {
    readonly key: string;
    readonly type: string;
    readonly iri: string | null;
    readonly name: string | null;
  };
  readonly member: Omit<Membership['member'], never>;
  readonly role: string | null;
  readonly rules: string[];
  readonly invitationId: string;
  /** The other address that accepted (see `Membership.acceptedEmail`); absent: none. */
  readonly acceptedEmail?: string | null;
}

function toMembership(row: MembershipRow): Membership {
  return {
    id: row.id,
    target: { type: row.target_type, iri: row.target_iri, name: row.target_name },
    member: {
      key: row.member_key,
      email: row.member_email,
      did: row.member_did,
      actorIri: row.member_actor,
      subject: row.member_subject,
      name: row.member_name,
      contactId: row.contact_id,
    },
    role: row.role,
    rules: parseJson(row.rules, []),
    invitationId: row.invitation_id,
    acceptedEmail: row.accepted_email,
    emailMismatch: row.accepted_email !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Every column, checked by the compiler: a template's params list no keys to take them from.
export const MEMBERSHIP_COLUMNS = Object.keys({
  id: 1,
  tenant_id: 1,
  target_key: 1,
  target_type: 1,
  target_iri: 1,
  target_name: 1,
  member_key: 1,
  member_email: 1,
  member_did: 1,
  member_actor: 1,
  member_subject: 1,
  member_name: 1,
  contact_id: 1,
  role: 1,
  rules: 1,
  invitation_id: 1,
  accepted_email: 1,
  created_at: 1,
  updated_at: 1,
} satisfies Record<keyof MembershipRow, 1>);

/** What granting a membership the member already holds changes in it; the rest stays as it was first granted. */
const RENEWED = ['role', 'rules', 'invitation_id', 'accepted_email', 'target_name', 'updated_at'] as const;

const upsertMembership = preparedQuery((db, p: MembershipRow) =>
  db
    .insertInto('memberships')
    .values(columnParams(p, MEMBERSHIP_COLUMNS) as never)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'target_key', 'member_key']).doUpdateSet(columnParams(p, RENEWED) as never),
    )
    .returningAll(),
);

/**
 * What a grant made of `current`, the member's membership in the target as the granting transaction read it: null
 * when there was none. Mirrors the upsert: a new row, or `current` with what a renewal changes.
 */
function grantedRow(fresh: MembershipRow, current: MembershipRow | null): MembershipRow {
  if (current === null) return fresh;
  return { ...current, ...Object.fromEntries(RENEWED.map((column) => [column, fresh[column]])) };
}

/**
 * Creates the membership, or updates role and rules when the member already belongs to the
 * target: accepting a second invitation changes a role, it does not duplicate a member.
 *
 * `current`, when the caller read the member's membership in this transaction (an accept by link reads it with its
 * locked invitation): the grant is known without asking, and its write is held for the transaction's next statement
 * (insertRowsLater) instead of awaited, so the accept's writes go out as one. The write is the one that fits what was
 * read: a renewal upserts under `current`'s id; a first grant is a plain insert, so a membership another transaction
 * gave the same member meanwhile fails the transaction (`isMembershipRace`) instead of leaving this one's id unused.
 */
export async function grantMembership(
  db: Db,
  grant: MembershipGrant,
  now: Date,
  current?: MembershipRow | null,
): Promise<Membership> {
  const at = isoTime(now);
  const row: MembershipRow = {
    id: current?.id ?? newId(now.getTime()),
    tenant_id: grant.tenantId,
    target_key: grant.target.key,
    target_type: grant.target.type,
    target_iri: grant.target.iri,
    target_name: grant.target.name,
    member_key: grant.member.key,
    member_email: grant.member.email,
    member_did: grant.member.did,
    member_actor: grant.member.actorIri,
    member_subject: grant.member.subject,
    member_name: grant.member.name,
    contact_id: grant.member.contactId,
    role: grant.role,
    rules: JSON.stringify(grant.rules),
    invitation_id: grant.invitationId,
    accepted_email: grant.acceptedEmail ?? null,
    created_at: current?.created_at ?? at,
    updated_at: at,
  };
  if (current === undefined) return toMembership((await upsertMembership.executeTakeFirst(db, row))!);
  if (current === null) await insertRowsLater(db, 'memberships', [row]);
  else await upsertMembership.executeLater(db, row);
  return toMembership(grantedRow(row, current));
}

/**
 * Whether `error` is a first grant's insert (grantMembership with `current` null) meeting a membership another
 * transaction gave the same member after it was read: the grant's transaction failed whole, and runs again.
 */
export function isMembershipRace(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'memberships_member';
}

/**
 * Forgets a deleted contact on the tenant's memberships, in the deleting transaction; each keeps its copy of the
 * member.
 */
export async function unlinkContactFromMemberships(trx: Db, tenantId: string, contactId: string): Promise<void> {
  await trx
    .updateTable('memberships')
    .set({ contact_id: null })
    .where('tenant_id', '=', tenantId)
    .where('contact_id', '=', contactId)
    .execute();
}

type SeatKey = { tenantId: string; targetKey: string; memberKey: string };

/**
 * The first membership at or after `key` in the unique key's order: the member's own when they hold one, checked equal
 * by the caller. Each part of `key` is a value, or an expression of the query it is read in (the accept's locked read
 * joins it laterally, invitations/accept-read.ts). A keyset page is a shape only the unique key's index serves,
 * whatever the statistics say: by equality, planned generic while memberships was small and never analyzed, PostgreSQL
 * kept memberships_tenant_created and read every membership of the tenant on each accept. PostgreSQL only: SQLite picks
 * the unique index for an equality on all its columns, and would plan a bound ORDER BY … LIMIT again on every run
 * ("Statement shapes", docs/architecture.md).
 */
export function seekMembership(db: Db, key: { tenantId: unknown; targetKey: unknown; memberKey: unknown }) {
  return db
    .selectFrom('memberships')
    .selectAll()
    .where(
      sql<boolean>`("tenant_id", "target_key", "member_key") >= (${key.tenantId}, ${key.targetKey}, ${key.memberKey})`,
    )
    .orderBy('tenant_id')
    .orderBy('target_key')
    .orderBy('member_key')
    .limit(1);
}

const soughtSeat = preparedQuery((db, p: SeatKey) => seekMembership(db, p));
const equalSeat = preparedQuery((db, p: SeatKey) =>
  db
    .selectFrom('memberships')
    .selectAll()
    .where('tenant_id', '=', p.tenantId)
    .where('target_key', '=', p.targetKey)
    .where('member_key', '=', p.memberKey),
);

/**
 * `row` as a seat already taken: the membership of `seat`'s member in its target that `seat.invitationId` last
 * granted, else null. For a row the caller read itself, as the accept's locked read does (invitations/accept-read.ts).
 */
export function heldSeat(
  row: MembershipRow | null | undefined,
  seat: SeatKey & { invitationId: string },
): Membership | null {
  // The seek answers the next key when the member has none; either read answers the member's, from any invitation.
  const held =
    row?.tenant_id === seat.tenantId &&
    row.target_key === seat.targetKey &&
    row.member_key === seat.memberKey &&
    row.invitation_id === seat.invitationId;
  return held ? toMembership(row) : null;
}

/** The membership of one member in one target that `invitationId` last granted, or null: a seat already taken. */
export async function findSeat(db: Db, seat: SeatKey & { invitationId: string }): Promise<Membership | null> {
  return heldSeat(await (onPostgres(db) ? soughtSeat : equalSeat).executeTakeFirst(db, seat), seat);
}

/** One membership of the tenant; throws membership_not_found. */
export async function getMembership(db: Db, tenantId: string, id: string): Promise<Membership> {
  const row = await db
    .selectFrom('memberships')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw membershipError('membership_not_found', undefined, 'path.id');
  return toMembership(row);
}

/** A page of the tenant's memberships, optionally of one target ('tenant' or an IRI). */
export async function listMemberships(
  db: Db,
  tenantId: string,
  filter: { target?: string; cursor: Cursor | null; limit: number },
): Promise<Page<Membership>> {
  let query = db.selectFrom('memberships').selectAll().where('tenant_id', '=', tenantId);
  if (filter.target) query = query.where('target_key', '=', filter.target);
  const rows = await keysetPage(query, 'created_at', 'asc', filter.cursor, filter.limit).execute();
  return toPage(rows, filter.limit, 'created_at', toMembership);
}
