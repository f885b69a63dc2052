import { sql } from 'kysely';
import { opaqueParameters, preparedQuery, preparedShapes, type Db, type Engine, type InvitationRow } from '#db';
import { compareKeys, keysetFilter, keysetOrder, toPage } from '#db/keyset';
import { isoTime } from '#common/json';
import { decodeCursor, type Page } from '#http/pagination';
import { normalizeEmail } from '#tenants';
import { invitationError } from './errors';
import { OPEN_STATUSES } from './lifecycle';
import { INVITATION_COLUMNS, toInvitation, type Invitation, type InvitationColumns } from './record';
import type { InvitationQuery } from './schemas';

const SORT_COLUMNS = { createdAt: 'created_at', updatedAt: 'updated_at', expiresAt: 'expires_at' } as const;

/** One invitation of the tenant by id, or null. Reads never change state. */
export async function findInvitationRow(db: Db, tenantId: string, id: string): Promise<InvitationRow | null> {
  return (
    (await db
      .selectFrom('invitations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()) ?? null
  );
}

/** One invitation of the tenant; throws invitation_not_found. */
export async function getInvitationRow(db: Db, tenantId: string, id: string): Promise<InvitationRow> {
  const row = await findInvitationRow(db, tenantId, id);
  if (!row) throw invitationError('invitation_not_found', `no invitation ${id} in this tenant`, 'path.id');
  return row;
}

/** The tenant's invitation with this purpose (unique within a tenant), or null. */
export async function findInvitationByPurpose(db: Db, tenantId: string, purpose: string) {
  const row = await db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Reads a row to change it: on PostgreSQL the row stays locked until the transaction ends, so
 * concurrent accepts queue behind each other instead of both seeing the last free use. SQLite
 * runs one write transaction at a time, which gives the same guarantee.
 */
export async function lockInvitationRow(
  trx: Db,
  engine: Engine,
  where: { tenantId: string; id: string },
): Promise<InvitationRow | null> {
  let query = trx
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', where.tenantId)
    .where('id', '=', where.id);
  if (engine === 'postgres') query = query.forUpdate();
  return (await query.executeTakeFirst()) ?? null;
}

// The token as a scalar subquery, not a join: see "Statement shapes" in docs/architecture.md.
const byTokenQuery = (db: Db, p: { tokenHash: string }) =>
  db
    .selectFrom('invitations')
    .selectAll()
    .where('id', '=', (eb) =>
      eb
        .selectFrom('invitation_tokens')
        .select('invitation_id')
        .where('token_hash', '=', p.tokenHash)
        .where('revoked_at', 'is', null),
    );
const byToken = preparedQuery(byTokenQuery);
const lockedByToken = preparedQuery((db, p: { tokenHash: string }) => byTokenQuery(db, p).forUpdate());

/**
 * The invitation a live link opens, read to change it (locked on PostgreSQL, as
 * `lockInvitationRow`): the token and the row in one statement, since every accept and decline
 * by link needs both. Null for an unknown or revoked token.
 */
export async function lockInvitationByToken(trx: Db, engine: Engine, tokenHash: string): Promise<InvitationRow | null> {
  return (await (engine === 'postgres' ? lockedByToken : byToken).executeTakeFirst(trx, { tokenHash })) ?? null;
}

/** The invitation a live link opens, or null for an unknown or revoked token: a read, in one statement. */
export async function findInvitationByToken(db: Db, tokenHash: string): Promise<InvitationRow | null> {
  return (await byToken.executeTakeFirst(db, { tokenHash })) ?? null;
}

type SortColumn = (typeof SORT_COLUMNS)[keyof typeof SORT_COLUMNS];

/** Filters that compare one column with one value, in the order their conditions are written. */
const EQUAL_FILTERS = {
  channel: 'channel',
  direction: 'direction',
  email: 'recipient_email_normalized',
  contactId: 'recipient_contact_id',
  identityId: 'identity_id',
  target: 'target_key',
  purpose: 'purpose',
} as const;
type EqualFilter = keyof typeof EQUAL_FILTERS;

/**
 * What decides a list query's SQL, apart from the values bound into it: which filters are given, how
 * status is tested, the sort and whether a cursor is. A page (`take` rows in order) or, for the lapsed
 * half of status=expired, every matching row unordered.
 */
interface ListShape {
  readonly status: 'pending' | 'equals' | 'expired' | 'lapsed' | null;
  readonly filters: readonly EqualFilter[];
  readonly createdAfter: boolean;
  readonly createdBefore: boolean;
  readonly column: SortColumn;
  readonly order: 'asc' | 'desc';
  readonly cursor: boolean;
  readonly paged: boolean;
}

type ListParams = {
  readonly tenantId: string;
  readonly at: string;
  readonly status?: string;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  readonly take: number;
} & {
  readonly [F in EqualFilter]?: string | null;
} & { readonly cursorValue?: string; readonly cursorId?: string };

function buildListQuery(db: Db, shape: ListShape, p: ListParams) {
  const v = opaqueParameters(db);
  // Only what the page shows, and no protocol payload (kilobytes for DIDComm): 15-20% less of SQLite's time a page
  // than every column in a direct better-sqlite3 loop over a million rows, below the HTTP bench's noise.
  let query = db.selectFrom('invitations').select(INVITATION_COLUMNS).where('tenant_id', '=', v(p.tenantId));
  // The expiry test is an expression, not the bare column, so no index range is taken on it: PostgreSQL
  // cannot know that nearly every pending invitation is unexpired (the sweep stores the others within a
  // minute), guessed a few hundred rows from (status, expires_at), read every pending one and sorted them
  // (bench: 13 ms a page at a million rows, 62 ms at ten connections). Walking the sort's index and
  // dropping the few lapsed rows on the way is right for every sort on both engines.
  if (shape.status === 'pending')
    query = query.where('status', '=', v('pending')).where(sql<string>`${sql.ref('expires_at')} || ''`, '>', v(p.at));
  else if (shape.status === 'equals') query = query.where('status', '=', v(p.status!));
  else if (shape.status === 'expired') query = query.where('status', '=', v('expired'));
  else if (shape.status === 'lapsed')
    query = query.where('status', 'in', [...OPEN_STATUSES].map(v)).where('expires_at', '<=', v(p.at));
  for (const filter of shape.filters) query = query.where(EQUAL_FILTERS[filter], '=', v(p[filter]!));
  if (shape.createdAfter) query = query.where('created_at', '>=', v(p.createdAfter!));
  if (shape.createdBefore) query = query.where('created_at', '<', v(p.createdBefore!));
  const filtered = keysetFilter(
    query,
    shape.column,
    shape.order,
    shape.cursor ? { value: v(p.cursorValue!), id: v(p.cursorId!) } : null,
  );
  return shape.paged ? keysetOrder(filtered, shape.column, shape.order, v(p.take)) : filtered;
}

/**
 * status=expired: the stored ones' page and every lapsed one (open and past its end, not swept yet), each from its own
 * index range, in one statement: as two, PostgreSQL and the driver did the per-statement work twice (bench: the
 * million-row list's slowest query). Not one OR, which neither engine serves from an index: it walked the whole
 * created_at index (19 ms at a million rows). The lapsed ones are few (the sweep stores them within a minute) and
 * read by their expiry range, unordered: asked for in list order, SQLite walked the created_at index through every
 * row to find them (300 ms). The caller sorts the rows.
 */
function buildExpiredQuery(db: Db, shape: ListShape, p: ListParams) {
  const stored = buildListQuery(db, { ...shape, status: 'expired', paged: true }, p).as('stored');
  const lapsed = buildListQuery(db, { ...shape, status: 'lapsed', paged: false }, p).as('lapsed');
  return db.selectFrom(stored).selectAll().unionAll(db.selectFrom(lapsed).selectAll());
}

// Kysely built and compiled the list's query on every request, a fifth of a page's CPU (bench profile); each shape
// is compiled once instead, and its values bound as for any prepared query.
const listShapes = preparedShapes((shape: string) =>
  preparedQuery((db, p: ListParams) => {
    const parsed = JSON.parse(shape) as ListShape;
    return parsed.status === 'expired' ? buildExpiredQuery(db, parsed, p) : buildListQuery(db, parsed, p);
  }),
);
const runList = (db: Db, shape: ListShape, params: ListParams): Promise<InvitationColumns[]> =>
  listShapes(JSON.stringify(shape)).execute(db, params);

/** A page of the tenant's invitations; status filters apply expiry as of `now`. */
export async function listInvitations(
  db: Db,
  tenantId: string,
  q: InvitationQuery,
  now: Date,
): Promise<Page<Invitation>> {
  const limit = q.limit ?? 50;
  const column = SORT_COLUMNS[q.sort ?? 'createdAt'];
  const order = q.order ?? 'desc';
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  const filters = (Object.keys(EQUAL_FILTERS) as EqualFilter[]).filter((filter) => q[filter]);
  const params: ListParams = {
    tenantId,
    at: isoTime(now),
    status: q.status,
    ...Object.fromEntries(filters.map((filter) => [filter, filter === 'email' ? normalizeEmail(q.email) : q[filter]])),
    createdAfter: q.createdAfter ? isoTime(new Date(q.createdAfter)) : undefined,
    createdBefore: q.createdBefore ? isoTime(new Date(q.createdBefore)) : undefined,
    cursorValue: cursor?.value,
    cursorId: cursor?.id,
    take: limit + 1,
  };
  const shape = (status: ListShape['status']): ListShape => ({
    status,
    filters,
    createdAfter: params.createdAfter !== undefined,
    createdBefore: params.createdBefore !== undefined,
    column,
    order,
    cursor: cursor !== null,
    paged: true,
  });
  const toInvitationPage = (rows: readonly InvitationColumns[]) =>
    toPage(rows, limit, column, (row) => toInvitation(row, now));
  if (q.status !== 'expired')
    return toInvitationPage(
      await runList(db, shape(q.status === 'pending' ? 'pending' : q.status ? 'equals' : null), params),
    );
  // Expired is stored, or open and past its end (not swept yet): both in one statement (buildExpiredQuery).
  const sign = order === 'asc' ? 1 : -1;
  const rows = await runList(db, shape('expired'), params);
  rows.sort((x, y) => sign * compareKeys(x[column], x.id, y[column], y.id));
  return toInvitationPage(rows.slice(0, limit + 1));
}

/**
 * An open invitation's expiry, null once it is closed: the key of `invitations_open_expires` (migration 0027),
 * written exactly as there, for both planners match an index's expression by its form. The statuses are
 * `OPEN_STATUSES`, as literals, for the same reason.
 */
const OPEN_UNTIL = sql<string>`(case when status in ('pending', 'tentative') then expires_at end)`;

/** Ids of pending invitations whose expiry has passed, oldest first, for the sweep. */
export async function findExpiredPendingIds(
  db: Db,
  now: Date,
  limit: number,
): Promise<{ id: string; tenant_id: string }[]> {
  return db
    .selectFrom('invitations')
    .select(['id', 'tenant_id'])
    .where(OPEN_UNTIL, '<=', isoTime(now))
    .orderBy(OPEN_UNTIL)
    .limit(limit)
    .execute();
}

/** Counts for tests and metrics; `sql` keeps the cast portable. */
export async function countInvitations(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('invitations')
    .select(sql<string>`count(*)`.as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
