/**
 * Reads other capabilities make of invitations, named here because this capability owns the
 * table (test/table-ownership.test.ts). Each is the one statement its caller used to write
 * inline, with the same columns and conditions, so no caller gains a round trip.
 */
import { sql } from 'kysely';
import type { Db, InvitationRow } from '#db';
import { isoTime } from '#common/json';

/**
 * An invitation by id alone, in whichever tenant holds it, or null: for protocol deliveries and
 * inboxes, where the id comes from our own outbox row or URI and the row says whose it is.
 * With `columns`, only those.
 */
export async function findInvitationById(db: Db, id: string): Promise<InvitationRow | null>;
export async function findInvitationById<C extends keyof InvitationRow & string>(
  db: Db,
  id: string,
  columns: readonly C[],
): Promise<Pick<InvitationRow, C> | null>;
export async function findInvitationById(db: Db, id: string, columns?: readonly (keyof InvitationRow & string)[]) {
  const query = db.selectFrom('invitations').where('id', '=', id);
  return (await (columns ? query.select(columns) : query.selectAll()).executeTakeFirst()) ?? null;
}

/** The tenant's invitations among `ids`, in no order; ids of other tenants or of none are left out. */
export async function findInvitationRows(db: Db, tenantId: string, ids: readonly string[]): Promise<InvitationRow[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...ids])
    .execute();
}

/**
 * Another outgoing provider invitation still pending, when `row` was created, to the same provider
 * user as `row`; null when there is none.
 */
export async function findPendingProviderDuplicate(db: Db, row: InvitationRow): Promise<{ id: string } | null> {
  const pending = await db
    .selectFrom('invitations')
    .select(['id'])
    .where('tenant_id', '=', row.tenant_id)
    .where('channel', '=', 'provider')
    .where('direction', '=', 'outgoing')
    .where('status', '=', 'pending')
    .where('recipient_provider', '=', row.recipient_provider)
    .where('expires_at', '>', row.created_at)
    .where('id', '<>', row.id)
    .executeTakeFirst();
  return pending ?? null;
}

/** How many invitations each stored status and channel holds, over every tenant: for metrics (aggregates only). */
export async function countInvitationsByStatusAndChannel(
  db: Db,
): Promise<{ status: string; channel: string; count: number }[]> {
  const rows = await db
    .selectFrom('invitations')
    .select(['status', 'channel', (eb) => eb.fn.countAll<string>().as('count')])
    .groupBy(['status', 'channel'])
    .execute();
  return rows.map((row) => ({ status: row.status, channel: row.channel, count: Number(row.count) }));
}

/**
 * Per channel and event type among `types`, how many distinct invitations of the tenant created
 * since `from` have such an event: the event log read as a funnel.
 */
export async function countInvitationsReaching(
  db: Db,
  tenantId: string,
  from: Date,
  types: readonly string[],
): Promise<{ channel: string; type: string; count: number }[]> {
  const rows = await db
    .selectFrom('invitation_events as e')
    .innerJoin('invitations as i', 'i.id', 'e.invitation_id')
    .select(['i.channel as channel', 'e.type as type', sql<string>`count(distinct e.invitation_id)`.as('n')])
    .where('i.tenant_id', '=', tenantId)
    .where('i.created_at', '>=', isoTime(from))
    .where('e.type', 'in', [...types])
    .groupBy(['i.channel', 'e.type'])
    .execute();
  return rows.map((row) => ({ channel: row.channel, type: row.type, count: Number(row.n) }));
}
