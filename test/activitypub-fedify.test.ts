/**
 * Usher and an independent ActivityPub server (Fedify's own federation, in this test process on
 * 127.0.0.1): each verifies the other's signatures with its own code, Invites go both ways, and
 * forged requests to Usher's inbox are refused without changing anything.
 */
import { generateCryptoKeyPair } from '@fedify/fedify';
import { signRequest } from '@fedify/fedify/sig';
import { Temporal } from '@js-temporal/polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type ApiClient } from '#support/api-client';
import { startFedifyPeer, type FedifyPeer } from '#support/fedify-peer';
import { startUsher, stopAllUshers } from '#support/process';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';

describeEachStore('Usher and a Fedify server inviting each other', (engine) => {
  let usher: ApiClient;
  let peer: FedifyPeer;
  let scratch: ScratchDatabase;
  let handle: string;
  let usherActor: string;
  const incoming = async () =>
    ((await usher.call('GET', '/v1/invitations?direction=incoming&channel=activitypub')).body.data as any[]).filter(
      (i) => i.recipient.actorIri === peer.actor,
    );
  const invitation = async (id: string) => (await usher.call('GET', `/v1/invitations/${id}`)).body;

  beforeAll(async () => {
    scratch = await createScratchDatabase(engine);
    const [process] = await Promise.all([
      startUsher({
        databaseUrl: scratch.url,
        env: { USHER_ALLOW_PRIVATE_NETWORK: 'true', USHER_LOG_LEVEL: 'warn' },
        startupTimeoutMs: 40_000,
      }),
    ]);
    usher = apiClient(process);
    peer = await startFedifyPeer();
    handle = (await usher.call('GET', '/v1/identities')).body.data[0].handle;
    usherActor = `${process.url}/ap/users/${handle}`;
  });
  afterAll(async () => {
    await peer?.close();
    await stopAllUshers();
    await scratch?.drop();
  });

  it("Fedify receives and verifies Usher's Invite, and its Accept and Reject answer Usher's invitations", async () => {
    const project = { type: 'project', iri: 'https://usher-tenant.example/projects/apollo', name: 'Apollo' };
    const accepted = (
      await usher.call('POST', '/v1/invitations', {
        channel: 'activitypub',
        recipient: { actorHandle: `@${peer.handle}` },
        target: project,
        role: 'contributor',
      })
    ).body;
    const invite = await peer.waitFor((a) => a.type === 'Invite' && a.id === accepted.url);
    expect(invite).toMatchObject({ actor: usherActor, objectId: peer.actor, targetId: project.iri });

    const usherActorObject = await peer.lookupActor(usherActor);
    expect(usherActorObject.inboxId?.href).toBe(`${usherActor}/inbox`);
    expect(usherActorObject.publicKeyId?.href).toBe(`${usherActor}#main-key`);
    // NodeInfo says what this server is: discovery, then the document.
    const links = await (await fetch(`${usher.usher.url}/.well-known/nodeinfo`)).json();
    const nodeinfo = await (await fetch(links.links[0].href)).json();
    expect(nodeinfo).toMatchObject({ software: { name: 'usher' }, protocols: ['activitypub'] });
    await peer.send(
      usherActorObject,
      new peer.vocab.Accept({
        id: new URL(`${peer.url}/accepts/1`),
        actor: new URL(peer.actor),
        object: new URL(accepted.url),
        to: new URL(usherActor),
      }),
    );
    await usher.until(
      () => invitation(accepted.id),
      (i) => i.status === 'accepted',
      'accepted',
    );
    expect((await usher.call('GET', `/v1/memberships?target=${encodeURIComponent(project.iri)}`)).body.data).toEqual([
      expect.objectContaining({ role: 'contributor', member: expect.objectContaining({ actorIri: peer.actor }) }),
    ]);

    const rejected = (
      await usher.call('POST', '/v1/invitations', { channel: 'activitypub', recipient: { actorIri: peer.actor } })
    ).body;
    await peer.waitFor((a) => a.type === 'Invite' && a.id === rejected.url);
    await peer.send(
      usherActorObject,
      new peer.vocab.Reject({
        id: new URL(`${peer.url}/rejects/1`),
        actor: new URL(peer.actor),
        object: new URL(rejected.url),
        to: new URL(usherActor),
      }),
    );
    await usher.until(
      () => invitation(rejected.id),
      (i) => i.status === 'declined',
      'declined',
    );
  });

  it('through the Unipile surface: a fediverse user is found by @user@host and invited with a note, as an ActivityPub Invite', async () => {
    const account = (await usher.call('GET', '/v1/identities')).body.data[0].id;
    const profile = await usher.call('GET', `/api/v1/users/@${peer.handle}?account_id=${account}`);
    expect(profile).toMatchObject({
      status: 200,
      body: {
        object: 'UserProfile',
        provider: 'ACTIVITYPUB',
        provider_id: peer.actor,
        public_identifier: `@${peer.handle}`,
        first_name: 'Fedify',
      },
    });
    const sent = await usher.call('POST', '/api/v1/users/invite', {
      provider_id: profile.body.provider_id,
      account_id: account,
      message: 'Hello\nWorld',
    });
    expect(sent).toMatchObject({
      status: 200,
      body: { object: 'UserInvitationSent', invitation_id: expect.any(String) },
    });
    const invite = await peer.waitFor(
      (a) => a.type === 'Invite' && a.id === `${usher.usher.url}/ap/invites/${sent.body.invitation_id}`,
    );
    expect(invite).toMatchObject({ actor: usherActor, objectId: peer.actor });
    expect(invite.json.content).toBe('Hello\nWorld');
  });

  it('revoking sends Fedify an Undo of the Invite', async () => {
    const created = (
      await usher.call('POST', '/v1/invitations', {
        channel: 'activitypub',
        recipient: { actorIri: peer.actor },
        target: { type: 'event', iri: 'https://usher-tenant.example/e/1', name: 'Kick-off' },
      })
    ).body;
    await peer.waitFor((a) => a.type === 'Invite' && a.id === created.url);
    await usher.call('POST', `/v1/invitations/${created.id}/revoke`);
    const undo = await peer.waitFor((a) => a.type === 'Undo' && a.objectId === created.url);
    expect(undo.actor).toBe(usherActor);
  });

  it("an Invite from Fedify arrives as an incoming invitation, once even when delivered twice, and Usher's Accept reaches Fedify", async () => {
    const usherActorObject = await peer.lookupActor(usherActor);
    const invite = new peer.vocab.Invite({
      id: new URL(`${peer.url}/invites/1`),
      actor: new URL(peer.actor),
      object: new URL(usherActor),
      target: new URL(`${peer.url}/events/summit`),
      to: new URL(usherActor),
    });
    await peer.send(usherActorObject, invite);
    await peer.send(usherActorObject, invite);
    const [arrived] = await usher.until(incoming, (list) => list.length > 0, 'an incoming invitation from the peer');
    expect(arrived).toMatchObject({
      status: 'pending',
      target: { iri: `${peer.url}/events/summit` },
      recipient: { actorIri: peer.actor, name: 'Fedify peer' },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await incoming()).toHaveLength(1);

    expect((await usher.call('POST', `/v1/invitations/${arrived.id}/accept`)).body.status).toBe('accepted');
    const accept = await peer.waitFor((a) => a.type === 'Accept');
    expect(accept).toMatchObject({ actor: usherActor, objectId: `${peer.url}/invites/1` });
  });

  it("reads the Communecter document's Invite as sent: adminandrole is admin with its rules, the target by IRI or object", async () => {
    const post = async (json: Record<string, unknown>) => {
      const text = JSON.stringify(json);
      const headers = { 'content-type': 'application/activity+json' };
      const signed = await signRequest(
        new Request(`${usherActor}/inbox`, { method: 'POST', body: text, headers }),
        peer.keys[0]!.privateKey,
        new URL(peer.keyId),
        {
          spec: 'draft-cavage-http-signatures-12',
        },
      );
      expect((await fetch(signed.url, { method: 'POST', headers: signed.headers, body: text })).status).toBe(202);
    };
    // The document's "Inviting an Actor to Admin with Roles", with this peer as Yorre and Usher's actor as Armel.
    const document = {
      '@context': 'https://www.w3.org/ns/activitystreams',
      type: 'Invite',
      object: usherActor,
      id: `${peer.url}/activity/id/649caf628366d`,
      actor: peer.actor,
      instrument: { as: 'adminandrole', rules: 'Financeur,Directeur' },
      target: `${peer.url}/activity/id/649d514eba30c`,
    };
    await post(document);
    const project = { type: 'Group', id: `${peer.url}/groups/apollo`, name: 'Apollo' };
    await post({ ...document, id: `${peer.url}/activity/id/embedded`, instrument: 'admin', target: project });
    const byTarget = (list: any[], iri: string) => list.find((i) => i.target?.iri === iri);
    const list = await usher.until(
      incoming,
      (all) => Boolean(byTarget(all, document.target) && byTarget(all, project.id)),
      'both Invites',
    );
    expect(byTarget(list, document.target)).toMatchObject({
      status: 'pending',
      role: 'admin',
      rules: ['Financeur', 'Directeur'],
    });
    expect(byTarget(list, project.id)).toMatchObject({
      role: 'admin',
      rules: [],
      target: { type: 'group', iri: project.id, name: 'Apollo' },
    });
  });

  describe("forged requests to Usher's inbox", () => {
    const inbox = () => `${usher.usher.url}/ap/users/${handle}/inbox`;
    const body = (n: string) =>
      JSON.stringify({
        '@context': 'https://www.w3.org/ns/activitystreams',
        type: 'Invite',
        id: `${peer.url}/invites/forged-${n}`,
        actor: peer.actor,
        object: usherActor,
        target: `${peer.url}/events/${n}`,
      });
    const signed = async (
      text: string,
      options: { key?: CryptoKey; spec?: 'rfc9421' | 'draft-cavage-http-signatures-12'; hoursAgo?: number } = {},
    ) => {
      const request = new Request(inbox(), {
        method: 'POST',
        body: text,
        headers: { 'content-type': 'application/activity+json' },
      });
      return signRequest(request, options.key ?? peer.keys[0]!.privateKey, new URL(peer.keyId), {
        spec: options.spec ?? 'draft-cavage-http-signatures-12',
        ...(options.hoursAgo ? { currentTime: Temporal.Now.instant().subtract({ hours: options.hoursAgo }) } : {}),
      });
    };
    const send = async (request: Request, replaceBody?: string) => {
      const response = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: replaceBody ?? (await request.text()),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    };

    it('refuses a missing signature, a wrong key, an altered body and an old date, changing nothing', async () => {
      const before = (await incoming()).length;
      expect(
        (
          await send(
            new Request(inbox(), {
              method: 'POST',
              body: body('unsigned'),
              headers: { 'content-type': 'application/activity+json' },
            }),
          )
        ).status,
      ).toBe(401);
      const stranger = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
      expect((await send(await signed(body('wrong-key'), { key: stranger.privateKey }))).status).toBe(401);
      expect(
        (await send(await signed(body('wrong-key-9421'), { key: stranger.privateKey, spec: 'rfc9421' }))).status,
      ).toBe(401);
      const altered = await send(
        await signed(body('altered')),
        body('altered').replace('events/altered', 'events/other'),
      );
      expect(altered.status).toBe(401);
      const old = await send(await signed(body('old'), { hoursAgo: 2 }));
      expect(old).toMatchObject({ status: 401, body: { code: 'signature_invalid' } });
      expect((await send(await signed(body('old-9421'), { hoursAgo: 2, spec: 'rfc9421' }))).status).toBe(401);
      expect(await incoming()).toHaveLength(before);
    });

    it('takes a correctly signed request once, and refuses the same request replayed', async () => {
      const before = (await incoming()).length;
      const request = await signed(body('genuine'));
      const text = await request.clone().text();
      expect((await send(request.clone(), text)).status).toBe(202);
      const replay = await send(request, text);
      expect(replay).toMatchObject({ status: 401, body: { code: 'signature_replayed' } });
      await usher.until(incoming, (list) => list.length === before + 1, 'the genuine one recorded');
    });
  });
});
