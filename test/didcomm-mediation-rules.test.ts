/**
 * Mediation rules against a hand-rolled mediator, in process (RFC 0211): what a grant must hold,
 * and that nothing sent from a new key leaves before the mediator has confirmed that key.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { randomUUID } from 'node:crypto';
import { base58 } from '@scure/base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createPeerDid2,
  didcommServices,
  didKeyToVerkey,
  packMessage,
  parseInvitationUrl,
  resolveDid,
  unpackMessage,
  verkeyToDidKey,
  type Ed25519KeyPair,
} from '#didcomm';
import { startReceiver, type TestReceiver } from '#support/http-receiver';
import { describeEachStore } from '#support/stores';
import { useTestUsher, type TestUsher } from '#support/usher';
// A hand-rolled inviter signs its response the way an agent would, with the library's own helper.
import { attach } from '../src/didcomm/signatures';

function newKey(): Ed25519KeyPair {
  const secretKey = ed25519.utils.randomSecretKey();
  return { publicKey: ed25519.getPublicKey(secretKey), secretKey };
}

async function post(usher: TestUsher, envelope: string) {
  return usher.request('POST', '/didcomm', {
    raw: envelope,
    key: null,
    headers: { 'content-type': 'application/didcomm-envelope-enc' },
  });
}

describeEachStore('mediation rules, with a hand-rolled mediator', (engine) => {
  const usher = useTestUsher(engine);
  let mediatorInbox: TestReceiver;
  let peerInbox: TestReceiver;
  const mediatorKey = newKey();
  const invitationKey = newKey();
  const routingKey = newKey();
  let mediatorDid: string;
  let usherKeyAtMediator: string;
  let mediatorId: string;
  let requestThread: string;

  beforeAll(async () => {
    [mediatorInbox, peerInbox] = await Promise.all([startReceiver(), startReceiver()]);
    mediatorDid = createPeerDid2({ publicKey: mediatorKey.publicKey, serviceEndpoint: mediatorInbox.url });
  });
  afterAll(async () => {
    await Promise.all([mediatorInbox.close(), peerInbox.close()]);
  });

  /** Everything the worker posts to the mediator now, opened with whichever of its keys it is for. */
  async function toMediator(): Promise<Array<Record<string, any>>> {
    mediatorInbox.received.length = 0;
    await usher.worker.runOnce();
    return mediatorInbox.received.map((r) => {
      for (const key of [invitationKey, mediatorKey]) {
        try {
          return JSON.parse(unpackMessage(r.body, [key]).message);
        } catch {
          // addressed to the other key
        }
      }
      throw new Error("a message to neither of the mediator's keys");
    });
  }
  const fromMediator = (message: object) =>
    post(usher, packMessage(message, [base58.decode(usherKeyAtMediator)], mediatorKey));
  const mediator = async () => (await usher.request('GET', `/v1/didcomm/mediators/${mediatorId}`)).body;
  const heldRows = () => usher.store.db.selectFrom('didcomm_held_messages').selectAll().execute();

  it('connects to the mediator and asks for mediation once the connection completes', async () => {
    const invitationId = randomUUID();
    const oob = {
      '@type': 'https://didcomm.org/out-of-band/1.1/invitation',
      '@id': invitationId,
      label: 'Mediator',
      handshake_protocols: ['https://didcomm.org/didexchange/1.1'],
      services: [
        {
          id: '#inline',
          type: 'did-communication',
          recipientKeys: [verkeyToDidKey(base58.encode(invitationKey.publicKey))],
          serviceEndpoint: mediatorInbox.url,
        },
      ],
    };
    const started = await usher.request('POST', '/v1/didcomm/mediators', {
      body: {
        invitationUrl: `https://mediator.example/?oob=${Buffer.from(JSON.stringify(oob)).toString('base64url')}`,
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    mediatorId = started.body.id;
    const [request] = await toMediator();
    // The connection to the mediator is direct: our DID carries Usher's own endpoint and no routing keys.
    expect(didcommServices(resolveDid(request!.did))[0]).toMatchObject({
      serviceEndpoint: 'http://usher.test/didcomm',
      routingKeys: [],
    });
    usherKeyAtMediator = didcommServices(resolveDid(request!.did))[0]!.recipientKeys[0]!;
    requestThread = request!['@id'];
    const response = {
      '@type': 'https://didcomm.org/didexchange/1.1/response',
      '@id': randomUUID(),
      '~thread': { thid: request!['@id'], pthid: invitationId },
      did: mediatorDid,
      'did_rotate~attach': attach(mediatorDid, 'text/string', invitationKey),
    };
    expect((await fromMediator(response)).status).toBe(202);
    expect(await mediator()).toMatchObject({ state: 'requested' });
    const sent = await toMediator();
    expect(sent.map((m) => m['@type']).sort()).toEqual([
      'https://didcomm.org/coordinate-mediation/1.0/mediate-request',
      'https://didcomm.org/didexchange/1.1/complete',
    ]);
    requestThread = sent.find((m) => m['@type'].endsWith('mediate-request'))!['@id'];
  });

  it('refuses a grant without a readable endpoint or keys, or on another thread, and changes nothing', async () => {
    const grant = (extra: Record<string, unknown>) => ({
      '@type': 'https://didcomm.org/coordinate-mediation/1.0/mediate-grant',
      '@id': randomUUID(),
      '~thread': { thid: requestThread },
      endpoint: 'https://mediator.example/didcomm',
      routing_keys: [],
      ...extra,
    });
    expect((await fromMediator(grant({ routing_keys: ['not a key'] }))).body).toMatchObject({
      code: 'message_malformed',
      field: 'routing_keys',
    });
    expect((await fromMediator(grant({ endpoint: 42 }))).body).toMatchObject({
      code: 'message_malformed',
      field: 'endpoint',
    });
    expect((await fromMediator(grant({ '~thread': { thid: randomUUID() } }))).body).toMatchObject({
      code: 'thread_unknown',
    });
    expect(await mediator()).toMatchObject({ state: 'requested', endpoint: null, routingKeys: [] });
    // New invitations stay direct until a grant.
    const direct = await usher.request('POST', '/v1/invitations', { body: { channel: 'didcomm' } });
    expect(parseInvitationUrl(direct.body.url).service).toMatchObject({
      serviceEndpoint: 'http://usher.test/didcomm',
      routingKeys: [],
    });

    const granted = grant({ routing_keys: [verkeyToDidKey(base58.encode(routingKey.publicKey))] });
    expect((await fromMediator(granted)).status).toBe(202);
    expect(await mediator()).toMatchObject({
      state: 'granted',
      endpoint: 'https://mediator.example/didcomm',
      routingKeys: [base58.encode(routingKey.publicKey)],
    });
    expect((await fromMediator(granted)).body).toMatchObject({ code: 'thread_unknown' });
  });

  it('holds a response from a new key until the mediator confirms that key, then posts it once', async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'didcomm' } });
    const { service } = parseInvitationUrl(created.body.url);
    expect(service).toMatchObject({
      serviceEndpoint: 'https://mediator.example/didcomm',
      routingKeys: [base58.encode(routingKey.publicKey)],
    });
    const confirm = async (verkey: string, result = 'success') =>
      fromMediator({
        '@type': 'https://didcomm.org/coordinate-mediation/1.0/keylist-update-response',
        '@id': randomUUID(),
        updated: [{ recipient_key: verkeyToDidKey(verkey), action: 'add', result }],
      });
    const [invitationUpdate] = await toMediator();
    expect(invitationUpdate).toMatchObject({
      '@type': 'https://didcomm.org/coordinate-mediation/1.0/keylist-update',
      updates: [{ recipient_key: verkeyToDidKey(service.recipientKeys[0]!), action: 'add' }],
    });
    expect((await confirm(service.recipientKeys[0]!)).status).toBe(202);

    // A requester with an endpoint of its own: Usher answers it directly, but only once its new key is routed.
    const peerKey = newKey();
    const peerDid = createPeerDid2({ publicKey: peerKey.publicKey, serviceEndpoint: peerInbox.url });
    const id = randomUUID();
    const request = {
      '@type': 'https://didcomm.org/didexchange/1.1/request',
      '@id': id,
      '~thread': { thid: id, pthid: created.body.id },
      label: 'Peer',
      did: peerDid,
    };
    // Sent to the invitation key as the mediator would pass it on, unwrapped.
    expect((await post(usher, packMessage(request, [base58.decode(service.recipientKeys[0]!)], peerKey))).status).toBe(
      202,
    );
    const [keyUpdate] = await toMediator();
    const newVerkey = keyUpdate!.updates[0].recipient_key as string;
    expect(peerInbox.received).toEqual([]);
    expect(await heldRows()).toEqual([
      expect.objectContaining({
        message_type: 'https://didcomm.org/didexchange/1.1/response',
        endpoint: peerInbox.url,
        awaiting_key: expect.any(String),
      }),
    ]);
    expect(await mediator()).toMatchObject({ keys: { requested: 1, registered: 1, refused: 0 } });

    expect((await confirm(didKeyToVerkey(newVerkey))).status).toBe(202);
    expect(await heldRows()).toEqual([]);
    await usher.worker.runOnce();
    const responses = peerInbox.received.map((r) => JSON.parse(unpackMessage(r.body, [peerKey]).message));
    expect(responses.map((m) => m['@type'])).toEqual(['https://didcomm.org/didexchange/1.1/response']);
    // Usher's connection DID sends others through the mediator.
    expect(didcommServices(resolveDid(responses[0]!.did))[0]).toMatchObject({
      serviceEndpoint: 'https://mediator.example/didcomm',
      routingKeys: [base58.encode(routingKey.publicKey)],
    });
    expect(await mediator()).toMatchObject({ keys: { requested: 0, registered: 2, refused: 0 } });
  });
});
