import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';

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
