import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';

const TEAMS = 'https://app.example/teams/';

describeEachStore('scoped API keys', (engine) => {
  const usher = useTestUsher(engine);
  /** invitations:read and :write, may grant "member" only, into teams only. */
  let inviter: string;
  /** invitations:read only. */
  let reader: string;
  /** keys:manage and invitations:write, may grant "member" only. */
  let keyMaker: string;

  const makeKey = async (body: Record<string, unknown>, key?: string) =>
    usher.request('POST', '/v1/api-keys', { body, ...(key ? { key } : {}) });
  const invite = (key: string, body: Record<string, unknown>) =>
    usher.request('POST', '/v1/invitations', { key, body: { channel: 'link', ...body } });

  beforeAll(async () => {
    const made = await makeKey({
      name: 'inviter',
      scopes: ['invitations:read', 'invitations:write'],
      grantableRoles: ['member'],
      allowedTargets: [TEAMS],
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({
      scopes: ['invitations:read', 'invitations:write'],
      grantableRoles: ['member'],
      allowedTargets: [TEAMS],
      operator: false,
    });
    inviter = made.body.key;
    reader = (await makeKey({ name: 'reader', scopes: ['invitations:read'] })).body.key;
    keyMaker = (
      await makeKey({ name: 'key maker', scopes: ['keys:manage', 'invitations:write'], grantableRoles: ['member'] })
    ).body.key;
  });

  const team = { type: 'project', iri: `${TEAMS}blue`, name: 'Blue' };

  it('lists what each key may do, and keeps full rights for keys made before scopes', async () => {
    const listed = await usher.request('GET', '/v1/api-keys');
    const byName = Object.fromEntries(listed.body.data.map((key: { name: string }) => [key.name, key]));
    expect(byName.reader).toMatchObject({ scopes: ['invitations:read'], grantableRoles: ['*'], allowedTargets: null });
    expect(byName[usher.tenant.apiKey.name].scopes).toContain('tenants:manage');
    expect(byName[usher.tenant.apiKey.name].grantableRoles).toEqual(['*']);
  });

  it('refuses an invitation granting a role the key may not grant, naming the role', async () => {
    const res = await invite(inviter, { role: 'owner', target: team });
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'role_not_grantable', field: 'body.role', role: 'owner' });
    expect((await invite(inviter, { role: 'member', target: team })).status).toBe(201);
  });

  it("refuses a target outside the key's prefixes, the tenant itself included", async () => {
    const elsewhere = await invite(inviter, {
      role: 'member',
      target: { type: 'project', iri: 'https://app.example/admin', name: 'Admin' },
    });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toMatchObject({ code: 'target_not_allowed', field: 'body.target.iri' });
    expect((await invite(inviter, { role: 'member' })).body.code).toBe('target_not_allowed');
  });

  it('refuses each bulk item beyond the key, and creates the others', async () => {
    const res = await usher.request('POST', '/v1/invitations/bulk', {
      key: inviter,
      body: {
        defaults: { channel: 'link', target: team },
        items: [{ role: 'owner' }, { role: 'member' }, { role: 'member', target: { type: 'tenant' } }],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.summary).toEqual({ created: 1, duplicate: 0, invalid: 2 });
    expect(res.body.results[0].problem).toMatchObject({ code: 'role_not_grantable', field: 'body.items.0.role' });
    expect(res.body.results[2].problem).toMatchObject({ code: 'target_not_allowed', field: 'body.items.2.target.iri' });
  });

  it('refuses the role on a compatibility surface too (Proven)', async () => {
    const body = { invitation_type: 'OOB', invitation_role: 'owner' };
    const res = await usher.request('POST', '/api/v1/invitations', {
      key: null,
      headers: { 'x-api-key': keyMaker },
      body,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'role_not_grantable', role: 'owner' });
    const unscoped = await usher.request('GET', '/api/v1/invitations', {
      key: null,
      headers: { 'x-api-key': keyMaker },
    });
    expect(unscoped.body).toMatchObject({ status: 403, code: 'scope_missing', scope: 'invitations:read' });
  });

  it('lets a read-only key list invitations but not create one, naming the missing scope', async () => {
    expect((await usher.request('GET', '/v1/invitations', { key: reader })).status).toBe(200);
    const res = await invite(reader, {});
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'scope_missing', scope: 'invitations:write' });
    expect(res.body.detail).toContain('invitations:write');
    // The scope is checked before the body: an empty request gets the same answer, not a 400.
    expect((await usher.request('POST', '/v1/invitations', { key: reader, raw: '' })).body.code).toBe('scope_missing');
  });

  it('refuses minting a key without keys:manage, and a wider key with it', async () => {
    expect((await makeKey({ name: 'escalate' }, inviter)).body).toMatchObject({
      code: 'scope_missing',
      scope: 'keys:manage',
    });
    const wider = await makeKey({ name: 'wider', scopes: ['webhooks:manage'] }, keyMaker);
    expect(wider.status).toBe(403);
    expect(wider.body).toMatchObject({ code: 'scope_missing', field: 'body.scopes', scope: 'webhooks:manage' });
    const anyRole = await makeKey({ name: 'any role', scopes: ['invitations:write'], grantableRoles: ['*'] }, keyMaker);
    expect(anyRole.body).toMatchObject({ status: 403, code: 'role_not_grantable', field: 'body.grantableRoles' });
    const other = await usher.createTenant('Scoped other');
    const operator = await makeKey({ name: 'operator', scopes: ['tenants:manage'] }, other.apiKey.key);
    expect(operator.body, "a tenant's admin key is no operator").toMatchObject({
      code: 'scope_missing',
      scope: 'tenants:manage',
    });
  });

  it('gives a key made by a scoped key no more than its maker, by default', async () => {
    const child = await makeKey({ name: 'child' }, keyMaker);
    expect(child.status).toBe(201);
    expect(child.body).toMatchObject({
      scopes: ['keys:manage', 'invitations:write'],
      grantableRoles: ['member'],
      allowedTargets: null,
    });
    const narrower = await makeKey({ name: 'narrower', scopes: ['invitations:write'] }, keyMaker);
    expect(narrower.body.scopes).toEqual(['invitations:write']);
  });

  it("names each operation's scope in the API document", async () => {
    const doc = (await usher.request('GET', '/openapi.json', { key: null })).body;
    const create = doc.paths['/v1/invitations'].post;
    expect(create['x-usher-scope']).toBe('invitations:write');
    expect(create.description).toContain('`invitations:write`');
    expect(create.security).toContainEqual({ bearer: ['invitations:write'] });
    for (const [path, operations] of Object.entries<Record<string, { security?: unknown; 'x-usher-scope'?: string }>>(
      doc.paths,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        if (operation.security) expect(operation['x-usher-scope'], `${method} ${path}`).toBeDefined();
      }
    }
  });

  describe('the role ceiling at accept', () => {
    it('refuses to accept an invitation whose role was raised after it was made', async () => {
      const made = await invite(inviter, { role: 'member', target: { ...team, iri: `${TEAMS}raised` } });
      expect(made.status).toBe(201);
      // No route changes a role today; a later edit, or a hand-made change, must still not grant more.
      await usher.store.db.updateTable('invitations').set({ role: 'owner' }).where('id', '=', made.body.id).execute();
      const accepted = await usher.request('POST', `/v1/public/invitations/${tokenOf(made.body.url)}/accept`, {
        key: null,
        body: { email: 'ann@example.com' },
      });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(403);
      expect(accepted.body.code).toBe('role_not_grantable');
      expect((await usher.request('GET', `/v1/invitations/${made.body.id}`)).body.status).toBe('pending');
      const memberships = await usher.request('GET', '/v1/memberships');
      expect(memberships.body.data.filter((m: { invitationId: string }) => m.invitationId === made.body.id)).toEqual(
        [],
      );
    });

    it('refuses a protocol acceptance (DIDComm, through acceptWith) of a raised role too, writing nothing', async () => {
      const made = await invite(inviter, {
        channel: 'didcomm',
        role: 'member',
        target: { ...team, iri: `${TEAMS}agents` },
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      await usher.store.db.updateTable('invitations').set({ role: 'owner' }).where('id', '=', made.body.id).execute();
      let wrote = false;
      const accepting = usher.invitations.acceptWith(
        usher.tenant.tenant.id,
        made.body.id,
        { did: 'did:example:agent' },
        { kind: 'remote', iri: 'did:example:agent' },
        async () => {
          wrote = true;
        },
      );
      await expect(accepting).rejects.toMatchObject({ code: 'role_not_grantable', status: 403 });
      expect(wrote).toBe(false);
      expect((await usher.request('GET', `/v1/invitations/${made.body.id}`)).body.status).toBe('pending');
    });

    it('accepts one within its ceiling', async () => {
      const made = await invite(inviter, { role: 'member', target: { ...team, iri: `${TEAMS}kept` } });
      const accepted = await usher.request('POST', `/v1/public/invitations/${tokenOf(made.body.url)}/accept`, {
        key: null,
        body: { email: 'bo@example.com' },
      });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      expect(accepted.body.membership.role).toBe('member');
    });
  });
});
