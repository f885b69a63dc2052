import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';

describeEachStore('secrets at rest', (engine) => {
  const usher = useTestUsher(engine);

  it('stores neither API keys nor invitation tokens, and their stored hashes open nothing', async () => {
    const key = (await usher.request('POST', '/v1/api-keys', { body: { name: 'deploy' } })).body.key as string;
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
    const token = tokenOf(created.body.url);
    const secrets = [key, token, usher.tenant.apiKey.key];

    // Every column of every table, as text: no secret appears anywhere, whole or in part.
    const db = usher.store.db;
    const tables = [
      'tenants',
      'api_keys',
      'identities',
      'contacts',
      'invitations',
      'invitation_tokens',
      'redemptions',
      'memberships',
      'invitation_events',
      'idempotency_keys',
    ] as const;
    for (const table of tables) {
      const dump = JSON.stringify(await db.selectFrom(table).selectAll().execute());
      for (const secret of secrets) {
        expect(dump.includes(secret), `${table} holds a secret`).toBe(false);
        expect(dump.includes(secret.slice(-20)), `${table} holds part of a secret`).toBe(false);
      }
    }

    const keyRows = await db.selectFrom('api_keys').select(['key_hash', 'prefix']).execute();
    const tokenRow = await db
      .selectFrom('invitation_tokens')
      .select('token_hash')
      .where('invitation_id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    for (const row of keyRows) {
      expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.prefix.length).toBeLessThanOrEqual(10);
      const asKey = await usher.request('GET', '/v1/tenant', { key: row.key_hash });
      expect(asKey.status).toBe(401);
    }
    expect(tokenRow.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await usher.request('GET', `/v1/public/invitations/${tokenRow.token_hash}`, { key: null })).status).toBe(
      404,
    );
    expect(
      (await usher.request('POST', `/v1/public/invitations/${tokenRow.token_hash}/accept`, { key: null })).status,
    ).toBe(404);
  });

  it('mints tokens with at least 128 bits of randomness', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
      tokens.add(tokenOf(created.body.url));
    }
    expect(tokens.size).toBe(20);
    for (const token of tokens) expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
  });

  it('shows a key once, lists it without the secret, and a revoked key stops working', async () => {
    const created = await usher.request('POST', '/v1/api-keys', { body: { name: 'temporary' } });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^usk_/);
    expect((await usher.request('GET', '/v1/tenant', { key: created.body.key })).status).toBe(200);
    expect(
      (await usher.request('GET', '/v1/tenant', { key: null, headers: { 'x-api-key': created.body.key } })).status,
    ).toBe(200);
    expect(
      (await usher.request('GET', '/v1/tenant', { key: null, headers: { 'tnt-subscription-key': created.body.key } }))
        .status,
    ).toBe(200);
    const listed = (await usher.request('GET', '/v1/api-keys')).body.data.find((k: any) => k.id === created.body.id);
    expect(listed).toMatchObject({ name: 'temporary', prefix: created.body.key.slice(0, 10), revokedAt: null });
    expect(listed.key).toBeUndefined();
    const revoked = await usher.request('DELETE', `/v1/api-keys/${created.body.id}`);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await usher.request('GET', '/v1/tenant', { key: created.body.key })).status).toBe(401);
  });

  it('refuses to let a key revoke itself, so a tenant cannot lock itself out by accident', async () => {
    const res = await usher.request('DELETE', `/v1/api-keys/${usher.tenant.apiKey.id}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('api_key_in_use');
  });
});
