/**
 * Usher as the recipient of a mediator (Aries RFC 0211), with Credo-ts 0.6 as the mediator, in a
 * child process: Usher asks for mediation, new invitations and connection DIDs carry the
 * mediator's endpoint and routing keys, each key is registered with keylist-update, and what the
 * mediator queues for Usher is picked up with Pickup 2.0 (RFC 0685) over return routes. Another
 * Credo agent connects to Usher that way without ever reaching Usher's own endpoint. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseInvitationUrl, verkeyToDidKey } from '#didcomm';
import { startCredoPeer, type CredoPeer, type PeerEvent } from '#support/credo-peer';
import { apiClient } from '#support/api-client';
import { startUsher, stopAllUshers, type RunningUsher } from '#support/process';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';

const postedTo = (peer: CredoPeer, base: string) =>
  peer.events.filter(
    (e): e is Extract<PeerEvent, { type: 'outboundHttp' }> =>
      e.type === 'outboundHttp' && new URL(e.exchange.url).origin === new URL(base).origin,
  );

describeEachStore('Usher behind a Credo mediator', (engine) => {
  let usher: RunningUsher;
  let mediator: CredoPeer;
  let alice: CredoPeer;
  let forwarder: CredoPeer;
  let scratch: ScratchDatabase;
  let mediatorId: string;
  const call = (method: string, path: string, body?: unknown) => apiClient(usher).call(method, path, body);
  const until = <T>(read: () => Promise<T>, done: (value: T) => unknown, what: string) =>
    apiClient(usher).until(read, done, what);
  const getMediator = async () => (await call('GET', `/v1/didcomm/mediators/${mediatorId}`)).body;
  const pickUp = async () => {
    const picked = await call('POST', `/v1/didcomm/mediators/${mediatorId}/pickup`);
    expect(picked.status, JSON.stringify(picked.body)).toBe(200);
    return picked.body as { delivered: number; refused: number; remaining: number };
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase(engine);
    [usher, mediator, alice, forwarder] = await Promise.all([
      // No sweep during the suite: the pickups here are the test's own, counted.
      startUsher({
        databaseUrl: scratch.url,
        env: { USHER_ALLOW_PRIVATE_NETWORK: 'true', USHER_LOG_LEVEL: 'warn', USHER_SWEEP_INTERVAL_MS: '3600000' },
        startupTimeoutMs: 40_000,
      }),
      startCredoPeer({ label: 'Mediator (Credo)', mediator: 'queue' }),
      startCredoPeer({ label: 'Alice (Credo)' }),
      startCredoPeer({ label: 'Forwarding mediator (Credo)', mediator: 'direct' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([mediator?.stop(), alice?.stop(), forwarder?.stop()]);
    await stopAllUshers();
    await scratch?.drop();
  });

  it('asks the mediator for mediation and keeps its grant', async () => {
    const { url } = await mediator.createInvitation({ handshake: 'didexchange' });
    const requested = await call('POST', '/v1/didcomm/mediators', { invitationUrl: url });
    expect(requested.status, JSON.stringify(requested.body)).toBe(201);
    expect(requested.body).toMatchObject({ state: 'connecting', endpoint: null, routingKeys: [] });
    mediatorId = requested.body.id;
    const granted = await until(getMediator, (m) => m.state === 'granted', 'granted');
    expect(granted).toMatchObject({
      endpoint: mediator.endpoint,
      routingKeys: [expect.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{43,44}$/)],
    });
    await mediator.waitForEvent(
      (e) => e.type === 'mediation' && e.state === 'granted' && e.role === 'MEDIATOR',
      10_000,
      'the grant on the mediator',
    );
    expect((await call('GET', '/v1/didcomm/mediators')).body.data.map((m: { id: string }) => m.id)).toEqual([
      mediatorId,
    ]);
  });

  it('puts the mediator in new invitations and registers their keys with it', async () => {
    const created = await call('POST', '/v1/invitations', { channel: 'didcomm', label: 'Usher via mediator' });
    const { service } = parseInvitationUrl(created.body.url);
    const { routingKeys } = await getMediator();
    expect(service).toMatchObject({ serviceEndpoint: mediator.endpoint, routingKeys });
    // Registered only on the mediator's keylist-update-response, which names the key.
    await until(getMediator, (m) => m.keys.registered === 1 && m.keys.requested === 0, 'the invitation key registered');
  });

  it("connects another agent through the mediator: its messages are picked up, Usher's own endpoint is never reached", async () => {
    const created = await call('POST', '/v1/invitations', { channel: 'didcomm', label: 'Usher via mediator' });
    await until(getMediator, (m) => m.keys.requested === 0, 'the invitation key registered');
    const { connectionId } = await alice.receiveInvitationUrl(created.body.url);

    // Alice's request waits at the mediator until Usher picks it up; Usher's response waits for its new key's
    // registration.
    let delivered = 0;
    const onUsher = await until(
      async () => {
        delivered += (await pickUp()).delivered;
        return (await call('GET', `/v1/connections?invitationId=${created.body.id}`)).body.data[0];
      },
      (c) => c?.state === 'completed',
      'completed on Usher through pickups',
    );
    expect(delivered).toBe(2); // the request and the complete
    const onAlice = await alice.waitForConnection({ connectionId }, 20_000);
    expect(onUsher).toMatchObject({ role: 'inviter', theirDid: onAlice.did, ourDid: onAlice.theirDid });

    // Usher's connection DID names the mediator, in Credo's own reading of it.
    const { routingKeys } = await getMediator();
    const resolved = await alice.resolveDid(onUsher.ourDid);
    expect(resolved.didDocument?.service).toEqual([
      expect.objectContaining({
        serviceEndpoint: mediator.endpoint,
        routingKeys: [expect.stringContaining(verkeyToDidKey(routingKeys[0]))],
      }),
    ]);
    expect(postedTo(alice, usher.url)).toEqual([]);
    expect(postedTo(alice, mediator.endpoint).length).toBeGreaterThanOrEqual(2);

    // A ping from Usher reaches Alice at her endpoint; her answer comes back through the mediator.
    expect((await call('POST', `/v1/connections/${onUsher.id}/ping`)).status).toBe(202);
    await alice.waitForTrustPing({ connectionId }, 20_000);
    await until(
      async () => {
        await pickUp();
        return (await call('GET', `/v1/connections/${onUsher.id}`)).body;
      },
      (c) => c.lastPingResponseAt !== null,
      'the ping answered through the mediator',
    );
    expect(await pickUp()).toEqual({ delivered: 0, refused: 0, remaining: 0 });
  });

  it('refuses a pickup from a mediator that has not granted, and one of another tenant', async () => {
    // Alice is no mediator: her connection completes, the request goes unanswered, and the mediator stays requested.
    const { url } = await alice.createInvitation({ handshake: 'didexchange' });
    const requested = (await call('POST', '/v1/didcomm/mediators', { invitationUrl: url })).body;
    await until(
      async () => (await call('GET', `/v1/didcomm/mediators/${requested.id}`)).body,
      (m) => m.state === 'requested',
      'requested',
    );
    const early = await call('POST', `/v1/didcomm/mediators/${requested.id}/pickup`);
    expect(early).toMatchObject({ status: 409, body: { code: 'mediator_not_ready' } });
    expect(
      (await call('POST', '/v1/didcomm/mediators/00000000-0000-7000-8000-000000000000/pickup')).body,
    ).toMatchObject({ code: 'mediator_not_found' });
  });

  it('with a mediator that forwards at once, the latest granted one, needs no pickup', async () => {
    const { url } = await forwarder.createInvitation({ handshake: 'didexchange' });
    const second = (await call('POST', '/v1/didcomm/mediators', { invitationUrl: url })).body;
    await until(
      async () => (await call('GET', `/v1/didcomm/mediators/${second.id}`)).body,
      (m) => m.state === 'granted',
      'granted',
    );
    const created = await call('POST', '/v1/invitations', { channel: 'didcomm' });
    expect(parseInvitationUrl(created.body.url).service.serviceEndpoint).toBe(forwarder.endpoint);
    await until(
      async () => (await call('GET', `/v1/didcomm/mediators/${second.id}`)).body,
      (m) => m.keys.registered === 1,
      'the invitation key registered',
    );
    // Alice reached Usher directly before, as the would-be mediator of the test above; count from here.
    const before = postedTo(alice, usher.url).length;
    const { connectionId } = await alice.receiveInvitationUrl(created.body.url);
    await alice.waitForConnection({ connectionId }, 20_000);
    // The forwarding mediator posted Alice's messages on to Usher's endpoint on its connection: no pickup was made.
    await until(
      async () => (await call('GET', `/v1/connections?invitationId=${created.body.id}`)).body.data[0],
      (c) => c?.state === 'completed',
      'completed on Usher',
    );
    expect((await call('GET', `/v1/didcomm/mediators/${second.id}`)).body.lastPickupAt).toBeNull();
    expect(postedTo(alice, usher.url).length).toBe(before);
    expect(postedTo(alice, forwarder.endpoint).length).toBeGreaterThanOrEqual(2);
  });
});

describeEachStore('Usher picking up from its mediator in the background', (engine) => {
  let usher: RunningUsher;
  let mediator: CredoPeer;
  let bob: CredoPeer;
  let scratch: ScratchDatabase;
  const call = (method: string, path: string, body?: unknown) => apiClient(usher).call(method, path, body);
  const until = <T>(read: () => Promise<T>, done: (value: T) => unknown, what: string) =>
    apiClient(usher).until(read, done, what);

  beforeAll(async () => {
    scratch = await createScratchDatabase(engine);
    [usher, mediator, bob] = await Promise.all([
      startUsher({
        databaseUrl: scratch.url,
        env: { USHER_ALLOW_PRIVATE_NETWORK: 'true', USHER_LOG_LEVEL: 'warn', USHER_SWEEP_INTERVAL_MS: '1000' },
        startupTimeoutMs: 40_000,
      }),
      startCredoPeer({ label: 'Mediator (Credo)', mediator: 'queue' }),
      startCredoPeer({ label: 'Bob (Credo)' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([mediator?.stop(), bob?.stop()]);
    await stopAllUshers();
    await scratch?.drop();
  });

  it('collects what the mediator holds at every sweep, with no pickup call', async () => {
    const { url } = await mediator.createInvitation({ handshake: 'didexchange' });
    const requested = (await call('POST', '/v1/didcomm/mediators', { invitationUrl: url })).body;
    const mediatorView = async () => (await call('GET', `/v1/didcomm/mediators/${requested.id}`)).body;
    await until(mediatorView, (m) => m.state === 'granted', 'granted');
    const created = await call('POST', '/v1/invitations', { channel: 'didcomm' });
    await until(mediatorView, (m) => m.keys.registered === 1, 'the invitation key registered');
    const { connectionId } = await bob.receiveInvitationUrl(created.body.url);
    await bob.waitForConnection({ connectionId }, 20_000);
    await until(
      async () => (await call('GET', `/v1/connections?invitationId=${created.body.id}`)).body.data[0],
      (c) => c?.state === 'completed',
      'completed on Usher',
    );
    expect((await mediatorView()).lastPickupAt).not.toBeNull();
    expect(postedTo(bob, usher.url)).toEqual([]);
  });
});
