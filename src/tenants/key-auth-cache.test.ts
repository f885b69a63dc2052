import { expect, it } from 'vitest';
import { createTenant, KeyAuthCache } from '#tenants';
import { describeEachStore, useScratchStore } from '#support/stores';
import { migrateToLatest } from '#db';
import { useTestUsher } from '#support/usher';

describeEachStore('authenticated keys remembered for a moment', (engine) => {
  const store = useScratchStore(engine);
  const usher = useTestUsher(engine);

  /** A fresh tenant's key, a cache over the store with a hand-moved monotonic clock, and a way to revoke behind it. */
  async function fixture(ttlMs: number) {
    await migrateToLatest(store.current.db);
    const { db } = store.current;
    const { apiKey } = await createTenant(db, { name: `T${Math.random()}` }, new Date());
    const time = { ms: 0 };
    const cache = new KeyAuthCache(db, ttlMs, () => time.ms);
    const setRevoked = (at: string | null) =>
      db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', apiKey.id).execute();
    return { cache, key: apiKey.key, time, setRevoked, now: new Date() };
  }

  it('believes a key for its time, then reads it again', async () => {
    const { cache, key, time, setRevoked, now } = await fixture(1_000);
    expect((await cache.authenticate(key, now))?.tenantId).toBeTruthy();
    // Revoked by another process: this one goes on believing the key until its second is up, and no longer.
    await setRevoked(now.toISOString());
    time.ms = 999;
    expect(await cache.authenticate(key, now)).not.toBeNull();
    time.ms = 1_000;
    expect(await cache.authenticate(key, now)).toBeNull();
  });

  it('remembers neither unknown nor revoked keys', async () => {
    const { cache, key, setRevoked, now } = await fixture(1_000);
    await setRevoked(now.toISOString());
    expect(await cache.authenticate(key, now)).toBeNull();
    await setRevoked(null);
    expect(await cache.authenticate(key, now)).not.toBeNull();
    expect(await cache.authenticate(`${key}x`, now)).toBeNull();
  });

  it('reads every time with a time of 0', async () => {
    const { cache, key, setRevoked, now } = await fixture(0);
    expect(await cache.authenticate(key, now)).not.toBeNull();
    await setRevoked(now.toISOString());
    expect(await cache.authenticate(key, now)).toBeNull();
  });

  it('forgets at once, and does not keep what a read begun before forget() saw', async () => {
    const { cache, key, setRevoked, now } = await fixture(60_000);
    expect(await cache.authenticate(key, now)).not.toBeNull();
    await setRevoked(now.toISOString());
    cache.forget();
    expect(await cache.authenticate(key, now)).toBeNull();
    await setRevoked(null);
    const started = cache.authenticate(key, now);
    cache.forget();
    expect(await started).not.toBeNull();
    await setRevoked(now.toISOString());
    expect(await cache.authenticate(key, now)).toBeNull();
  });

  it("takes a key's revocation, its quota and the tenant's rate limit at once in the app that changed them", async () => {
    const made = await usher.request('POST', '/v1/api-keys', { body: { name: 'short-lived' } });
    const key = made.body.key as string;
    const create = () => usher.request('POST', '/v1/invitations', { key, body: { channel: 'link' } });
    expect((await create()).status).toBe(201);
    const quota = { inviteQuota: { perHour: 1, perDay: null } };
    expect((await usher.request('PATCH', `/v1/api-keys/${made.body.id}`, { body: quota })).status).toBe(200);
    expect((await create()).status).toBe(201);
    expect((await create()).body.code).toBe('invite_quota_exceeded');
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
});
