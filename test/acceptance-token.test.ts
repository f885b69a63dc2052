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
      body: {
        recipient: { email: 'jwt@example.com' },
        role: 'admin',
        rules: ['Financeur'],
        target: { type: 'project', iri: 'https://example.com/p/jwt', name: 'JWT' },
      },
    });
    const accepted = await usher.request('POST', `/v1/public/invitations/${tokenOf(created.body.url)}/accept`, {
      key: null,
    });
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

  /** The accept page's answer to a form post, and the hand-off form it carries, if any. */
  async function acceptInBrowserForm(token: string) {
    const res = await usher.app.request(`/i/${token}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    const html = await res.text();
    const form = html.match(/<form id="hand-off" method="post" action="([^"]+)">/);
    const field = (name: string) => html.match(new RegExp(`<input type="hidden" name="${name}" value="([^"]+)"`))?.[1];
    return {
      res,
      html,
      action: form?.[1]?.replaceAll('&amp;', '&'),
      token: field('acceptance_token'),
      invitationId: field('invitation_id'),
    };
  }

  it("hands the token to the tenant's redirect URL in a POSTed form, never in a URL", async () => {
    await usher.request('PATCH', '/v1/tenant', {
      body: { settings: { redirectUrl: 'https://app.example.com/welcome?from=usher' } },
    });
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'redirect@example.com' } },
    });
    const answer = await acceptInBrowserForm(tokenOf(created.body.url));
    expect(answer.res.status).toBe(200);
    expect(answer.res.headers.get('location')).toBeNull();
    expect(answer.res.headers.get('cache-control')).toBe('no-store');
    expect(answer.action).toBe('https://app.example.com/welcome?from=usher');
    expect(answer.invitationId).toBe(created.body.id);
    const { payload } = await jwtVerify(answer.token!, await jwks(), { currentDate: usher.clock.now() });
    expect(payload.invitation).toBe(created.body.id);
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { redirectUrl: null } } });
  });

  it("hands off to the invitation's own redirect URL over the tenant's, in the page and the JSON answer", async () => {
    await usher.request('PATCH', '/v1/tenant', {
      body: { settings: { redirectUrl: 'https://app.example.com/tenant' } },
    });
    const body = (email: string) => ({ recipient: { email }, redirectUrl: 'https://app.example.com/teams/7/join' });
    const created = await usher.request('POST', '/v1/invitations', { body: body('own-redirect@example.com') });
    expect(created.body.redirectUrl).toBe('https://app.example.com/teams/7/join');
    expect((await acceptInBrowserForm(tokenOf(created.body.url))).action).toBe('https://app.example.com/teams/7/join');
    const other = await usher.request('POST', '/v1/invitations', { body: body('own-redirect-json@example.com') });
    const accepted = await usher.request('POST', `/v1/public/invitations/${tokenOf(other.body.url)}/accept`, {
      key: null,
    });
    expect(accepted.body).toMatchObject({
      invitationId: other.body.id,
      redirectUrl: 'https://app.example.com/teams/7/join',
    });
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { redirectUrl: null } } });
  });

  it("signs who invited into the invited_by claim: the request's sender, else the identity", async () => {
    const invitedBy = { id: 'user-7', name: 'Ada Lovelace', email: 'ada@example.com' };
    const named = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'by-ada@example.com' }, invitedBy },
    });
    const unnamed = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'by-nobody@example.com' } },
    });
    const claim = async (created: { body: { url: string } }) => {
      const accepted = await usher.request('POST', `/v1/public/invitations/${tokenOf(created.body.url)}/accept`, {
        key: null,
      });
      return (await jwtVerify(accepted.body.acceptanceToken.token, await jwks(), { currentDate: usher.clock.now() }))
        .payload.invited_by;
    };
    expect(await claim(named)).toEqual(invitedBy);
    expect(await claim(unnamed)).toEqual({ id: null, name: usher.tenant.identity.displayName, email: null });
  });

  it('keeps verifying tokens signed before a key rotation', async () => {
    const before = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'rot1@example.com' } },
    });
    const old = (
      await usher.request('POST', `/v1/public/invitations/${tokenOf(before.body.url)}/accept`, { key: null })
    ).body.acceptanceToken.token;
    const rotated = await usher.request('POST', '/v1/signing-keys/rotate');
    expect(rotated.status).toBe(201);
    const after = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'rot2@example.com' } },
    });
    const fresh = (
      await usher.request('POST', `/v1/public/invitations/${tokenOf(after.body.url)}/accept`, { key: null })
    ).body.acceptanceToken.token;
    const set = await jwks();
    const a = await jwtVerify(old, set, { currentDate: usher.clock.now() });
    const b = await jwtVerify(fresh, set, { currentDate: usher.clock.now() });
    expect(a.protectedHeader.kid).not.toBe(b.protectedHeader.kid);
    expect(b.protectedHeader.kid).toBe(rotated.body.kid);
  });
});
