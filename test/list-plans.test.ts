import { afterAll, beforeAll, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Database } from '#db';
import { findExpiredPendingIds, listInvitations } from '../src/invitations/queries';
import { seedInvitations } from '../bench/seed';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';

/**
 * The list's plans on a store shaped like one in use (the bench's seeder: a year of invitations,
 * the last week's still pending), where a planner's guess can go wrong: a page must be read in
 * the order of an index, not gathered whole and sorted. Small enough to seed in a second or two.
 */
describeEachStore('list plans on a year of invitations', (engine) => {
  let scratch: ScratchDatabase;
  let db: Kysely<Database>;
  let tenantId: string;
  const statements: CompiledQuery[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase(engine);
    await seedInvitations(scratch.url, 20_000, () => {});
    const dialect =
      engine === 'sqlite'
        ? new SqliteDialect({ database: new SqliteDatabase(scratch.url.slice('sqlite:'.length)) })
        : new PostgresDialect({ pool: new pg.Pool({ connectionString: scratch.url, max: 1 }) });
    db = new Kysely<Database>({
      dialect,
      log: (event) => void (event.level === 'query' && statements.push(event.query)),
    });
    tenantId = (await db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id;
  }, 60_000);

  afterAll(async () => {
    await db?.destroy();
    await scratch?.drop();
  });

  /** The plan of the one statement `list` ran, one line per step. */
  async function planOf(list: () => Promise<unknown>): Promise<string> {
    statements.length = 0;
    await list();
    expect(statements).toHaveLength(1);
    const [query] = statements as [CompiledQuery];
    const explain = engine === 'sqlite' ? `explain query plan ${query.sql}` : `explain ${query.sql}`;
    statements.length = 0;
    const rows = (await db.executeQuery<Record<string, unknown>>({ ...query, sql: explain })).rows;
    statements.length = 0;
    return rows.map((row) => String(row.detail ?? row['QUERY PLAN'])).join('\n');
  }

  /** Moves one invitation's end to `ms` before `now`, as time passing would (the sweep has not run). */
  const endBefore = (id: string, now: Date, ms: number) =>
    db
      .updateTable('invitations')
      .set({ expires_at: new Date(now.getTime() - ms).toISOString() })
      .where('id', '=', id)
      .execute();

  // SQLite says "USE TEMP B-TREE FOR ORDER BY" when it sorts; PostgreSQL has a Sort (or Incremental Sort) node.
  const sorts = /TEMP B-TREE|Sort/;

  it('reads the newest pending invitations from an index, without sorting, and leaves out the lapsed ones', async () => {
    const now = new Date();
    const pending = await db
      .selectFrom('invitations')
      .select(['id', 'created_at'])
      .where('status', '=', 'pending')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    expect(pending.length).toBeGreaterThan(100);
    // The newest pending one lapsed a moment ago and the sweep has not stored it as expired yet.
    await endBefore(pending[0]!.id, now, 1000);

    for (const sort of ['createdAt', 'updatedAt', 'expiresAt'] as const) {
      expect(await planOf(() => listInvitations(db, tenantId, { status: 'pending', sort }, now)), sort).not.toMatch(
        sorts,
      );
    }
    const page = await listInvitations(db, tenantId, { status: 'pending' }, now);
    expect(page.data.map((invitation) => invitation.id)).toEqual(pending.slice(1, 51).map((row) => row.id));
    expect(page.data.every((invitation) => invitation.status === 'pending')).toBe(true);
  });

  it('reads the first page and a channel from their indexes, without sorting', async () => {
    const now = new Date();
    expect(await planOf(() => listInvitations(db, tenantId, {}, now))).not.toMatch(sorts);
    expect(await planOf(() => listInvitations(db, tenantId, { channel: 'didcomm' }, now))).not.toMatch(sorts);
    expect(
      await planOf(() => listInvitations(db, tenantId, { status: 'accepted', sort: 'updatedAt' }, now)),
    ).not.toMatch(sorts);
  });

  it('reads status=expired in one statement: the stored page from an index in order, the lapsed ones by expiry', async () => {
    const now = new Date();
    const plan = await planOf(() => listInvitations(db, tenantId, { status: 'expired' }, now));
    expect(plan).toContain('invitations_tenant_status_created_at');
    expect(plan).toContain('invitations_tenant_status_expires_at');
    expect(plan).not.toMatch(sorts);
    // A pending one lapsed and not swept yet is listed as expired, in created_at order with the stored ones.
    const newest = await db
      .selectFrom('invitations')
      .select('id')
      .where('status', '=', 'pending')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    await endBefore(newest.id, now, 1000);
    const page = await listInvitations(db, tenantId, { status: 'expired', limit: 5 }, now);
    expect(page.data[0]!.id).toBe(newest.id);
    expect(page.data.every((invitation) => invitation.status === 'expired')).toBe(true);
    const expected = await db
      .selectFrom('invitations')
      .select('id')
      .where((eb) =>
        eb.or([
          eb('status', '=', 'expired'),
          eb.and([eb('status', 'in', ['pending', 'tentative']), eb('expires_at', '<=', now.toISOString())]),
        ]),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(5)
      .execute();
    expect(page.data.map((invitation) => invitation.id)).toEqual(expected.map((row) => row.id));
  });

  it('reads an email or a contact from their partial indexes, which hold only the invitations that have one', async () => {
    const now = new Date();
    const { email } = await db
      .selectFrom('invitations')
      .select('recipient_email_normalized as email')
      .where('recipient_email_normalized', 'is not', null)
      .executeTakeFirstOrThrow();
    const byEmail = await planOf(() => listInvitations(db, tenantId, { email: email! }, now));
    expect(byEmail).toContain('invitations_tenant_email_created_at');
    expect(byEmail).not.toMatch(sorts);
    // Deleting a contact unlinks its invitations by this index (tenants/contacts.ts).
    const contact = '0190a0a0-0000-7000-8000-000000000000';
    const unlink = db
      .updateTable('invitations')
      .set({ recipient_contact_id: null })
      .where('tenant_id', '=', tenantId)
      .where('recipient_contact_id', '=', contact)
      .compile();
    const explain = engine === 'sqlite' ? `explain query plan ${unlink.sql}` : `explain ${unlink.sql}`;
    const plan = (await db.executeQuery<Record<string, unknown>>({ ...unlink, sql: explain })).rows
      .map((row) => String(row.detail ?? row['QUERY PLAN']))
      .join('\n');
    statements.length = 0;
    expect(plan).toContain('invitations_tenant_contact');
    const page = await listInvitations(db, tenantId, { email: email! }, now);
    expect(page.data.length).toBeGreaterThan(0);
    expect(page.data.every((invitation) => invitation.recipient.email?.toLowerCase() === email)).toBe(true);
  });

  it('finds the lapsed invitations for the sweep in the index of open ones, oldest first, without sorting', async () => {
    const now = new Date();
    const open = await db
      .selectFrom('invitations')
      .select('id')
      .where('status', 'in', ['pending', 'tentative'])
      .orderBy('created_at')
      .limit(3)
      .execute();
    expect(open).toHaveLength(3);
    // Three open ones lapse, the oldest expiry last created; an accepted one past its end is not the sweep's.
    for (const [i, row] of open.entries()) await endBefore(row.id, now, (i + 1) * 60_000);
    const accepted = await db
      .selectFrom('invitations')
      .select('id')
      .where('status', '=', 'accepted')
      .executeTakeFirstOrThrow();
    await endBefore(accepted.id, now, 3_600_000);
    const plan = await planOf(() => findExpiredPendingIds(db, now, 10));
    expect(plan).toContain('invitations_open_expires');
    expect(plan).not.toMatch(sorts);
    const due = (await findExpiredPendingIds(db, now, 10)).map((row) => row.id);
    // An earlier test let the newest pending one lapse a second ago: it comes after these three.
    expect(due.slice(0, 3)).toEqual(open.map((row) => row.id).reverse());
    const lapsed = await db
      .selectFrom('invitations')
      .select('id')
      .where('status', 'in', ['pending', 'tentative'])
      .where('expires_at', '<=', now.toISOString())
      .orderBy('expires_at')
      .execute();
    expect(due).toEqual(lapsed.map((row) => row.id));
    expect(due).not.toContain(accepted.id);
  });
});
