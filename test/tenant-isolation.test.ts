import { beforeAll, expect, it } from 'vitest';
import type { CreatedTenant } from '#tenants';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';

describeEachStore('tenant isolation', (engine) => {
  const usher = useTestUsher(engine);
  let other: CreatedTenant;
  let theirs: {
    invitationId: string;
    token: string;
    contactId: string;
    identityId: string;
    keyId: string;
    membershipId: string;
  };

  beforeAll(async () => {
    other = await usher.createTenant('Other');
    const key = other.apiKey.key;
    const invitation = await usher.request('POST', '/v1/invitations', {
      key,
      body: { recipient: { email: 'b@example.com' }, purpose: 'theirs' },
    });
    const accepted = await usher.request('POST', '/v1/invitations', {
      key,
      body: { channel: 'link', recipient: { email: 'm@example.com' } },
    });
    const membership = await usher.request('POST', `/v1/public/invitations/${tokenOf(accepted.body.url)}/accept`, {
      key: null,
    });
    const contact = await usher.request('POST', '/v1/contacts', { key, body: { email: 'c@example.com' } });
    const newKey = await usher.request('POST', '/v1/api-keys', { key, body: { name: 'ci' } });
    theirs = {
      invitationId: invitation.body.id,
      token: tokenOf(invitation.body.url),
      contactId: contact.body.id,
      identityId: other.identity.id,
      keyId: newKey.body.id,
      membershipId: membership.body.membership.id,
    };
  });

  async function snapshot() {
    const db = usher.store.db;
    return {
      invitation: await db
        .selectFrom('invitations')
        .selectAll()
        .where('id', '=', theirs.invitationId)
        .executeTakeFirst(),
      contact: await db.selectFrom('contacts').selectAll().where('id', '=', theirs.contactId).executeTakeFirst(),
      identity: await db.selectFrom('identities').selectAll().where('id', '=', theirs.identityId).executeTakeFirst(),
      key: await db.selectFrom('api_keys').selectAll().where('id', '=', theirs.keyId).executeTakeFirst(),
      events: await db.selectFrom('invitation_events').select('id').where('tenant_id', '=', other.tenant.id).execute(),
      links: await db
        .selectFrom('invitation_tokens')
        .selectAll()
        .where('invitation_id', '=', theirs.invitationId)
        .orderBy('token_hash')
        .execute(),
    };
  }

  it('answers 404 when tenant A reads, changes or acts on anything of tenant B, and changes nothing', async () => {
    const before = await snapshot();
    const attempts: [string, string, unknown?][] = [
      ['GET', `/v1/invitations/${theirs.invitationId}`],
      ['GET', '/v1/invitations/by-purpose/theirs'],
      ['GET', `/v1/invitations/${theirs.invitationId}/events`],
      ['PATCH', `/v1/invitations/${theirs.invitationId}`, { label: 'mine now' }],
      ['POST', `/v1/invitations/${theirs.invitationId}/revoke`],
      ['POST', `/v1/invitations/${theirs.invitationId}/decline`],
      ['POST', `/v1/invitations/${theirs.invitationId}/resend`],
      ['POST', `/v1/invitations/${theirs.invitationId}/reset-link`],
      ['GET', `/v1/invitations/${theirs.invitationId}/qr.svg`],
      ['GET', `/v1/invitations/${theirs.invitationId}/qr.png`],
      ['GET', `/v1/contacts/${theirs.contactId}`],
      ['PATCH', `/v1/contacts/${theirs.contactId}`, { name: 'x' }],
      ['DELETE', `/v1/contacts/${theirs.contactId}`],
      ['GET', `/v1/identities/${theirs.identityId}`],
      ['PATCH', `/v1/identities/${theirs.identityId}`, { displayName: 'x' }],
      ['DELETE', `/v1/api-keys/${theirs.keyId}`],
      ['GET', `/v1/memberships/${theirs.membershipId}`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await usher.request(method, path, body === undefined ? {} : { body });
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(404);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("never lists tenant B's records to tenant A", async () => {
    const lists = [
      '/v1/invitations?limit=200',
      '/v1/contacts?limit=200',
      '/v1/identities',
      '/v1/api-keys',
      '/v1/memberships?limit=200',
    ];
    for (const path of lists) {
      const ids = (await usher.request('GET', path)).body.data.map((r: { id: string }) => r.id);
      expect(ids, path).not.toContain(theirs.invitationId);
      expect(ids, path).not.toContain(theirs.contactId);
      expect(ids, path).not.toContain(theirs.identityId);
      expect(ids, path).not.toContain(theirs.keyId);
      expect(ids, path).not.toContain(theirs.membershipId);
    }
    expect((await usher.request('GET', '/v1/invitations?purpose=theirs')).body.data).toEqual([]);
  });

  it("refuses to send tenant A's invitation from tenant B's identity or to B's contact", async () => {
    const fromTheirs = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', identityId: theirs.identityId },
    });
    expect(fromTheirs.status).toBe(404);
    expect(fromTheirs.body.field).toBe('body.identityId');
    const toTheirs = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { contactId: theirs.contactId } },
    });
    expect(toTheirs.status).toBe(404);
    expect(toTheirs.body.field).toBe('body.recipient.contactId');
  });

  it('lets a purpose exist once per tenant, not once per server', async () => {
    expect(
      (await usher.request('POST', '/v1/invitations', { body: { channel: 'link', purpose: 'theirs' } })).status,
    ).toBe(201);
  });

  it('refuses tenant creation to a key that is not an operator key', async () => {
    const res = await usher.request('POST', '/v1/tenants', { key: other.apiKey.key, body: { name: 'Sneaky' } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'scope_missing', scope: 'tenants:manage' });
  });
});
