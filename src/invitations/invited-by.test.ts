import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';

const ADA = { id: 'user-7', name: 'Ada Lovelace', email: 'ada@example.com' };

describeEachStore('who invites: invitedBy on the API', (engine) => {
  const usher = useTestUsher(engine);

  it('stores the sender the request names and returns it on create, get and list', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'rt@example.com' }, invitedBy: ADA },
    });
    expect(created.status).toBe(201);
    expect(created.body.invitedBy).toEqual({ ...ADA, source: 'request' });
    const got = await usher.request('GET', `/v1/invitations/${created.body.id}`);
    expect(got.body.invitedBy).toEqual({ ...ADA, source: 'request' });
    const listed = await usher.request('GET', '/v1/invitations?email=rt@example.com');
    expect(listed.body.data[0].invitedBy).toEqual({ ...ADA, source: 'request' });
  });

  it("lets the inviting identity's display name stand in when the request names nobody", async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'fallback@example.com' } },
    });
    expect(created.body.invitedBy).toEqual({
      id: null,
      name: usher.tenant.identity.displayName,
      email: null,
      source: 'identity',
    });
    const identity = await usher.request('POST', '/v1/identities', { body: { displayName: 'Apollo Team' } });
    const other = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', identityId: identity.body.id },
    });
    expect(other.body.invitedBy).toMatchObject({ name: 'Apollo Team', source: 'identity' });
  });

  it('takes invitedBy per item and from the defaults in bulk', async () => {
    const res = await usher.request('POST', '/v1/invitations/bulk', {
      body: {
        defaults: { invitedBy: ADA },
        items: [
          { recipient: { email: 'bulk1@example.com' } },
          { recipient: { email: 'bulk2@example.com' }, invitedBy: { name: 'Grace Hopper' } },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.invitation.invitedBy)).toEqual([
      { ...ADA, source: 'request' },
      { id: null, name: 'Grace Hopper', email: null, source: 'request' },
    ]);
  });

  it('refuses a sender without a name, with a bad address or an overlong id, naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ email: 'ada@example.com' }, 'body.invitedBy.name'],
      [{ name: '  ' }, 'body.invitedBy.name'],
      [{ name: 'Ada', email: 'not-an-address' }, 'body.invitedBy.email'],
      [{ name: 'Ada', id: 'x'.repeat(201) }, 'body.invitedBy.id'],
      [{ name: 'Ada', role: 'boss' }, 'body.invitedBy.role'],
    ];
    for (const [invitedBy, field] of cases) {
      const res = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', invitedBy } });
      expect(res.status, JSON.stringify(invitedBy)).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_failed', field });
    }
  });

  it('shows the sender by name in the public view; the address only on an invitation mailed to one person', async () => {
    const mailed = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'pv@example.com' }, invitedBy: ADA },
    });
    const shared = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed: null, invitedBy: ADA },
    });
    const view = async (created: { body: { url: string } }) =>
      (await usher.request('GET', `/v1/public/invitations/${tokenOf(created.body.url)}`, { key: null })).body;
    expect((await view(mailed)).invitedBy).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
    expect((await view(shared)).invitedBy).toEqual({ name: 'Ada Lovelace', email: null });
    expect(JSON.stringify(await view(shared))).not.toContain('user-7');
  });
});
