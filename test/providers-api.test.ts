import { expect, it } from 'vitest';
import { useProviderSuite } from '#support/provider-suite';
import { describeEachStore } from '#support/stores';

const HOUR = 3600_000;

describeEachStore('provider accounts and the provider channel', (engine) => {
  const suite = useProviderSuite(engine);
  const { usher, account, invite, outboxOf } = suite;

  it("creates an account with the plan's limits and overrides, and never shows its API key again", async () => {
    const created = await account({ invitationsPerDay: 2 });
    expect(created).toMatchObject({
      provider: 'linkedin',
      plan: 'free',
      accountId: 'acc-1',
      limits: {
        invitationsPerDay: 2,
        invitationsPerWeek: 150,
        notesPerMonth: 5,
        noteMaxLength: 200,
        minSpacingSeconds: 120,
        jitterSeconds: 180,
      },
      limitOverrides: { invitationsPerDay: 2 },
      quota: { day: { limit: 2, used: 0, remaining: 2 }, queued: 0 },
    });
    const shown = JSON.stringify([
      created,
      (await usher.request('GET', '/v1/provider-accounts')).body,
      (await usher.request('GET', `/v1/provider-accounts/${created.id}`)).body,
    ]);
    expect(shown).not.toContain('secret-unipile-key');
    const stored = await usher.store.db
      .selectFrom('provider_accounts')
      .select('api_key')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(stored.api_key).toBe('secret-unipile-key');
  });

  it('refuses bad account input with the field at fault', async () => {
    const base = { provider: 'linkedin', dsn: 'api1.unipile.com:13111', apiKey: 'k', accountId: 'a' };
    for (const [body, field] of [
      [{ ...base, dsn: 'ftp://x' }, 'body.dsn'],
      [{ ...base, dsn: 'https://user:pw@host' }, 'body.dsn'],
      [{ ...base, dsn: 'host:1/x?y=1' }, 'body.dsn'],
      [{ ...base, provider: 'myspace' }, 'body.provider'],
      [{ ...base, apiKey: 'has space' }, 'body.apiKey'],
      [{ ...base, limits: { invitationsPerDay: 0 } }, 'body.limits.invitationsPerDay'],
      [{ ...base, limits: { perDay: 3 } }, 'body.limits.perDay'],
    ] as const) {
      const refused = await usher.request('POST', '/v1/provider-accounts', { body });
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ code: 'validation_failed', field });
    }
  });

  it('keeps accounts per tenant', async () => {
    const mine = await account();
    const other = await usher.createTenant('Other');
    const theirs = await usher.request('GET', `/v1/provider-accounts/${mine.id}`, { key: other.apiKey.key });
    expect(theirs.body).toMatchObject({ status: 404, code: 'provider_account_not_found' });
    expect((await usher.request('GET', '/v1/provider-accounts', { key: other.apiKey.key })).body.data).toEqual([]);
    expect((await invite(mine.id, 'ACo-x')).status).toBe(201);
    const across = await usher.request('POST', '/v1/invitations', {
      key: other.apiKey.key,
      body: {
        channel: 'provider',
        recipient: { provider: { provider: 'linkedin', accountId: mine.id, userId: 'ACo-y' } },
      },
    });
    expect(across.body).toMatchObject({
      status: 404,
      code: 'provider_account_not_found',
      field: 'body.recipient.provider.accountId',
    });
  });

  it('refuses provider invitations it cannot send, and stores nothing of them', async () => {
    const free = await account();
    const before = await usher.store.db
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const cases = [
      [
        await usher.request('POST', '/v1/invitations', { body: { channel: 'provider' } }),
        400,
        'provider_recipient_required',
        'body.recipient.provider',
      ],
      [
        await usher.request('POST', '/v1/invitations', {
          body: { channel: 'provider', recipient: { provider: { provider: 'linkedin', userId: 'x' } } },
        }),
        400,
        'provider_account_required',
        'body.recipient.provider.accountId',
      ],
      [
        await usher.request('POST', '/v1/invitations', {
          body: { channel: 'provider', recipient: { provider: { provider: 'xing', accountId: free.id, userId: 'x' } } },
        }),
        400,
        'provider_mismatch',
        'body.recipient.provider.provider',
      ],
      [await invite(free.id, 'ACo-long', { message: 'é'.repeat(201) }), 400, 'note_too_long', 'body.message'],
    ] as const;
    for (const [response, status, code, field] of cases)
      expect(response.body, JSON.stringify(response.body)).toMatchObject({ status, code, field });
    expect(cases[3][0].body).toMatchObject({ providerType: 'errors/too_many_characters', limit: 200 });
    // 200 characters is the free plan's limit, counted in characters, not bytes.
    expect((await invite(free.id, 'ACo-ok', { message: 'é'.repeat(200) })).status).toBe(201);
    const after = await usher.store.db
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n) + 1);
    expect((await invite(free.id, 'ACo-ok')).body).toMatchObject({ status: 409, code: 'provider_already_invited' });
    const noNotes = await account({ notesPerMonth: 0 });
    expect((await invite(noNotes.id, 'ACo-n', { message: 'hi' })).body).toMatchObject({
      status: 400,
      code: 'notes_not_allowed',
    });
    expect((await invite(noNotes.id, 'ACo-n')).status).toBe(201);
  });

  it('schedules the third invitation of a 2-a-day account for the next slot, visible in the outbox and the quota', async () => {
    const paced = await account({ invitationsPerDay: 2, minSpacingSeconds: 0, jitterSeconds: 0 });
    const now = usher.clock.now().toISOString();
    const ids: string[] = [];
    for (const userId of ['ACo-1', 'ACo-2', 'ACo-3']) {
      const created = await invite(paced.id, userId);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body).toMatchObject({
        channel: 'provider',
        status: 'pending',
        url: null,
        recipient: { provider: { provider: 'linkedin', userId } },
      });
      ids.push(created.body.id);
    }
    const rows = await Promise.all(ids.map((id) => outboxOf(id)));
    expect(rows.map((r) => r.next_attempt_at)).toEqual([now, now, new Date(Date.parse(now) + 24 * HOUR).toISOString()]);
    const quota = (await usher.request('GET', `/v1/provider-accounts/${paced.id}`)).body.quota;
    expect(quota).toMatchObject({
      day: { limit: 2, used: 2, remaining: 0 },
      queued: 1,
      nextSlot: new Date(Date.parse(now) + 24 * HOUR).toISOString(),
    });

    // The worker sends what is due, with the account's key; the third waits.
    while ((await usher.worker.runOnce()) > 0);
    // Both are due at the same moment (no spacing): the worker may send them in either order.
    expect(suite.fake.invites.map((i) => i.body.provider_id).sort()).toEqual(['ACo-1', 'ACo-2']);
    expect(suite.fake.invites[0]).toMatchObject({
      url: '/api/v1/users/invite?account_id=acc-1',
      apiKey: 'secret-unipile-key',
    });
    expect((await usher.request('GET', `/v1/invitations/${ids[0]}`)).body.delivery.provider).toMatchObject({
      state: 'sent',
    });
    expect((await usher.request('GET', `/v1/invitations/${ids[2]}`)).body.delivery.provider).toMatchObject({
      state: 'queued',
    });
    const sends = await usher.store.db
      .selectFrom('provider_sends')
      .selectAll()
      .where('invitation_id', 'in', ids)
      .orderBy('scheduled_at')
      .execute();
    expect(sends.map((s) => [s.status, s.remote_invitation_id?.replace(/\d$/, 'n') ?? null])).toEqual([
      ['sent', 'remote-n'],
      ['sent', 'remote-n'],
      ['scheduled', null],
    ]);

    usher.clock.advance(24 * HOUR);
    while ((await usher.worker.runOnce()) > 0);
    expect(suite.fake.invites.map((i) => i.body.provider_id).slice(2)).toEqual(['ACo-3']);
  });

  it('gives concurrent invitations through one account distinct slots', async () => {
    const paced = await account({ invitationsPerDay: 2, minSpacingSeconds: 0, jitterSeconds: 0 });
    const now = Date.parse(usher.clock.now().toISOString());
    const created = await Promise.all(['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((userId) => invite(paced.id, userId)));
    expect(created.map((c) => c.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const slots = (await Promise.all(created.map((c) => outboxOf(c.body.id))))
      .map((r) => Date.parse(r.next_attempt_at) - now)
      .sort((x, y) => x - y);
    // Two a day, whatever order the transactions ran in.
    expect(slots).toEqual([0, 0, 24 * HOUR, 24 * HOUR, 48 * HOUR, 48 * HOUR]);
  });

  it("keeps the provider's refusal as the delivery's result, and gives the slot back", async () => {
    const loose = await account(
      { noteMaxLength: 400, invitationsPerDay: 1, minSpacingSeconds: 0, jitterSeconds: 0 },
      'paid',
    );
    suite.fake.script.push({
      status: 400,
      body: {
        status: 400,
        type: 'errors/too_many_characters',
        title: 'Too many characters',
        detail: 'The provided content exceeds the character limit.',
      },
    });
    const created = await invite(loose.id, 'ACo-note', { message: 'x'.repeat(350) });
    expect(created.status).toBe(201);
    while ((await usher.worker.runOnce()) > 0);
    expect(suite.fake.invites).toHaveLength(1);
    expect(suite.fake.invites[0]!.body.message).toBe('x'.repeat(350));
    const row = await outboxOf(created.body.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.last_error).toContain('errors/too_many_characters');
    expect((await usher.request('GET', `/v1/provider-accounts/${loose.id}`)).body.quota.day).toMatchObject({
      used: 0,
      remaining: 1,
    });
  });

  it('invites an identity of this server directly: its tenant gets the incoming invitation in the same transaction', async () => {
    const other = await usher.createTenant('Neighbours');
    const created = await usher.request('POST', '/v1/invitations', {
      body: {
        channel: 'provider',
        recipient: { provider: { provider: 'usher', userId: other.identity.id } },
        message: 'Come and see',
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const incoming = (await usher.request('GET', '/v1/invitations?direction=incoming', { key: other.apiKey.key })).body
      .data;
    expect(incoming).toEqual([
      expect.objectContaining({
        channel: 'provider',
        direction: 'incoming',
        status: 'pending',
        identityId: other.identity.id,
        message: 'Come and see',
        recipient: expect.objectContaining({ did: usher.tenant.identity.did, name: usher.tenant.identity.displayName }),
      }),
    ]);
    expect(
      (await usher.request('POST', `/v1/invitations/${incoming[0].id}/accept`, { key: other.apiKey.key })).body,
    ).toMatchObject({ status: 'accepted' });
    const self = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'provider', recipient: { provider: { provider: 'usher', userId: usher.tenant.identity.id } } },
    });
    expect(self.body).toMatchObject({ status: 422, code: 'provider_self_invite' });
    const nobody = await usher.request('POST', '/v1/invitations', {
      body: {
        channel: 'provider',
        recipient: { provider: { provider: 'usher', userId: '0190a0b0-0000-7000-8000-000000000000' } },
      },
    });
    expect(nobody.body).toMatchObject({
      status: 404,
      code: 'provider_user_not_found',
      field: 'body.recipient.provider.userId',
    });
  });

  it('deletes an account; what still waited for it is skipped', async () => {
    const doomed = await account({ invitationsPerDay: 1, minSpacingSeconds: 0, jitterSeconds: 0 });
    await invite(doomed.id, 'ACo-d1');
    const waiting = await invite(doomed.id, 'ACo-d2');
    expect((await usher.request('DELETE', `/v1/provider-accounts/${doomed.id}`)).status).toBe(204);
    expect((await usher.request('GET', `/v1/provider-accounts/${doomed.id}`)).status).toBe(404);
    usher.clock.advance(24 * HOUR);
    while ((await usher.worker.runOnce()) > 0);
    expect(await outboxOf(waiting.body.id)).toMatchObject({ status: 'skipped' });
    expect(suite.fake.invites).toHaveLength(0);
  });
});
