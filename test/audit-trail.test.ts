import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { startReceiver, type TestReceiver } from '#support/http-receiver';
import { useTestUsher } from '#support/usher';
import { signedInConsole } from '#support/console-browser';

interface Entry {
  readonly id: string;
  readonly action: string;
  readonly actor: { readonly keyId: string | null; readonly keyName: string | null; readonly surface: string };
  readonly subjectType: string;
  readonly subjectId: string | null;
  readonly changes: Record<string, unknown>;
}

describeEachStore('the audit trail', (engine) => {
  const receiver = {} as { server: TestReceiver };
  beforeAll(async () => {
    receiver.server = await startReceiver();
  });
  afterAll(async () => receiver.server.close());
  const usher = useTestUsher(engine);
  const drain = async () => {
    while ((await usher.worker.runOnce()) > 0) {
      // until nothing is due
    }
  };
  const entries = async (query = ''): Promise<Entry[]> => {
    const res = await usher.request('GET', `/v1/audit-events${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data;
  };
  const about = async (subjectId: string) => (await entries()).filter((entry) => entry.subjectId === subjectId);
  const me = () => ({ keyId: usher.tenant.apiKey.id, keyName: usher.tenant.apiKey.name, surface: 'api' });

  beforeAll(async () => {
    const hook = await usher.request('POST', '/v1/webhooks', {
      body: { url: receiver.server.url, events: ['audit.recorded'] },
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  });

  it('records a key made and a key revoked, once each, with the key that did it and never the secret', async () => {
    const made = await usher.request('POST', '/v1/api-keys', { body: { name: 'ci', scopes: ['invitations:read'] } });
    expect(made.status).toBe(201);
    const revoked = await usher.request('DELETE', `/v1/api-keys/${made.body.id}`);
    expect(revoked.status).toBe(200);
    const trail = await about(made.body.id);
    expect(trail.map((entry) => entry.action)).toEqual(['key.revoked', 'key.created']);
    for (const entry of trail) expect(entry.actor).toEqual(me());
    expect(trail[1]!.changes).toMatchObject({ name: 'ci', scopes: ['invitations:read'] });
    expect(JSON.stringify(trail)).not.toContain(made.body.key);
  });

  it('records a settings change with the old and new values, and nothing for a patch that changes nothing', async () => {
    const before = (await usher.request('GET', '/v1/tenant')).body.settings.rateLimitPerMinute;
    const patched = await usher.request('PATCH', '/v1/tenant', { body: { settings: { rateLimitPerMinute: 4321 } } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { rateLimitPerMinute: 4321 } } });
    const trail = (await entries('?action=settings.changed')).filter((entry) => 'rateLimitPerMinute' in entry.changes);
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ subjectType: 'tenant', subjectId: usher.tenant.tenant.id, actor: me() });
    expect(trail[0]!.changes.rateLimitPerMinute).toEqual({ old: before, new: 4321 });
  });

  it('records an invitation revoked and one edited', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', role: 'member', target: { type: 'group', iri: 'https://example.com/g/a', name: 'A' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { id } = created.body;
    expect((await usher.request('PATCH', `/v1/invitations/${id}`, { body: { label: 'Team A' } })).status).toBe(200);
    expect((await usher.request('POST', `/v1/invitations/${id}/revoke`)).status).toBe(200);
    const trail = await about(id);
    expect(trail.map((entry) => entry.action)).toEqual(['invitation.revoked', 'invitation.edited']);
    expect(trail[1]!.changes).toEqual({ fields: ['label'] });
    for (const entry of trail) expect(entry.actor).toEqual(me());
  });

  it('records webhook endpoints made, changed, rotated and deleted, without their secrets', async () => {
    const made = await usher.request('POST', '/v1/webhooks', { body: { url: receiver.server.url, events: ['*'] } });
    const { id, secret } = made.body;
    await usher.request('PATCH', `/v1/webhooks/${id}`, { body: { description: 'ops' } });
    const rotated = await usher.request('POST', `/v1/webhooks/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect((await usher.request('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    const trail = await about(id);
    expect(trail.map((entry) => entry.action)).toEqual([
      'webhook.deleted',
      'webhook.secret_rotated',
      'webhook.changed',
      'webhook.created',
    ]);
    expect(trail[2]!.changes).toEqual({ description: { old: null, new: 'ops' } });
    expect(JSON.stringify(trail)).not.toContain(secret);
    expect(JSON.stringify(trail)).not.toContain(rotated.body.secret);
  });

  it('records an identity created and renamed, with the old and new names', async () => {
    const made = await usher.request('POST', '/v1/identities', { body: { displayName: 'Ops', handle: 'ops-audit' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(
      (await usher.request('PATCH', `/v1/identities/${made.body.id}`, { body: { displayName: 'Ops 2' } })).status,
    ).toBe(200);
    const trail = await about(made.body.id);
    expect(trail.map((entry) => entry.action)).toEqual(['identity.changed', 'identity.created']);
    expect(trail[0]!.changes).toEqual({ displayName: { old: 'Ops', new: 'Ops 2' } });
  });

  it("records a key's quota set and cleared with the old and new values, and nothing for one set again", async () => {
    const made = await usher.request('POST', '/v1/api-keys', { body: { name: 'quota-audit' } });
    const quota = { perHour: 5, perDay: 20 };
    for (const inviteQuota of [quota, quota, null]) {
      const res = await usher.request('PATCH', `/v1/api-keys/${made.body.id}`, { body: { inviteQuota } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const trail = (await about(made.body.id)).filter((entry) => entry.action === 'key.changed');
    expect(trail.map((entry) => entry.changes)).toEqual([
      { inviteQuota: { old: quota, new: null } },
      { inviteQuota: { old: null, new: quota } },
    ]);
    for (const entry of trail) expect(entry.actor).toEqual(me());
  });

  it('records a signing key rotated', async () => {
    const rotated = await usher.request('POST', '/v1/signing-keys/rotate');
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
    const trail = await about(rotated.body.kid);
    expect(trail).toEqual([
      expect.objectContaining({ action: 'signing_key.rotated', subjectType: 'signing_key', actor: me() }),
    ]);
  });

  it('records a provider account connected and disconnected, never its API key', async () => {
    const body = { provider: 'linkedin', dsn: 'api1.unipile.com:13111', apiKey: 'provider-secret-1', accountId: 'a' };
    const made = await usher.request('POST', '/v1/provider-accounts', { body });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect((await usher.request('DELETE', `/v1/provider-accounts/${made.body.id}`)).status).toBe(204);
    const trail = await about(made.body.id);
    expect(trail.map((entry) => entry.action)).toEqual(['provider_account.deleted', 'provider_account.created']);
    for (const entry of trail) expect(entry.actor).toEqual(me());
    expect(trail[1]!.changes).toMatchObject({ provider: 'linkedin', accountId: 'a' });
    expect(JSON.stringify(trail)).not.toContain('provider-secret-1');
  });

  it("records the console's webhook and identity changes as the session's key, through the console", async () => {
    const { b, csrf } = await signedInConsole(usher.app, usher.tenant.apiKey.key);
    const asConsole = { ...me(), surface: 'console' };
    const url = `${receiver.server.url}/console-audit`;
    expect((await b.post('/console/webhooks', { _csrf: csrf, url, events: '*' })).status).toBe(200);
    const hook = (await usher.request('GET', '/v1/webhooks')).body.data.find((e: { url: string }) => e.url === url);
    for (const action of ['enable', 'rotate-secret', 'delete']) {
      expect((await b.post(`/console/webhooks/${hook.id}/${action}`, { _csrf: csrf })).status).toBeLessThan(400);
    }
    expect(
      (await b.post('/console/identities', { _csrf: csrf, displayName: 'Console ops', handle: 'console-ops' })).status,
    ).toBe(303);
    const identities = (await usher.request('GET', '/v1/identities')).body.data;
    const identity = identities.find((i: { handle: string }) => i.handle === 'console-ops');
    expect((await b.post(`/console/identities/${identity.id}/disable`, { _csrf: csrf })).status).toBe(303);
    const hookTrail = await about(hook.id);
    // Enabling an enabled endpoint changes nothing, so it leaves no entry.
    expect(hookTrail.map((entry) => entry.action)).toEqual([
      'webhook.deleted',
      'webhook.secret_rotated',
      'webhook.created',
    ]);
    const identityTrail = await about(identity.id);
    expect(identityTrail.map((entry) => entry.action)).toEqual(['identity.changed', 'identity.created']);
    expect(identityTrail[0]!.changes).toEqual({ status: { old: 'active', new: 'disabled' } });
    for (const entry of [...hookTrail, ...identityTrail]) expect(entry.actor).toEqual(asConsole);
  });

  it("never shows one tenant another's entries", async () => {
    const other = await usher.createTenant('Elsewhere');
    const theirs = await usher.request('GET', '/v1/audit-events', { key: other.apiKey.key });
    expect(theirs.status).toBe(200);
    expect(theirs.body.data).toEqual([]);
    const exported = await usher.request('GET', '/v1/audit-events/export', { key: other.apiKey.key });
    expect(exported.status).toBe(200);
    expect(exported.body).toBe(null);
    await usher.request('PATCH', '/v1/tenant', {
      key: other.apiKey.key,
      body: { settings: { rateLimitPerMinute: 7 } },
    });
    const own = await usher.request('GET', '/v1/audit-events', { key: other.apiKey.key });
    expect(own.body.data.map((entry: Entry) => [entry.action, entry.actor.keyId])).toEqual([
      ['settings.changed', other.apiKey.id],
    ]);
  });

  it('pages, filters by action and actor, and exports every entry as JSON Lines', async () => {
    const all = await entries('?limit=200');
    const first = await usher.request('GET', '/v1/audit-events?limit=2');
    expect(first.body.data).toEqual(all.slice(0, 2));
    const second = await usher.request('GET', `/v1/audit-events?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data).toEqual(all.slice(2, 4));
    expect(await entries(`?actor=${usher.tenant.apiKey.id}&action=key.created`)).toEqual(
      all.filter((entry) => entry.action === 'key.created'),
    );
    expect(await entries('?until=2000-01-01T00:00:00.000Z')).toEqual([]);
    const exported = await usher.app.request('/v1/audit-events/export', {
      headers: { authorization: `Bearer ${usher.tenant.apiKey.key}` },
    });
    expect(exported.headers.get('content-type')).toContain('application/jsonl');
    const lines = (await exported.text()).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(all);
  });

  it('refuses a bad filter with a problem naming the field', async () => {
    const res = await usher.request('GET', '/v1/audit-events?since=yesterday');
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('query.since');
  });

  it('sends each entry as an audit.recorded webhook to subscribed endpoints', async () => {
    await drain();
    const sent = receiver.server.received.map((request) => JSON.parse(request.body));
    expect(sent.every((body) => body.type === 'audit.recorded')).toBe(true);
    const ids = sent.map((body) => body.data.auditEvent.id).sort();
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect(ids).toEqual((await entries('?limit=200')).map((entry) => entry.id).sort());
  });
});
