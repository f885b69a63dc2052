import { decodeProtectedHeader } from 'jose';
import { expect, it } from 'vitest';
import { forgetRemembered } from '#db';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';

// Keys, inviters, signing keys and webhook endpoints are believed for a while (USHER_CONFIG_CACHE_MS); a minute here,
// so that a change seen at once was forgotten on purpose, not by the clock.
describeEachStore('what a process remembers of keys and tenants', (engine) => {
  const usher = useTestUsher(engine, { configCacheMs: 60_000 });
  const create = (body: Record<string, unknown> = {}, key?: string) =>
    usher.request('POST', '/v1/invitations', { body: { channel: 'link', ...body }, ...(key ? { key } : {}) });
  const accept = (created: { body: { url: string } }) =>
    usher.request('POST', `/v1/public/invitations/${tokenOf(created.body.url)}/accept`, {
      key: null,
      body: { subject: 'member-1' },
    });

  it("takes a key's revocation, its quota and the tenant's rate limit at once", async () => {
    const made = await usher.request('POST', '/v1/api-keys', { body: { name: 'short-lived' } });
    const key = made.body.key as string;
    expect((await create({}, key)).status).toBe(201);
    const quota = { inviteQuota: { perHour: 1, perDay: null } };
    expect((await usher.request('PATCH', `/v1/api-keys/${made.body.id}`, { body: quota })).status).toBe(200);
    expect((await create({}, key)).status).toBe(201);
    expect((await create({}, key)).body.code).toBe('invite_quota_exceeded');
    // With no limit, requests are not counted: the first after the limit is set passes, the second does not.
    const limit = (rateLimitPerMinute: number | null) =>
      usher.request('PATCH', '/v1/tenant', { body: { settings: { rateLimitPerMinute } } });
    expect((await limit(1)).status).toBe(200);
    expect((await usher.request('GET', '/v1/invitations', { key })).status).toBe(200);
    expect((await usher.request('GET', '/v1/invitations', { key })).status).toBe(429);
    usher.clock.advance(60_000);
    expect((await limit(null)).status).toBe(200);
    expect((await usher.request('GET', '/v1/invitations', { key })).status).toBe(200);
    expect((await usher.request('DELETE', `/v1/api-keys/${made.body.id}`)).status).toBe(200);
    expect((await usher.request('GET', '/v1/invitations', { key })).status).toBe(401);
  });

  it("takes an identity's rename and disabling at once: the accept page and the next create", async () => {
    const identity = await usher.request('POST', '/v1/identities', { body: { displayName: 'Sales', handle: 'sales' } });
    const created = await create({ identityId: identity.body.id });
    const page = () => usher.request('GET', `/v1/public/invitations/${tokenOf(created.body.url)}`, { key: null });
    expect((await page()).body.inviter.displayName).toBe('Sales');
    const patch = (body: Record<string, unknown>) =>
      usher.request('PATCH', `/v1/identities/${identity.body.id}`, { body });
    expect((await patch({ displayName: 'Sales team' })).status).toBe(200);
    expect((await page()).body.inviter.displayName).toBe('Sales team');
    expect((await patch({ status: 'disabled' })).status).toBe(200);
    expect((await create({ identityId: identity.body.id })).body.code).toBe('identity_disabled');
  });

  it('gives a webhook endpoint the next event at once, and a deleted one none', async () => {
    const queued = async (invitationId: string) =>
      (
        await usher.store.db
          .selectFrom('outbox')
          .select('id')
          .where('invitation_id', '=', invitationId)
          .where('topic', '=', 'webhook')
          .execute()
      ).length;
    expect(await queued((await create()).body.id)).toBe(0);
    const endpoint = await usher.request('POST', '/v1/webhooks', {
      body: { url: 'https://hooks.example.com/usher', events: ['invitation.created'] },
    });
    expect(endpoint.status).toBe(201);
    expect(await queued((await create()).body.id)).toBe(1);
    expect((await usher.request('DELETE', `/v1/webhooks/${endpoint.body.id}`)).status).toBe(204);
    expect(await queued((await create()).body.id)).toBe(0);
  });

  it('signs with a rotated key from the next accept on', async () => {
    // The tenant's first accept makes its key, which is not remembered (its transaction might roll back); the next
    // reads it.
    await accept(await create());
    const before = await accept(await create());
    const rotated = await usher.request('POST', '/v1/signing-keys/rotate');
    const after = await accept(await create());
    expect(decodeProtectedHeader(before.body.acceptanceToken.token).kid).not.toBe(rotated.body.kid);
    expect(decodeProtectedHeader(after.body.acceptanceToken.token).kid).toBe(rotated.body.kid);
  });

  it('believes what it read until it forgets, when the change came from elsewhere', async () => {
    const identity = await usher.request('POST', '/v1/identities', { body: { displayName: 'Elsewhere' } });
    expect((await create({ identityId: identity.body.id })).status).toBe(201);
    // Written straight to the database, as another process would: this one goes on believing the identity active.
    await usher.store.db
      .updateTable('identities')
      .set({ status: 'disabled' })
      .where('id', '=', identity.body.id)
      .execute();
    expect((await create({ identityId: identity.body.id })).status).toBe(201);
    forgetRemembered();
    expect((await create({ identityId: identity.body.id })).body.code).toBe('identity_disabled');
  });
});
