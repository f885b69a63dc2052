import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachStore, engines } from '#support/stores';
import { tokenOf, useTestUsher, type TestResponse } from '#support/usher';

describeEachStore('concurrent acceptance', (engine) => {
  const usher = useTestUsher(engine);

  async function acceptConcurrently(usesAllowed: number, attempts: number) {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', usesAllowed } });
    const token = tokenOf(created.body.url);
    const results = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null, body: { subject: `user-${i}` } }),
      ),
    );
    const invitation = (await usher.request('GET', `/v1/invitations/${created.body.id}`)).body;
    const events = (await usher.request('GET', `/v1/invitations/${created.body.id}/events`)).body.data;
    return { results, invitation, events };
  }

  it('lets exactly one of 50 concurrent accepts of a single-use invitation succeed', async () => {
    const { results, invitation, events } = await acceptConcurrently(1, 50);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(49);
    expect(new Set(refused.map((r) => `${r.status} ${r.body.code}`))).toEqual(
      new Set(['410 invitation_already_accepted']),
    );
    expect(invitation).toMatchObject({ status: 'accepted', usesCount: 1 });
    expect(events.filter((e: any) => e.type === 'invitation.accepted')).toHaveLength(1);
  });

  it('lets exactly five of 50 concurrent accepts of a 5-use invitation succeed, then reports it exhausted', async () => {
    const { results, invitation, events } = await acceptConcurrently(5, 50);
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(5);
    expect(new Set(winners.map((r) => r.body.membership.member.key)).size).toBe(5);
    expect(new Set(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.body.code}`))).toEqual(
      new Set(['410 invitation_exhausted']),
    );
    expect(invitation).toMatchObject({ status: 'exhausted', usesCount: 5 });
    expect(events.filter((e: any) => e.type === 'invitation.accepted')).toHaveLength(5);
    expect(events.filter((e: any) => e.type === 'invitation.exhausted')).toHaveLength(1);
    const memberships = await usher.store.db
      .selectFrom('memberships')
      .select('id')
      .where('invitation_id', '=', invitation.id)
      .execute();
    expect(memberships).toHaveLength(5);
    const redemptions = await usher.store.db
      .selectFrom('redemptions')
      .select('id')
      .where('invitation_id', '=', invitation.id)
      .execute();
    expect(redemptions).toHaveLength(5);
  });

  it('gives one person who accepts a 5-use link 10 times at once one seat, one use and one token each', async () => {
    // On PostgreSQL every accept waits for the invitation's lock with the member's membership read before it; those
    // behind the first find none, meet its insert, and run again (againAfterMembershipRace) to get its seat back.
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', usesAllowed: 5 } });
    const token = tokenOf(created.body.url);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null, body: { subject: 'same-one' } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.filter((r) => r.body.existingMembership === false)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.membership.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.redemption.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.acceptanceToken.token)).size).toBe(10);
    const invitation = (await usher.request('GET', `/v1/invitations/${created.body.id}`)).body;
    expect(invitation).toMatchObject({ status: 'pending', usesCount: 1 });
    const memberships = await usher.store.db
      .selectFrom('memberships')
      .select('id')
      .where('invitation_id', '=', invitation.id)
      .execute();
    expect(memberships).toEqual([{ id: results[0]!.body.membership.id }]);
  });

  it('lets a revoke racing with accepts leave one consistent outcome', async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', usesAllowed: 1 } });
    const token = tokenOf(created.body.url);
    const [revoke, ...accepts] = await Promise.all([
      usher.request('POST', `/v1/invitations/${created.body.id}/revoke`),
      ...Array.from({ length: 10 }, (_, i) =>
        usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null, body: { subject: `r${i}` } }),
      ),
    ]);
    const final = (await usher.request('GET', `/v1/invitations/${created.body.id}`)).body;
    const acceptedCount = accepts.filter((r) => r.status === 200).length;
    if (revoke!.status === 200) {
      expect(final.status).toBe('revoked');
      expect(acceptedCount).toBe(0);
    } else {
      expect(final.status).toBe('accepted');
      expect(acceptedCount).toBe(1);
    }
  });
});

describeEachStore('concurrent creates', (engine) => {
  const usher = useTestUsher(engine);

  it('makes one of 10 concurrent invitations to one address; the others are refused naming it', async () => {
    const body = { channel: 'email', recipient: { email: 'race@example.com' } };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => usher.request('POST', '/v1/invitations', { body })),
    );
    const made = results.filter((r) => r.status === 201);
    expect(made).toHaveLength(1);
    for (const refused of results.filter((r) => r.status !== 201)) {
      expect([refused.status, refused.body.code]).toEqual([409, 'invitation_already_pending']);
      expect(refused.body.existingInvitationId).toBe(made[0]!.body.id);
    }
  });

  it('gives 30 concurrent creates 30 distinct numbers; a duplicate purpose is refused for what it is', async () => {
    const before = (await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } })).body.number;
    const purpose = { body: { channel: 'link', purpose: 'only-one' } };
    expect((await usher.request('POST', '/v1/invitations', purpose)).status).toBe(201);
    // Refused by the unique purpose, inside the statement that takes a number on PostgreSQL.
    const taken = await usher.request('POST', '/v1/invitations', purpose);
    expect([taken.status, taken.body.code, taken.body.field]).toEqual([409, 'purpose_taken', 'body.purpose']);
    const created = await Promise.all(
      Array.from({ length: 30 }, () => usher.request('POST', '/v1/invitations', { body: { channel: 'link' } })),
    );
    const numbers = created.map((r) => r.body.number as number).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(30);
    expect(numbers[0]).toBeGreaterThan(before + 1);
    for (const { body } of created) {
      expect((await usher.request('GET', `/v1/invitations/${body.id}`)).body.number).toBe(body.number);
    }
  });
});

const postgresOnly = engines.includes('postgres') ? describe : describe.skip;

postgresOnly('an accept racing a membership given meanwhile [postgres]', () => {
  const usher = useTestUsher('postgres');

  it('renews the membership another transaction gave the member after the accept read, instead of failing', async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', role: 'editor' } });
    const token = tokenOf(created.body.url);
    const at = usher.clock.now().toISOString();
    const rival = {
      id: 'rival-membership',
      tenant_id: usher.tenant.tenant.id,
      target_key: 'tenant',
      target_type: 'tenant',
      member_key: 'subject:ann',
      member_subject: 'ann',
      role: 'viewer',
      rules: '[]',
      invitation_id: 'another-invitation',
      created_at: at,
      updated_at: at,
    };
    let accepting: Promise<TestResponse> | undefined;
    // The rival's transaction holds its membership uncommitted: the accept reads none, and its insert waits on the
    // rival's key until the rival commits, then fails; the accept runs again and finds it.
    await usher.store.db.transaction().execute(async (trx) => {
      await trx.insertInto('memberships').values(rival).execute();
      accepting = usher.request('POST', `/v1/public/invitations/${token}/accept`, {
        key: null,
        body: { subject: 'ann' },
      });
      for (let waited = 0; !(await waitingOnALock()); waited += 10) {
        if (waited > 10_000) throw new Error('the accept never waited for the rival’s membership');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    const accepted = await accepting!;
    expect(accepted.status).toBe(200);
    expect(accepted.body.membership).toMatchObject({ id: rival.id, role: 'editor', invitationId: created.body.id });
    const stored = await usher.request('GET', `/v1/memberships/${rival.id}`);
    expect(stored.body).toEqual(accepted.body.membership);
    const redemptions = await usher.store.db
      .selectFrom('redemptions')
      .select('membership_id')
      .where('invitation_id', '=', created.body.id)
      .execute();
    expect(redemptions).toEqual([{ membership_id: rival.id }]);
    const events = (await usher.request('GET', `/v1/invitations/${created.body.id}/events`)).body.data;
    expect(events.filter((e: any) => e.type === 'invitation.accepted').map((e: any) => e.data.membershipId)).toEqual([
      rival.id,
    ]);
  });

  /** Whether a backend of this database waits for a lock: the accept's insert behind the rival's key. */
  async function waitingOnALock(): Promise<boolean> {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(usher.store.db);
    return rows[0]!.n > 0;
  }
});
