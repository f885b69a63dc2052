import { OpenAPIHono } from '@hono/zod-openapi';
import { unrestrictedRights } from '#common/rights';
import { beforeAll, expect, it } from 'vitest';
import type { AppEnv } from '#http/auth';
import { handleError } from '#http/problem';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';
import {
  createEndpoint,
  createWebhookRoutes,
  ENDPOINT_DISABLE_AFTER_FAILURES,
  findSubscribedEndpoints,
  recordEndpointOutcome,
  WEBHOOK_EVENT_TYPES,
} from './index';

describeEachStore('webhook endpoints', (engine) => {
  const usher = useTestUsher(engine);
  const app = new OpenAPIHono<AppEnv>();
  let otherTenantId: string;

  beforeAll(async () => {
    otherTenantId = (await usher.createTenant('Globex')).tenant.id;
    // Stands in for API-key auth until app.ts mounts these routes: the tenant comes from a test header.
    app.use('/v1/*', async (c, next) => {
      c.set('auth', {
        tenantId: c.req.header('x-test-tenant') ?? usher.tenant.tenant.id,
        apiKeyId: 'x',
        operator: false,
        rights: unrestrictedRights(),
      });
      await next();
    });
    app.route('/v1', createWebhookRoutes({ db: usher.store.db, clock: usher.clock, audit: usher.audit }));
    app.onError((error, c) => handleError(error, c, (e) => console.error(e)));
  });

  async function call(method: string, path: string, body?: unknown, tenantId?: string) {
    const headers: Record<string, string> = {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(tenantId ? { 'x-test-tenant': tenantId } : {}),
    };
    const res = await app.request(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body: text ? JSON.parse(text) : null };
  }

  const storedSecret = async (id: string) =>
    (
      await usher.store.db
        .selectFrom('webhook_endpoints')
        .select('secret')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).secret;

  it('creates an endpoint and shows its secret only in the create response', async () => {
    const created = await call('POST', '/v1/webhooks', {
      url: 'https://hooks.example.com/usher',
      events: ['invitation.accepted'],
      description: 'CRM',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: 'https://hooks.example.com/usher',
      events: ['invitation.accepted'],
      description: 'CRM',
      status: 'enabled',
      failureStreak: 0,
      disabledReason: null,
    });
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(await storedSecret(created.body.id)).toBe(created.body.secret);

    const fetched = await call('GET', `/v1/webhooks/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.secret).toBeUndefined();
    expect(fetched.body).toEqual((({ secret: _s, ...rest }) => rest)(created.body));
    const listed = await call('GET', '/v1/webhooks');
    expect(listed.body.data.map((e: any) => e.id)).toContain(created.body.id);
    expect(listed.body.data.every((e: any) => e.secret === undefined)).toBe(true);
  });

  it('changes url, events and description, and clears the description with null', async () => {
    const { body: endpoint } = await call('POST', '/v1/webhooks', {
      url: 'http://hooks.example.com/a',
      events: ['invitation.created'],
      description: 'old',
    });
    usher.clock.advance(1_000);
    const updated = await call('PATCH', `/v1/webhooks/${endpoint.id}`, {
      url: 'https://hooks.example.com/b',
      events: ['invitation.sent', 'invitation.sent', 'invitation.revoked'],
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      url: 'https://hooks.example.com/b',
      events: ['invitation.sent', 'invitation.revoked'],
      description: 'old',
    });
    expect(updated.body.updatedAt > endpoint.updatedAt).toBe(true);
    expect(updated.body.secret).toBeUndefined();
    const cleared = await call('PATCH', `/v1/webhooks/${endpoint.id}`, {
      description: null,
      events: ['invitation.created', '*'],
    });
    expect(cleared.body).toMatchObject({ description: null, events: ['*'] });
  });

  it('rotates the secret, returning the new one once', async () => {
    const { body: endpoint } = await call('POST', '/v1/webhooks', {
      url: 'https://hooks.example.com/rotate',
      events: ['*'],
    });
    const rotated = await call('POST', `/v1/webhooks/${endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(await storedSecret(endpoint.id)).toBe(rotated.body.secret);
    expect((await call('GET', `/v1/webhooks/${endpoint.id}`)).body.secret).toBeUndefined();
  });

  it('deletes an endpoint, after which it is not found', async () => {
    const { body: endpoint } = await call('POST', '/v1/webhooks', {
      url: 'https://hooks.example.com/gone',
      events: ['*'],
    });
    const deleted = await call('DELETE', `/v1/webhooks/${endpoint.id}`);
    expect(deleted).toMatchObject({ status: 204, body: null });
    expect((await call('GET', `/v1/webhooks/${endpoint.id}`)).body.code).toBe('webhook_endpoint_not_found');
    expect((await call('DELETE', `/v1/webhooks/${endpoint.id}`)).status).toBe(404);
  });

  it.each([
    ['an ftp URL', { url: 'ftp://hooks.example.com/x', events: ['*'] }, 'body.url'],
    ['a URL without scheme', { url: 'hooks.example.com/x', events: ['*'] }, 'body.url'],
    ['a URL with credentials', { url: 'https://user:pw@hooks.example.com/x', events: ['*'] }, 'body.url'],
    ['a URL over 2048 characters', { url: `https://hooks.example.com/${'a'.repeat(2048)}`, events: ['*'] }, 'body.url'],
    ['no events', { url: 'https://hooks.example.com/x', events: [] }, 'body.events'],
    [
      'an event outside the catalogue',
      { url: 'https://hooks.example.com/x', events: ['invitation.created', 'invitation.updated'] },
      'body.events.1',
    ],
    ['a missing event list', { url: 'https://hooks.example.com/x' }, 'body.events'],
    [
      'a secret chosen by the caller',
      { url: 'https://hooks.example.com/x', events: ['*'], secret: 'whsec_mine' },
      'body.secret',
    ],
  ])('refuses to create an endpoint with %s', async (_label, body, field) => {
    const res = await call('POST', '/v1/webhooks', body);
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'validation_failed', field });
  });

  it('refuses an empty or impossible patch', async () => {
    const { body: endpoint } = await call('POST', '/v1/webhooks', {
      url: 'https://hooks.example.com/patch',
      events: ['*'],
    });
    expect((await call('PATCH', `/v1/webhooks/${endpoint.id}`, {})).body.code).toBe('validation_failed');
    const disabling = await call('PATCH', `/v1/webhooks/${endpoint.id}`, { status: 'disabled' });
    expect(disabling.body).toMatchObject({ status: 400, field: 'body.status' });
    expect((await call('PATCH', `/v1/webhooks/${endpoint.id}`, { url: 'javascript:alert(1)' })).body.field).toBe(
      'body.url',
    );
  });

  it('checks input in the service too, for callers other than the API', async () => {
    const tenantId = usher.tenant.tenant.id;
    const now = usher.clock.now();
    await expect(
      createEndpoint(usher.store.db, tenantId, { url: 'gopher://x', events: ['*'] }, now),
    ).rejects.toMatchObject({ code: 'webhook_url_invalid', field: 'body.url' });
    await expect(
      createEndpoint(usher.store.db, tenantId, { url: 'https://x.example', events: ['nope'] }, now),
    ).rejects.toMatchObject({ code: 'webhook_events_invalid' });
  });

  it("hides one tenant's endpoints from another", async () => {
    const { body: endpoint } = await call('POST', '/v1/webhooks', {
      url: 'https://hooks.example.com/mine',
      events: ['*'],
    });
    for (const [method, path, body] of [
      ['GET', `/v1/webhooks/${endpoint.id}`],
      ['PATCH', `/v1/webhooks/${endpoint.id}`, { description: 'stolen' }],
      ['POST', `/v1/webhooks/${endpoint.id}/rotate-secret`],
      ['DELETE', `/v1/webhooks/${endpoint.id}`],
    ] as const) {
      const res = await call(method, path, body, otherTenantId);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'webhook_endpoint_not_found', field: 'path.id' });
    }
    expect((await call('GET', '/v1/webhooks', undefined, otherTenantId)).body.data).toEqual([]);
    expect(await findSubscribedEndpoints(usher.store.db, otherTenantId, 'invitation.created')).toEqual([]);
    const untouched = await call('GET', `/v1/webhooks/${endpoint.id}`);
    expect(untouched.body.description).toBeNull();
    expect(await storedSecret(endpoint.id)).toBe(endpoint.secret);
  });

  it('finds the enabled endpoints subscribed to an event, by name or by "*"', async () => {
    const tenantId = (await usher.createTenant('Subscribers')).tenant.id;
    const all = await call('POST', '/v1/webhooks', { url: 'https://hooks.example.com/all', events: ['*'] }, tenantId);
    const accepted = await call(
      'POST',
      '/v1/webhooks',
      { url: 'https://hooks.example.com/acc', events: ['invitation.accepted'] },
      tenantId,
    );
    const ids = async (type: string) =>
      (await findSubscribedEndpoints(usher.store.db, tenantId, type)).map((e) => e.id);
    expect(await ids('invitation.accepted')).toEqual([all.body.id, accepted.body.id]);
    expect(await ids('invitation.created')).toEqual([all.body.id]);
    // Outside the catalogue, so not even "*" receives it.
    expect(await ids('invitation.updated')).toEqual([]);
    expect(WEBHOOK_EVENT_TYPES).toContain('invitation.exhausted');
  });

  it('gives the subscribed endpoints oldest first, id breaking a tie, whatever order they were stored in', async () => {
    const tenantId = (await usher.createTenant('Ordered')).tenant.id;
    const row = (id: string, createdAt: string) => ({
      id,
      tenant_id: tenantId,
      url: `https://hooks.example.com/${id}`,
      description: null,
      events: '["*"]',
      secret: 'whsec_x',
      status: 'enabled',
      failure_streak: 0,
      disabled_reason: null,
      created_at: createdAt,
      updated_at: createdAt,
    });
    // Stored newest first, and the two of one instant in descending id: only sorting gives the expected order.
    await usher.store.db
      .insertInto('webhook_endpoints')
      .values([
        row('ep-c', '2026-01-03T00:00:00.000Z'),
        row('ep-b', '2026-01-02T00:00:00.000Z'),
        row('ep-a', '2026-01-02T00:00:00.000Z'),
      ])
      .execute();
    const found = await findSubscribedEndpoints(usher.store.db, tenantId, 'invitation.created');
    expect(found.map((endpoint) => endpoint.id)).toEqual(['ep-a', 'ep-b', 'ep-c']);
  });

  it(`disables an endpoint after ${ENDPOINT_DISABLE_AFTER_FAILURES} failures in a row, and re-enables it on request`, async () => {
    const tenantId = (await usher.createTenant('Flaky')).tenant.id;
    const { body: endpoint } = await call(
      'POST',
      '/v1/webhooks',
      { url: 'https://hooks.example.com/flaky', events: ['*'] },
      tenantId,
    );
    const db = usher.store.db;
    const now = usher.clock.now();
    for (let i = 0; i < ENDPOINT_DISABLE_AFTER_FAILURES - 1; i++)
      await recordEndpointOutcome(db, endpoint.id, false, now);
    const recovered = await recordEndpointOutcome(db, endpoint.id, true, now);
    expect(recovered).toMatchObject({ disabledNow: false, endpoint: { status: 'enabled', failureStreak: 0 } });

    const outcomes = [];
    for (let i = 0; i < ENDPOINT_DISABLE_AFTER_FAILURES + 2; i++)
      outcomes.push(await recordEndpointOutcome(db, endpoint.id, false, now));
    expect(outcomes.map((o) => o!.disabledNow).indexOf(true)).toBe(ENDPOINT_DISABLE_AFTER_FAILURES - 1);
    expect(outcomes.filter((o) => o!.disabledNow)).toHaveLength(1);
    const disabled = await call('GET', `/v1/webhooks/${endpoint.id}`, undefined, tenantId);
    expect(disabled.body).toMatchObject({ status: 'disabled', failureStreak: ENDPOINT_DISABLE_AFTER_FAILURES + 2 });
    expect(disabled.body.disabledReason).toContain(`${ENDPOINT_DISABLE_AFTER_FAILURES} consecutive failed deliveries`);
    expect(await findSubscribedEndpoints(db, tenantId, 'invitation.created')).toEqual([]);

    const enabled = await call('PATCH', `/v1/webhooks/${endpoint.id}`, { status: 'enabled' }, tenantId);
    expect(enabled.body).toMatchObject({ status: 'enabled', failureStreak: 0, disabledReason: null });
    expect((await findSubscribedEndpoints(db, tenantId, 'invitation.created')).map((e) => e.id)).toEqual([endpoint.id]);
    expect(await recordEndpointOutcome(db, 'no-such-endpoint', false, now)).toBeNull();
  });
});
