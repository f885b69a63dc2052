import { beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

/** 10:15:00 UTC: 45 minutes left in the hour, 13 h 45 min in the day. */
const QUARTER_PAST_TEN = new Date('2031-03-04T10:15:00.000Z');

describeEachStore('invitation quotas per key and per inviter', (engine) => {
  const usher = useTestUsher(engine);
  let serial = 0;

  beforeEach(() => usher.clock.set(QUARTER_PAST_TEN));

  const makeKey = async (inviteQuota?: unknown) => {
    const made = await usher.request('POST', '/v1/api-keys', {
      body: { name: `key ${++serial}`, ...(inviteQuota !== undefined ? { inviteQuota } : {}) },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    return made.body as { id: string; key: string; inviteQuota: unknown };
  };
  const invite = (key: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    usher.request('POST', '/v1/invitations', { key, headers, body: { channel: 'link', ...body } });
  const setQuotas = async (inviteQuotas: unknown) => {
    const res = await usher.request('PATCH', '/v1/tenant', { body: { settings: { inviteQuotas } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  it('refuses the 4th invitation of a key with 3 an hour, naming the quota, and serves another key', async () => {
    const limited = await makeKey({ perHour: 3, perDay: null });
    expect(limited.inviteQuota).toEqual({ perHour: 3, perDay: null });
    for (let i = 0; i < 3; i++) expect((await invite(limited.key)).status).toBe(201);
    const refused = await invite(limited.key);
    expect(refused.status, JSON.stringify(refused.body)).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.headers.get('retry-after')).toBe(String(45 * 60));
    expect(refused.body).toMatchObject({
      code: 'invite_quota_exceeded',
      quota: { subject: 'key', id: limited.id, period: 'hour', limit: 3 },
      retryAfterSeconds: 45 * 60,
    });
    expect((await invite((await makeKey()).key)).status).toBe(201);
    // The next hour frees it.
    usher.clock.advance(45 * 60 * 1000);
    expect((await invite(limited.key)).status).toBe(201);
  });

  it('writes nothing for a refused invitation: raising the quota by one admits exactly one more', async () => {
    const limited = await makeKey({ perHour: 1, perDay: null });
    expect((await invite(limited.key, { label: 'first' })).status).toBe(201);
    expect((await invite(limited.key, { label: 'refused' })).status).toBe(429);
    const raised = await usher.request('PATCH', `/v1/api-keys/${limited.id}`, {
      body: { inviteQuota: { perHour: 2, perDay: null } },
    });
    expect(raised.status, JSON.stringify(raised.body)).toBe(200);
    expect((await invite(limited.key, { label: 'second' })).status).toBe(201);
    expect((await invite(limited.key, { label: 'third' })).status).toBe(429);
    const listed = await usher.request('GET', '/v1/invitations?limit=200');
    expect(listed.body.data.filter((i: { label: string }) => i.label === 'refused')).toEqual([]);
  });

  it('refuses a duplicate for what it is, without using the quota: the one left still admits an invitation', async () => {
    const limited = await makeKey({ perHour: 2, perDay: null });
    const email = { channel: 'email', recipient: { email: 'twice@example.com' } };
    expect((await invite(limited.key, email)).status).toBe(201);
    const duplicate = await invite(limited.key, email);
    expect([duplicate.status, duplicate.body.code]).toEqual([409, 'invitation_already_pending']);
    expect((await invite(limited.key)).status).toBe(201);
    expect((await invite(limited.key)).status).toBe(429);
  });

  it("uses the tenant's default key quota, and a key's own day quota over it", async () => {
    await setQuotas({ perKey: { perHour: 2, perDay: null } });
    try {
      const byDefault = await makeKey();
      expect((await invite(byDefault.key)).status).toBe(201);
      expect((await invite(byDefault.key)).status).toBe(201);
      expect((await invite(byDefault.key)).body).toMatchObject({ quota: { subject: 'key', period: 'hour', limit: 2 } });
      const own = await makeKey({ perHour: null, perDay: 1 });
      expect((await invite(own.key)).status).toBe(201);
      const refused = await invite(own.key);
      expect(refused.body).toMatchObject({ quota: { subject: 'key', period: 'day', limit: 1 } });
      expect(refused.headers.get('retry-after')).toBe(String((13 * 60 + 45) * 60));
    } finally {
      await setQuotas({ perKey: { perHour: null, perDay: null } });
    }
  });

  it('counts two invitedBy.id users of one key apart, and gives a named user their own quota', async () => {
    await setQuotas({
      perInviter: { perHour: null, perDay: 2 },
      inviters: { 'user-vip': { perHour: 3, perDay: null } },
    });
    try {
      const { key } = await makeKey();
      const by = (id: string) => ({ invitedBy: { id, name: id } });
      expect((await invite(key, by('user-a'))).status).toBe(201);
      expect((await invite(key, by('user-a'))).status).toBe(201);
      const refused = await invite(key, by('user-a'));
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({
        code: 'invite_quota_exceeded',
        field: 'body.invitedBy.id',
        quota: { subject: 'inviter', id: 'user-a', period: 'day', limit: 2 },
      });
      expect((await invite(key, by('user-b'))).status).toBe(201);
      expect((await invite(key, by('user-b'))).status).toBe(201);
      // Without an id there is no one to count but the key, which has no quota.
      expect((await invite(key, { invitedBy: { name: 'Nobody' } })).status).toBe(201);
      for (let i = 0; i < 3; i++) expect((await invite(key, by('user-vip'))).status).toBe(201);
      expect((await invite(key, by('user-vip'))).body).toMatchObject({ quota: { id: 'user-vip', period: 'hour' } });
    } finally {
      await setQuotas({ perInviter: { perHour: null, perDay: null }, inviters: {} });
    }
  });

  it('counts each bulk item: a bulk of 5 with 3 left makes 3 and says why the other 2 were not', async () => {
    const limited = await makeKey({ perHour: 3, perDay: null });
    const items = [1, 2, 3, 4, 5].map((n) => ({ recipient: { email: `bulk-quota-${serial}-${n}@example.com` } }));
    const res = await usher.request('POST', '/v1/invitations/bulk', {
      key: limited.key,
      body: { defaults: { channel: 'email' }, items },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.summary).toEqual({ created: 3, duplicate: 0, invalid: 2 });
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual([
      'created',
      'created',
      'created',
      'invalid',
      'invalid',
    ]);
    expect(res.body.results[3].problem).toMatchObject({
      code: 'invite_quota_exceeded',
      quota: { subject: 'key', id: limited.id, period: 'hour', limit: 3 },
      retryAfterSeconds: 45 * 60,
    });
  });

  it('does not count an idempotent replay', async () => {
    const limited = await makeKey({ perHour: 2, perDay: null });
    const once = { 'idempotency-key': `quota-replay-${serial}` };
    const first = await invite(limited.key, { label: 'once' }, once);
    expect(first.status).toBe(201);
    const replay = await invite(limited.key, { label: 'once' }, once);
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
    expect((await invite(limited.key)).status).toBe(201);
    expect((await invite(limited.key)).status).toBe(429);
  });

  it('lets a limited key make or set keys only within its own quota, and inherit it by default', async () => {
    const limited = await usher.request('POST', '/v1/api-keys', {
      body: { name: `limited maker ${++serial}`, inviteQuota: { perHour: 5, perDay: null } },
    });
    const maker = limited.body.key as string;
    const inherited = await usher.request('POST', '/v1/api-keys', { key: maker, body: { name: 'child' } });
    expect(inherited.status, JSON.stringify(inherited.body)).toBe(201);
    expect(inherited.body.inviteQuota).toEqual({ perHour: 5, perDay: null });
    for (const inviteQuota of [null, { perHour: 6, perDay: null }, { perHour: null, perDay: 100 }]) {
      const wider = await usher.request('POST', '/v1/api-keys', { key: maker, body: { name: 'wider', inviteQuota } });
      expect(wider.status, JSON.stringify(inviteQuota)).toBe(403);
      expect(wider.body).toMatchObject({ code: 'invite_quota_above_own', field: 'body.inviteQuota' });
    }
    const lifted = await usher.request('PATCH', `/v1/api-keys/${inherited.body.id}`, {
      key: maker,
      body: { inviteQuota: null },
    });
    expect(lifted.status).toBe(403);
    const narrower = await usher.request('POST', '/v1/api-keys', {
      key: maker,
      body: { name: 'narrower', inviteQuota: { perHour: 2, perDay: 10 } },
    });
    expect(narrower.status).toBe(201);
  });

  it('replaces only the members a settings patch names: perKey alone keeps the named inviters', async () => {
    const inviters = { 'user-1': { perHour: 1, perDay: null } };
    await setQuotas({ inviters });
    await setQuotas({ perKey: { perHour: 9, perDay: null } });
    const { inviteQuotas } = (await usher.request('GET', '/v1/tenant')).body.settings;
    expect(inviteQuotas).toMatchObject({ perKey: { perHour: 9, perDay: null }, inviters });
    await setQuotas({ perKey: { perHour: null, perDay: null }, inviters: {} });
  });

  it('refuses a key changing its own quota, and a quota that is not a count, naming the field', async () => {
    const own = await usher.request('PATCH', `/v1/api-keys/${usher.tenant.apiKey.id}`, {
      body: { inviteQuota: null },
    });
    expect(own.status).toBe(403);
    expect(own.body).toMatchObject({ code: 'api_key_own_quota', field: 'path.id' });
    const bad = await usher.request('PATCH', '/v1/tenant', {
      body: { settings: { inviteQuotas: { perKey: { perHour: -1 } } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('body.settings.inviteQuotas.perKey.perHour');
  });
});
