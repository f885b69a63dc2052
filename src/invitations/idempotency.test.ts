import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

describeEachStore('Idempotency-Key on create', (engine) => {
  const usher = useTestUsher(engine);
  const create = (key: string, body: unknown) =>
    usher.request('POST', '/v1/invitations', { body, headers: { 'idempotency-key': key } });

  it('returns the same invitation for the same key and body, with its live link derived again', async () => {
    const body = { recipient: { email: 'idem@example.com' }, role: 'admin' };
    const first = await create('k-1', body);
    const second = await create('k-1', body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    // Nothing of the link was stored with the replay: it is the one live link, recomputed from the server secret.
    expect(second.body).toEqual(first.body);
    const listed = (await usher.request('GET', '/v1/invitations?email=idem@example.com')).body.data;
    expect(listed).toHaveLength(1);
  });

  it('refuses the same key with another body with 422', async () => {
    await create('k-2', { channel: 'link', label: 'one' });
    const res = await create('k-2', { channel: 'link', label: 'two' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('idempotency_key_reused');
    expect(res.body.field).toBe('header.idempotency-key');
  });

  it('creates one invitation when the same request races with itself', async () => {
    const body = { channel: 'link', label: 'race' };
    const results = await Promise.all(Array.from({ length: 8 }, () => create('k-race', body)));
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
  });

  it('keeps keys per tenant', async () => {
    const other = await usher.createTenant('Other');
    const mine = await create('k-shared', { channel: 'link' });
    const theirs = await usher.request('POST', '/v1/invitations', {
      key: other.apiKey.key,
      body: { channel: 'link' },
      headers: { 'idempotency-key': 'k-shared' },
    });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('forgets a key after 24 hours', async () => {
    const first = await create('k-old', { channel: 'link' });
    usher.clock.advance(24 * 3600 * 1000 + 1000);
    const later = await create('k-old', { channel: 'link' });
    expect(later.body.id).not.toBe(first.body.id);
    expect(later.body.url).toMatch(/\/i\//);
  });
});
