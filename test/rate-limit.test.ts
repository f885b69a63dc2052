import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

describeEachStore("a tenant's rate limit", (engine) => {
  const usher = useTestUsher(engine);

  it('answers 429 with Retry-After past the limit, for this tenant only, until the next minute', async () => {
    const other = await usher.createTenant('Unlimited');
    usher.clock.set(new Date('2026-11-25T10:00:30.000Z'));
    expect((await usher.request('PATCH', '/v1/tenant', { body: { settings: { rateLimitPerMinute: 3 } } })).status).toBe(
      200,
    );
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await usher.request('GET', '/v1/invitations')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await usher.request('GET', '/v1/identities');
    expect(refused).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(refused.headers.get('retry-after')).toBe('30');
    expect((await usher.request('GET', '/v1/invitations', { key: other.apiKey.key })).status).toBe(200);

    usher.clock.advance(30_000);
    expect((await usher.request('GET', '/v1/invitations')).status).toBe(200);
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { rateLimitPerMinute: null } } });
  });

  it('numbers invitations with integers, in creation order', async () => {
    const first = (await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } })).body;
    const second = (await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } })).body;
    expect(Number.isInteger(first.number), JSON.stringify(first)).toBe(true);
    expect(second.number).toBeGreaterThan(first.number);
  });
});
