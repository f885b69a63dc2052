import { OpenAPIHono } from '@hono/zod-openapi';
import { unrestrictedRights } from '#common/rights';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { expect, it } from 'vitest';
import type { AppEnv } from '#http/auth';
import { describeEachStore } from '#support/stores';
import { PUBLIC_URL, useTestUsher } from '#support/usher';
import {
  createJwksRoutes,
  createSigningKeyRoutes,
  getActiveSigningKey,
  issueAcceptanceToken,
  rotateSigningKey,
  type AcceptanceTokenInput,
} from './index';

const DAY_MS = 24 * 60 * 60 * 1000;

describeEachStore('acceptance tokens', (engine) => {
  const usher = useTestUsher(engine);
  const tenantId = () => usher.tenant.tenant.id;

  /** The routes as app.ts will mount them, with auth fixed to one tenant. */
  function testApp(asTenant = tenantId()) {
    const deps = { db: usher.store.db, clock: usher.clock };
    const app = new OpenAPIHono<AppEnv>();
    app.route('/', createJwksRoutes(deps));
    app.use('/v1/*', async (c, next) => {
      c.set('auth', { tenantId: asTenant, apiKeyId: 'x', operator: false, rights: unrestrictedRights() });
      await next();
    });
    app.route('/v1', createSigningKeyRoutes({ ...deps, audit: usher.audit }));
    return app;
  }

  async function fetchJwks(): Promise<JSONWebKeySet> {
    return (await testApp().request('/.well-known/jwks.json')).json();
  }

  async function verify(token: string, options: { issuer?: string; audience?: string } = {}) {
    return jwtVerify(token, createLocalJWKSet(await fetchJwks()), {
      issuer: options.issuer ?? PUBLIC_URL,
      audience: options.audience ?? tenantId(),
      algorithms: ['EdDSA'],
      currentDate: usher.clock.now(),
    });
  }

  const acceptance = (overrides: Partial<AcceptanceTokenInput> = {}): AcceptanceTokenInput => ({
    tenantId: tenantId(),
    issuer: PUBLIC_URL,
    invitationId: 'inv-1',
    redemptionId: 'red-1',
    target: { type: 'project', iri: 'https://example.com/projects/1', name: 'Project One' },
    role: 'editor',
    rules: ['read', 'write'],
    recipient: {
      key: 'email:ann@example.com',
      email: 'ann@example.com',
      did: null,
      actorIri: null,
      subject: 'user-42',
      name: 'Ann',
    },
    membershipId: 'mem-1',
    invitedBy: { id: 'user-7', name: 'Ada Lovelace', email: 'ada@example.com' },
    ...overrides,
  });

  it('issues a token that verifies against the published JWKS and carries every claim', async () => {
    const now = usher.clock.now();
    const issued = await issueAcceptanceToken(usher.store.db, acceptance(), now);
    const { payload, protectedHeader } = await verify(issued.token);
    const iat = Math.floor(now.getTime() / 1000);
    expect(protectedHeader).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: issued.kid });
    expect(payload).toEqual({
      iss: PUBLIC_URL,
      aud: tenantId(),
      sub: 'email:ann@example.com',
      iat,
      nbf: iat,
      exp: iat + 300,
      jti: 'red-1',
      invitation: 'inv-1',
      tenant: tenantId(),
      target: { type: 'project', iri: 'https://example.com/projects/1', name: 'Project One' },
      role: 'editor',
      rules: ['read', 'write'],
      recipient: {
        key: 'email:ann@example.com',
        email: 'ann@example.com',
        did: null,
        actorIri: null,
        subject: 'user-42',
        name: 'Ann',
      },
      redemption: 'red-1',
      membership: 'mem-1',
      invited_by: { id: 'user-7', name: 'Ada Lovelace', email: 'ada@example.com' },
    });
    expect(issued.expiresAt).toBe(new Date((iat + 300) * 1000).toISOString());
    expect(issued.kid).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("issues inside the caller's transaction, making the first key there", async () => {
    const { tenant } = await usher.createTenant('In a transaction');
    const issued = await usher.store.db
      .transaction()
      .execute((trx) => issueAcceptanceToken(trx, acceptance({ tenantId: tenant.id }), usher.clock.now()));
    expect((await verify(issued.token, { audience: tenant.id })).protectedHeader.kid).toBe(issued.kid);
  });

  it('serves the JWKS publicly with a five-minute cache as JSON', async () => {
    await getActiveSigningKey(usher.store.db, tenantId(), usher.clock.now());
    const response = await testApp().request('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('refuses a token whose payload differs by one byte', async () => {
    const { token } = await issueAcceptanceToken(usher.store.db, acceptance(), usher.clock.now());
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const original = Buffer.from(payload, 'base64url');
    const changed = Buffer.from(original.toString('utf8').replace('"role":"editor"', '"role":"editos"'), 'utf8');
    expect(changed.length).toBe(original.length);
    expect(changed.filter((byte, i) => byte !== original[i])).toHaveLength(1);
    await expect(verify(`${header}.${changed.toString('base64url')}.${signature}`)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('refuses a token presented to another tenant or claimed by another issuer', async () => {
    const { token } = await issueAcceptanceToken(usher.store.db, acceptance(), usher.clock.now());
    await expect(verify(token, { audience: 'another-tenant' })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'aud',
    });
    await expect(verify(token, { issuer: 'https://elsewhere.test' })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'iss',
    });
  });

  it('keeps verifying tokens signed before a rotation and signs new ones with the new key', async () => {
    const before = await issueAcceptanceToken(usher.store.db, acceptance(), usher.clock.now());
    const rotated = await testApp().request('/v1/signing-keys/rotate', { method: 'POST' });
    expect(rotated.status).toBe(201);
    const newKey = await rotated.json();
    expect(newKey).toMatchObject({
      status: 'active',
      retiredAt: null,
      publicJwk: { kid: newKey.kid, kty: 'OKP', crv: 'Ed25519' },
    });
    expect(newKey.kid).not.toBe(before.kid);

    const after = await issueAcceptanceToken(usher.store.db, acceptance({ redemptionId: 'red-2' }), usher.clock.now());
    expect(after.kid).toBe(newKey.kid);
    expect(decodeProtectedHeader(after.token).kid).toBe(newKey.kid);
    expect((await verify(after.token)).payload.jti).toBe('red-2');
    expect((await verify(before.token)).payload.jti).toBe('red-1');

    const listed = (await (await testApp().request('/v1/signing-keys')).json()).data;
    expect(listed.filter((k: any) => k.status === 'active').map((k: any) => k.kid)).toEqual([newKey.kid]);
    expect(listed.find((k: any) => k.kid === before.kid)).toMatchObject({
      status: 'retired',
      retiredAt: usher.clock.now().toISOString(),
    });
  });

  it('refuses a token once it has expired', async () => {
    const { token } = await issueAcceptanceToken(usher.store.db, acceptance({ ttlSeconds: 60 }), usher.clock.now());
    await expect(verify(token)).resolves.toBeTruthy();
    usher.clock.advance(61_000);
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it('leaves exactly one active key when first calls for a new tenant race', async () => {
    const { tenant } = await usher.createTenant('Racing');
    const now = usher.clock.now();
    const keys = await Promise.all(
      Array.from({ length: 8 }, () => getActiveSigningKey(usher.store.db, tenant.id, now)),
    );
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    const active = await usher.store.db
      .selectFrom('signing_keys')
      .select('kid')
      .where('tenant_id', '=', tenant.id)
      .where('status', '=', 'active')
      .execute();
    expect(active).toEqual([{ kid: keys[0]!.kid }]);
  });

  it('signs with the newest active key, the greater kid breaking a tie, should two ever be active', async () => {
    const { tenant } = await usher.createTenant('Two keys');
    const first = await getActiveSigningKey(usher.store.db, tenant.id, usher.clock.now());
    const copy = await usher.store.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('kid', '=', first.kid)
      .executeTakeFirstOrThrow();
    const later = { ...copy, created_at: '2999-01-01T00:00:00.000Z' };
    await usher.store.db
      .insertInto('signing_keys')
      .values([
        { ...later, kid: 'kid-a' },
        { ...later, kid: 'kid-b' },
      ])
      .execute();
    expect((await getActiveSigningKey(usher.store.db, tenant.id, usher.clock.now())).kid).toBe('kid-b');
  });

  it('leaves exactly one active key when rotations race', async () => {
    const { tenant } = await usher.createTenant('Rotating');
    const now = usher.clock.now();
    await Promise.all(Array.from({ length: 5 }, () => rotateSigningKey(usher.store.db, tenant.id, now)));
    const rows = await usher.store.db
      .selectFrom('signing_keys')
      .select(['status'])
      .where('tenant_id', '=', tenant.id)
      .execute();
    expect(rows.filter((r) => r.status === 'active')).toHaveLength(1);
    expect(rows.filter((r) => r.status === 'retired')).toHaveLength(4);
  });

  it('never shows private key material in the JWKS or the key list', async () => {
    await getActiveSigningKey(usher.store.db, tenantId(), usher.clock.now());
    const jwks = await fetchJwks();
    const listed = await (await testApp().request('/v1/signing-keys')).json();
    const secrets = (await usher.store.db.selectFrom('signing_keys').select('private_key').execute())
      .map((r) => r.private_key)
      .filter(Boolean);
    expect(secrets.length).toBeGreaterThan(0);
    for (const text of [JSON.stringify(jwks), JSON.stringify(listed)]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/"(d|private_?key|privateKey)"/i);
    }
    for (const jwk of jwks.keys) expect(Object.keys(jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
  });

  it("lists only the calling tenant's keys", async () => {
    const { tenant } = await usher.createTenant('Other');
    const theirs = await getActiveSigningKey(usher.store.db, tenant.id, usher.clock.now());
    const mine = (await (await testApp().request('/v1/signing-keys')).json()).data.map((k: any) => k.kid);
    expect(mine).not.toContain(theirs.kid);
    expect((await (await testApp(tenant.id).request('/v1/signing-keys')).json()).data.map((k: any) => k.kid)).toEqual([
      theirs.kid,
    ]);
  });

  it('drops keys retired more than 30 days ago from the JWKS but still lists them', async () => {
    const retired = await getActiveSigningKey(usher.store.db, tenantId(), usher.clock.now());
    await rotateSigningKey(usher.store.db, tenantId(), usher.clock.now());
    usher.clock.advance(29 * DAY_MS);
    expect((await fetchJwks()).keys.map((k) => k.kid)).toContain(retired.kid);
    usher.clock.advance(2 * DAY_MS);
    expect((await fetchJwks()).keys.map((k) => k.kid)).not.toContain(retired.kid);
    const listed = (await (await testApp().request('/v1/signing-keys')).json()).data.map((k: any) => k.kid);
    expect(listed).toContain(retired.kid);
  });
});
