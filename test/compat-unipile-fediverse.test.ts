/**
 * The Unipile seed's two steps (003, "Invite users": retrieve a profile, then invite its
 * provider_id) for fediverse accounts: actors on another Usher process and on an independent
 * Fedify server, found by `@user@host` or by IRI, invited over ActivityPub, listed as sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '#support/api-client';
import { startFedifyPeer, type FedifyPeer } from '#support/fedify-peer';
import { startReceiver, type TestReceiver } from '#support/http-receiver';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';
import { startUsherPair, type UsherPair } from '#support/usher-pair';

/** A Unipile client of one Usher: the seed's headers (X-API-KEY, accept), bodies sent as text. */
function unipileClient(usher: RunningUsher) {
  return async (method: string, path: string, body?: string) => {
    const headers: Record<string, string> = {
      'X-API-KEY': TEST_BOOTSTRAP_KEY,
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    };
    const response = await fetch(`${usher.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: text ? JSON.parse(text) : null,
    };
  };
}

/** The seed's step-2 body, byte for byte but for the two ids. */
const seedInviteBody = (providerId: string, accountId: string) => `{
    	"provider_id": "${providerId}",
    	"account_id": "${accountId}",
        "message": "Hello\\nWorld"
    }`;

describeEachStore('the Unipile users API with fediverse accounts', (engine) => {
  let pair: UsherPair;
  let peer: FedifyPeer;
  let unipile: ReturnType<typeof unipileClient>;
  let a: ReturnType<typeof apiClient>;
  let b: ReturnType<typeof apiClient>;
  let me: string;
  let bHost: string;
  let julien: { id: string; actor: string };

  beforeAll(async () => {
    [pair, peer] = await Promise.all([startUsherPair(engine), startFedifyPeer()]);
    a = apiClient(pair.a);
    b = apiClient(pair.b);
    unipile = unipileClient(pair.a);
    me = (await a.call('GET', '/v1/identities')).body.data[0].id;
    bHost = new URL(pair.b.url).host;
    const created = await b.call('POST', '/v1/identities', {
      displayName: 'Julien Crepieux',
      handle: 'julien-crepieux',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    julien = { id: created.body.id, actor: `${pair.b.url}/ap/users/julien-crepieux` };
  });
  afterAll(async () => {
    await peer?.close();
    await pair?.stop();
  });

  it("takes the seed's two steps for an actor on another server: its profile by @user@host, then an invitation to its provider_id", async () => {
    const profile = await unipile('GET', `/api/v1/users/@julien-crepieux@${bHost}?account_id=${me}`);
    expect(profile.status, JSON.stringify(profile.body)).toBe(200);
    expect(profile.body).toEqual({
      object: 'UserProfile',
      provider: 'ACTIVITYPUB',
      provider_id: julien.actor,
      public_identifier: `@julien-crepieux@${bHost}`,
      first_name: 'Julien',
      last_name: 'Crepieux',
      is_self: false,
    });
    // The handle without its leading @, as people also write it, is the same user.
    expect((await unipile('GET', `/api/v1/users/julien-crepieux@${bHost}?account_id=${me}`)).body).toEqual(
      profile.body,
    );

    const sent = await unipile('POST', '/api/v1/users/invite', seedInviteBody(profile.body.provider_id, me));
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toEqual({ object: 'UserInvitationSent', invitation_id: expect.any(String) });
    expect((await a.call('GET', `/v1/invitations/${sent.body.invitation_id}`)).body).toMatchObject({
      channel: 'activitypub',
      direction: 'outgoing',
      identityId: me,
      message: 'Hello\nWorld',
      recipient: { actorIri: julien.actor, name: 'Julien Crepieux' },
    });

    // The Invite reaches the other server: Julien's identity there has it as an incoming invitation.
    const incoming = await b.until(
      async () =>
        ((await b.call('GET', '/v1/invitations?direction=incoming&channel=activitypub')).body.data as any[]).find(
          (i) => i.identityId === julien.id,
        ),
      (found) => Boolean(found),
      'the Invite arrives at B',
    );
    expect(incoming).toMatchObject({ status: 'pending', message: 'Hello\nWorld' });

    const list = await unipile('GET', `/api/v1/users/invite/sent?account_id=${me}`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body).toMatchObject({
      object: 'InvitationList',
      cursor: null,
      items: [
        {
          object: 'InvitationSent',
          id: sent.body.invitation_id,
          invited_user: 'Julien Crepieux',
          invited_user_id: julien.actor,
          invited_user_public_id: `@julien-crepieux@${bHost}`,
          invitation_text: 'Hello\nWorld',
          inviter: { inviter_id: me },
        },
      ],
    });
  });

  it('finds an actor of an independent Fedify server by its IRI, invites it, and lists the invitation with the others', async () => {
    const peerHost = new URL(peer.url).host;
    const profile = await unipile('GET', `/api/v1/users/${encodeURIComponent(peer.actor)}?account_id=${me}`);
    expect(profile.status, JSON.stringify(profile.body)).toBe(200);
    expect(profile.body).toEqual({
      object: 'UserProfile',
      provider: 'ACTIVITYPUB',
      provider_id: peer.actor,
      public_identifier: `@peer@${peerHost}`,
      first_name: 'Fedify',
      last_name: 'peer',
      is_self: false,
    });
    expect((await unipile('GET', `/api/v1/users/@peer@${peerHost}?account_id=${me}`)).body).toEqual(profile.body);

    const sent = await unipile(
      'POST',
      '/api/v1/users/invite',
      JSON.stringify({ provider_id: profile.body.provider_id, account_id: me }),
    );
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    // Fedify verified the Invite's signature before its listener recorded it.
    const invite = await peer.waitFor((activity) => activity.type === 'Invite' && activity.objectId === peer.actor);
    expect(invite.id).toBe(`${pair.a.url}/ap/invites/${sent.body.invitation_id}`);

    // Newest first across both servers' actors, paged by Unipile's limit and cursor.
    const first = await unipile('GET', `/api/v1/users/invite/sent?account_id=${me}&limit=1`);
    expect(first.body.items).toEqual([
      expect.objectContaining({
        id: sent.body.invitation_id,
        invited_user_id: peer.actor,
        invited_user_public_id: `@peer@${peerHost}`,
        invitation_text: null,
      }),
    ]);
    expect(first.body.cursor).toEqual(expect.any(String));
    const rest = await unipile('GET', `/api/v1/users/invite/sent?account_id=${me}&limit=1&cursor=${first.body.cursor}`);
    expect(rest.body).toMatchObject({ cursor: null, items: [{ invited_user_id: julien.actor }] });
  });

  it('answers 404 for actors that do not exist, and refuses to invite them, creating nothing', async () => {
    const before = (await a.call('GET', '/v1/invitations?limit=200')).body.data.length;
    for (const identifier of [`@nobody-here@${bHost}`, encodeURIComponent(`${pair.b.url}/ap/users/nobody-here`)]) {
      const res = await unipile('GET', `/api/v1/users/${identifier}?account_id=${me}`);
      expect(res.status, identifier).toBe(404);
      expect(res.contentType).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        type: 'errors/resource_not_found',
        code: 'user_not_found',
        field: 'path.identifier',
      });
    }
    const refused = await unipile(
      'POST',
      '/api/v1/users/invite',
      JSON.stringify({ provider_id: `${pair.b.url}/ap/users/nobody-here`, account_id: me }),
    );
    expect(refused.body).toMatchObject({
      status: 422,
      type: 'errors/invalid_recipient',
      code: 'provider_user_not_found',
      field: 'body.provider_id',
    });
    expect((await a.call('GET', '/v1/invitations?limit=200')).body.data).toHaveLength(before);
  });
});

describe('the Unipile users API under the fediverse address rules', () => {
  let usher: RunningUsher;
  let scratch: ScratchDatabase;
  let receiver: TestReceiver;

  beforeAll(async () => {
    [scratch, receiver] = await Promise.all([createScratchDatabase('sqlite'), startReceiver()]);
    // USHER_ALLOW_PRIVATE_NETWORK unset: loopback and private addresses are out of bounds, as in production.
    usher = await startUsher({ databaseUrl: scratch.url, env: { USHER_LOG_LEVEL: 'warn' }, startupTimeoutMs: 40_000 });
  });
  afterAll(async () => {
    await stopAllUshers();
    await receiver?.close();
    await scratch?.drop();
  });

  it('never fetches an actor or WebFinger document from a private address', async () => {
    const unipile = unipileClient(usher);
    const me = (await apiClient(usher).call('GET', '/v1/identities')).body.data[0].id;
    const host = new URL(receiver.url).host;
    for (const identifier of [
      encodeURIComponent(`http://${host}/users/ann`),
      `@ann@${host}`,
      encodeURIComponent('http://169.254.169.254/latest/meta-data/'),
    ]) {
      expect((await unipile('GET', `/api/v1/users/${identifier}?account_id=${me}`)).body, identifier).toMatchObject({
        status: 404,
        code: 'user_not_found',
      });
    }
    expect(
      (
        await unipile(
          'POST',
          '/api/v1/users/invite',
          JSON.stringify({ provider_id: `http://${host}/users/ann`, account_id: me }),
        )
      ).body,
    ).toMatchObject({ status: 422, code: 'provider_user_not_found' });
    expect(receiver.received).toEqual([]);
    expect((await apiClient(usher).call('GET', '/v1/invitations')).body.data).toEqual([]);
  });
});
