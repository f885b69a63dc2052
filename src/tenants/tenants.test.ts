import { expect, it } from 'vitest';
import { publicKeyFromDidKey } from '#tenants';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

describeEachStore('tenants, identities and contacts', (engine) => {
  const usher = useTestUsher(engine);

  it('starts each tenant with one default identity holding an Ed25519 did:key', async () => {
    const res = await usher.request('GET', '/v1/identities');
    expect(res.body.data).toHaveLength(1);
    const [identity] = res.body.data;
    expect(identity).toMatchObject({ isDefault: true, status: 'active', displayName: 'Acme' });
    expect(identity.did).toMatch(/^did:key:z6Mk/);
    expect(publicKeyFromDidKey(identity.did)).toHaveLength(32);
    expect(identity.privateKey).toBeUndefined();
  });

  it('creates identities, disables them, and refuses to invite from a disabled one', async () => {
    const created = await usher.request('POST', '/v1/identities', {
      body: { displayName: 'Sales Team', handle: 'sales' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ handle: 'sales', isDefault: false });
    expect(
      (await usher.request('POST', '/v1/identities', { body: { displayName: 'Again', handle: 'sales' } })).body.code,
    ).toBe('identity_handle_taken');
    const disabled = await usher.request('PATCH', `/v1/identities/${created.body.id}`, {
      body: { status: 'disabled' },
    });
    expect(disabled.body.status).toBe('disabled');
    const refused = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', identityId: created.body.id },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('identity_disabled');
    const invitedFrom = await usher.request('PATCH', `/v1/identities/${created.body.id}`, {
      body: { status: 'active' },
    });
    expect(invitedFrom.body.status).toBe('active');
    expect(
      (await usher.request('POST', '/v1/invitations', { body: { channel: 'link', identityId: created.body.id } })).body
        .identityId,
    ).toBe(created.body.id);
  });

  it("refuses to invite from an identity that is not the tenant's, naming the field, and writes nothing", async () => {
    const other = await usher.request('POST', '/v1/tenants', { body: { name: 'Elsewhere' } });
    const before = (await usher.request('GET', '/v1/invitations?limit=200')).body.data.length;
    for (const identityId of [other.body.identity.id, '01890000-0000-7000-8000-000000000000']) {
      const refused = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', identityId } });
      expect(refused.status, JSON.stringify(refused.body)).toBe(404);
      expect(refused.body).toMatchObject({ code: 'identity_not_found', field: 'body.identityId' });
    }
    expect((await usher.request('GET', '/v1/invitations?limit=200')).body.data).toHaveLength(before);
  });

  it('keeps the default identity active', async () => {
    const res = await usher.request('PATCH', `/v1/identities/${usher.tenant.identity.id}`, {
      body: { status: 'disabled' },
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('identity_default_cannot_be_disabled');
  });

  it('creates, reads, updates, filters and deletes contacts', async () => {
    const created = await usher.request('POST', '/v1/contacts', {
      body: {
        name: 'Julien',
        email: 'Julien@Example.com',
        did: 'did:key:z6MkTest',
        providerHandles: { linkedin: 'julien-crepieux' },
        tags: ['vip', 'fr', 'vip'],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.tags).toEqual(['vip', 'fr']);
    await usher.request('POST', '/v1/contacts', { body: { name: 'Other', email: 'other@example.com', tags: ['fr'] } });
    expect((await usher.request('GET', '/v1/contacts?tag=vip')).body.data.map((c: any) => c.id)).toEqual([
      created.body.id,
    ]);
    expect((await usher.request('GET', '/v1/contacts?tag=fr')).body.data).toHaveLength(2);
    expect((await usher.request('GET', '/v1/contacts?email=JULIEN@example.com')).body.data).toHaveLength(1);
    expect((await usher.request('GET', '/v1/contacts?did=did:key:z6MkTest')).body.data).toHaveLength(1);

    const updated = await usher.request('PATCH', `/v1/contacts/${created.body.id}`, {
      body: { tags: ['gold'], email: null },
    });
    expect(updated.body).toMatchObject({ email: null, tags: ['gold'], name: 'Julien' });
    expect((await usher.request('GET', '/v1/contacts?tag=vip')).body.data).toEqual([]);

    const invited = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', recipient: { contactId: created.body.id } },
    });
    usher.clock.advance(1000);
    expect((await usher.request('DELETE', `/v1/contacts/${created.body.id}`)).status).toBe(204);
    expect((await usher.request('GET', `/v1/contacts/${created.body.id}`)).status).toBe(404);
    const kept = await usher.request('GET', `/v1/invitations/${invited.body.id}`);
    expect(kept.body.recipient).toMatchObject({ contactId: null, did: 'did:key:z6MkTest', name: 'Julien' });
    // Losing the link changes the invitation: version and updatedAt move, so a read from before cannot be written back.
    expect(Date.parse(kept.body.updatedAt) - Date.parse(invited.body.updatedAt)).toBe(1000);
    const events = (await usher.request('GET', `/v1/invitations/${invited.body.id}/events`)).body.data;
    expect(events.map((e: any) => e.type)).toEqual(['invitation.created']);
  });

  it("fills an email invitation's address from its contact", async () => {
    const contact = await usher.request('POST', '/v1/contacts', { body: { email: 'from-contact@example.com' } });
    const res = await usher.request('POST', '/v1/invitations', { body: { recipient: { contactId: contact.body.id } } });
    expect(res.body.recipient).toMatchObject({ email: 'from-contact@example.com', contactId: contact.body.id });
  });

  it('changes the default expiry and branding through tenant settings', async () => {
    const updated = await usher.request('PATCH', '/v1/tenant', {
      body: { name: 'Acme Inc', settings: { defaultExpirySeconds: 3600, branding: { color: '#112233' } } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.settings).toMatchObject({
      defaultExpirySeconds: 3600,
      branding: { color: '#112233', logoUrl: null },
      locale: 'en',
    });
    const invitation = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
    expect(Date.parse(invitation.body.expiresAt) - Date.parse(invitation.body.createdAt)).toBe(3600_000);
    const bad = await usher.request('PATCH', '/v1/tenant', { body: { settings: { defaultExpirySeconds: 5 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('body.settings.defaultExpirySeconds');
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { defaultExpirySeconds: 7 * 86_400 } } });
  });

  it('renames the default identity with the tenant when asked, and only then', async () => {
    const { apiKey, identity } = await usher.createTenant('Default');
    const key = apiKey.key;
    const defaultName = async () =>
      (await usher.request('GET', '/v1/identities', { key })).body.data.find((i: any) => i.id === identity.id)
        .displayName;
    await usher.request('PATCH', '/v1/tenant', { key, body: { name: 'Renamed alone' } });
    expect(await defaultName()).toBe('Default');
    const renamed = await usher.request('PATCH', '/v1/tenant', {
      key,
      body: { name: 'Apollo Labs', renameDefaultIdentity: true },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Apollo Labs');
    expect(await defaultName()).toBe('Apollo Labs');
    const created = await usher.request('POST', '/v1/invitations', { key, body: { channel: 'link' } });
    expect(created.body.invitedBy).toMatchObject({ name: 'Apollo Labs', source: 'identity' });

    const nameless = await usher.request('PATCH', '/v1/tenant', {
      key,
      body: { renameDefaultIdentity: true, settings: { locale: 'fr' } },
    });
    expect(nameless.status).toBe(400);
    expect(nameless.body).toMatchObject({ code: 'validation_failed', field: 'body.renameDefaultIdentity' });
    expect((await usher.request('GET', '/v1/tenant', { key })).body.settings.locale).not.toBe('fr');
  });

  it('lets an operator key create a tenant with its own identity and key', async () => {
    const res = await usher.request('POST', '/v1/tenants', { body: { name: 'Beta' } });
    expect(res.status).toBe(201);
    expect(res.body.identity.isDefault).toBe(true);
    const theirTenant = await usher.request('GET', '/v1/tenant', { key: res.body.apiKey.key });
    expect(theirTenant.body).toMatchObject({ id: res.body.tenant.id, name: 'Beta' });
  });
});
