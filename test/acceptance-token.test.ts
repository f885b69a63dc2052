import { createLocalJWKSet, jwtVerify } from 'jose';
import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { PUBLIC_URL, tokenOf, useTestUsher } from '#support/usher';

describeEachStore('the signed acceptance token', (engine) => {
  const usher = useTestUsher(engine);

  async function jwks() {
    const res = await usher.app.request('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    return createLocalJWKSet((await res.json()) as never);
  }

  it('comes with every acceptance and verifies against the published JWKS with an independent JOSE library', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'jwt@example.com' }, role: 'admin', rules: ['Financeur'], target: { type: 'project', iri: 'https://example.com/p/jwt', name: 'JWT' } },
    });
    const accepted = await usher.request('POST', `/v1/public/invitations/${tokenOf(created.body.url)}/accept`, { key: null });
    const { payload, protectedHeader } = await jwtVerify(accepted.body.acceptanceToken.token, await jwks(), {
      issuer: PUBLIC_URL,
      audience: usher.tenant.tenant.id,
      currentDate: usher.clock.now(),
    });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload).toMatchObject({
      sub: 'email:jwt@example.com',
      invitation: created.body.id,
      tenant: usher.tenant.tenant.id,
      target: { type: 'project', iri: 'https://example.com/p/jwt' },
      role: 'admin',
      rules: ['Financeur'],
      recipient: { email: 'jwt@example.com' },
      redemption: accepted.body.redemption.id,
      membership: accepted.body.membership.id,
    });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(600);
  });

  it('ends the accept page at the tenant\'s redirect URL, carrying the token', async () => {
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { redirectUrl: 'https://app.example.com/welcome?from=usher' } } });
    const created = await usher.request('POST', '/v1/invitations', { body: { recipient: { email: 'redirect@example.com' } } });
    const res = await usher.app.request(`/i/${tokenOf(created.body.url)}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://app.example.com/welcome');
    expect(location.searchParams.get('from')).toBe('usher');
    const { payload } = await jwtVerify(location.searchParams.get('acceptance_token')!, await jwks(), { currentDate: usher.clock.now() });
    expect(payload.invitation).toBe(created.body.id);
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { redirectUrl: null } } });
  });

  it('keeps verifying tokens signed before a key rotation', async () => {
    const before = await usher.request('POST', '/v1/invitations', { body: { recipient: { email: 'rot1@example.com' } } });
    const old = (await usher.request('POST', `/v1/public/invitations/${tokenOf(before.body.url)}/accept`, { key: null })).body.acceptanceToken.token;
    const rotated = await usher.request('POST', '/v1/signing-keys/rotate');
    expect(rotated.status).toBe(201);
    const after = await usher.request('POST', '/v1/invitations', { body: { recipient: { email: 'rot2@example.com' } } });
    const fresh = (await usher.request('POST', `/v1/public/invitations/${tokenOf(after.body.url)}/accept`, { key: null })).body.acceptanceToken.token;
    const set = await jwks();
    const a = await jwtVerify(old, set, { currentDate: usher.clock.now() });
    const b = await jwtVerify(fresh, set, { currentDate: usher.clock.now() });
    expect(a.protectedHeader.kid).not.toBe(b.protectedHeader.kid);
    expect(b.protectedHeader.kid).toBe(rotated.body.kid);
  });
});
