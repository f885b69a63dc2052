import { beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

describeEachStore('the Unipile users API on Usher', (engine) => {
  const usher = useTestUsher(engine);
  let me: string;
  let ann: { id: string; handle: string };
  let other: Awaited<ReturnType<typeof usher.createTenant>>;
  /** As a Unipile client calls it: the key in X-API-KEY. */
  const unipile = (method: string, path: string, body?: unknown) =>
    usher.request(method, path, {
      key: null,
      headers: { 'X-API-KEY': usher.tenant.apiKey.key },
      ...(body !== undefined ? { body } : {}),
    });

  beforeAll(async () => {
    me = usher.tenant.identity.id;
    other = await usher.createTenant('Neighbours');
    const created = await usher.request('POST', '/v1/identities', {
      key: other.apiKey.key,
      body: { displayName: 'Ann Marie Smith', handle: 'ann-smith' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ann = created.body;
  });

  it('retrieves a profile by public identifier (the handle) or by provider id', async () => {
    const byHandle = await unipile('GET', `/api/v1/users/ann-smith?account_id=${me}`);
    expect(byHandle.status).toBe(200);
    expect(byHandle.body).toEqual({
      object: 'UserProfile',
      provider: 'USHER',
      provider_id: ann.id,
      public_identifier: 'ann-smith',
      first_name: 'Ann',
      last_name: 'Marie Smith',
      is_self: false,
    });
    expect((await unipile('GET', `/api/v1/users/${ann.id}?account_id=${me}`)).body).toEqual(byHandle.body);
    expect((await unipile('GET', `/api/v1/users/${usher.tenant.identity.handle}?account_id=${me}`)).body).toMatchObject(
      { provider_id: me, is_self: true },
    );
  });

  it("answers unknown users and accounts, and bad parameters, in Unipile's error shape", async () => {
    const nobody = await unipile('GET', `/api/v1/users/nobody-here?account_id=${me}`);
    expect(nobody.status).toBe(404);
    expect(nobody.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(nobody.body).toMatchObject({
      status: 404,
      type: 'errors/resource_not_found',
      code: 'user_not_found',
      field: 'path.identifier',
    });
    // An identity of another tenant is not one of the caller's accounts.
    expect((await unipile('GET', `/api/v1/users/ann-smith?account_id=${ann.id}`)).body).toMatchObject({
      status: 404,
      type: 'errors/resource_not_found',
      code: 'account_not_found',
      field: 'query.account_id',
    });
    expect((await unipile('GET', '/api/v1/users/ann-smith')).body).toMatchObject({
      status: 400,
      type: 'errors/invalid_parameters',
      code: 'validation_failed',
      field: 'query.account_id',
    });
    expect((await unipile('POST', '/api/v1/users/invite', { provider_id: ann.id })).body).toMatchObject({
      status: 400,
      type: 'errors/invalid_parameters',
      field: 'body.account_id',
    });
    expect((await usher.request('GET', `/api/v1/users/ann-smith?account_id=${me}`, { key: null })).status).toBe(401);
  });

  it('invites a user: the sender sees it sent, the invitee an incoming invitation', async () => {
    const sent = await unipile('POST', '/api/v1/users/invite', {
      provider_id: ann.id,
      account_id: me,
      message: 'Hello\nWorld',
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toEqual({ object: 'UserInvitationSent', invitation_id: expect.any(String) });
    expect((await usher.request('GET', `/v1/invitations/${sent.body.invitation_id}`)).body).toMatchObject({
      channel: 'provider',
      direction: 'outgoing',
      identityId: me,
      message: 'Hello\nWorld',
      recipient: { provider: { provider: 'usher', userId: ann.id }, name: 'Ann Marie Smith' },
    });
    const incoming = (
      await usher.request('GET', '/v1/invitations?direction=incoming&channel=provider', { key: other.apiKey.key })
    ).body.data;
    expect(incoming).toEqual([
      expect.objectContaining({
        identityId: ann.id,
        status: 'pending',
        message: 'Hello\nWorld',
        recipient: expect.objectContaining({ did: usher.tenant.identity.did }),
      }),
    ]);

    const list = await unipile('GET', `/api/v1/users/invite/sent?account_id=${me}`);
    expect(list.body).toMatchObject({
      object: 'InvitationList',
      cursor: null,
      items: [
        {
          object: 'InvitationSent',
          id: sent.body.invitation_id,
          invited_user: 'Ann Marie Smith',
          invited_user_id: ann.id,
          invited_user_public_id: 'ann-smith',
          invitation_text: 'Hello\nWorld',
          inviter: {
            inviter_id: me,
            inviter_public_identifier: usher.tenant.identity.handle,
            inviter_name: usher.tenant.identity.displayName,
          },
        },
      ],
    });
    // A second invitation while the first is pending is what Unipile calls already invited.
    expect(
      (await unipile('POST', '/api/v1/users/invite', { provider_id: 'ann-smith', account_id: me })).body,
    ).toMatchObject({ status: 422, type: 'errors/already_invited_recently' });
  });

  it('refuses a note over 300 characters with errors/too_many_characters, and creates nothing', async () => {
    const bob = (
      await usher.request('POST', '/v1/identities', {
        key: other.apiKey.key,
        body: { displayName: 'Bob', handle: 'bob-b' },
      })
    ).body;
    const refused = await unipile('POST', '/api/v1/users/invite', {
      provider_id: bob.id,
      account_id: me,
      message: 'x'.repeat(301),
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      status: 400,
      type: 'errors/too_many_characters',
      title: 'Too many characters',
      code: 'too_many_characters',
      field: 'body.message',
    });
    expect(
      (
        await usher.request('GET', '/v1/invitations?direction=incoming&channel=provider', { key: other.apiKey.key })
      ).body.data.filter((i: any) => i.identityId === bob.id),
    ).toEqual([]);
    expect(
      (await unipile('POST', '/api/v1/users/invite', { provider_id: bob.id, account_id: me, message: 'x'.repeat(300) }))
        .status,
    ).toBe(200);
  });

  it('refuses recipients that are not users here, or the account itself', async () => {
    expect(
      (await unipile('POST', '/api/v1/users/invite', { provider_id: 'nobody-here', account_id: me })).body,
    ).toMatchObject({ status: 422, type: 'errors/invalid_recipient', field: 'body.provider_id' });
    expect((await unipile('POST', '/api/v1/users/invite', { provider_id: me, account_id: me })).body).toMatchObject({
      status: 422,
      type: 'errors/invalid_recipient',
      code: 'provider_self_invite',
    });
  });

  it("pages the sent list with Unipile's limit and cursor", async () => {
    for (const handle of ['carol-c', 'dave-d']) {
      const id = (await usher.request('POST', '/v1/identities', { body: { displayName: handle, handle } })).body.id;
      expect((await unipile('POST', '/api/v1/users/invite', { provider_id: id, account_id: me })).status).toBe(200);
    }
    const first = (await unipile('GET', `/api/v1/users/invite/sent?account_id=${me}&limit=2`)).body;
    expect(first.items.map((i: any) => i.invited_user_public_id)).toEqual(['dave-d', 'carol-c']);
    const rest = (await unipile('GET', `/api/v1/users/invite/sent?account_id=${me}&limit=2&cursor=${first.cursor}`))
      .body;
    expect(rest.items.map((i: any) => i.invited_user_public_id)).toEqual(['bob-b', 'ann-smith']);
    expect((await unipile('GET', `/api/v1/users/invite/sent?account_id=${me}&cursor=bogus`)).body).toMatchObject({
      status: 400,
      type: 'errors/invalid_parameters',
      field: 'query.cursor',
    });
  });
});
