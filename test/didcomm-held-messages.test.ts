/**
 * Return routes (Aries RFC 0092) against hand-rolled agents, in process: who gets a held message,
 * which one, and that a message goes one way only, back on the response or to the endpoint, never both.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { randomUUID } from 'node:crypto';
import { base58 } from '@scure/base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createPeerDid2,
  didcommServices,
  packMessage,
  parseInvitationUrl,
  resolveDid,
  unpackMessage,
  type Ed25519KeyPair,
} from '#didcomm';
import { startReceiver, type TestReceiver } from '#support/http-receiver';
import { describeEachStore } from '#support/stores';
import { useTestUsher, type TestUsher } from '#support/usher';

const QUEUE = 'didcomm:transport/queue';
const ping = (extra: Record<string, unknown> = {}) => ({
  '@type': 'https://didcomm.org/trust_ping/1.0/ping',
  '@id': randomUUID(),
  response_requested: true,
  ...extra,
});

/** An agent with its own key and a did:peer:2 whose service is `endpoint` (an HTTP receiver, or Credo's queue). */
function createAgent(endpoint: string) {
  const secretKey = ed25519.utils.randomSecretKey();
  const key: Ed25519KeyPair = { publicKey: ed25519.getPublicKey(secretKey), secretKey };
  return {
    key,
    did: createPeerDid2({ publicKey: key.publicKey, serviceEndpoint: endpoint }),
    pack: (message: object, verkey: string, anonymous = false) =>
      packMessage(message, [base58.decode(verkey)], anonymous ? undefined : key),
    open: (envelope: unknown) =>
      JSON.parse(unpackMessage(JSON.stringify(envelope), [key]).message) as Record<string, any>,
  };
}

async function post(usher: TestUsher, envelope: string) {
  return usher.request('POST', '/didcomm', {
    raw: envelope,
    key: null,
    headers: { 'content-type': 'application/didcomm-envelope-enc' },
  });
}

const returnAll = { '~transport': { return_route: 'all' } };

describeEachStore('held messages and return routes', (engine) => {
  const usher = useTestUsher(engine);
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  async function invitationKey() {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'didcomm' } });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, verkey: parseInvitationUrl(created.body.url).service.recipientKeys[0]! };
  }
  const heldCount = async () =>
    Number(
      (
        await usher.store.db
          .selectFrom('didcomm_held_messages')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const didcommRows = async () =>
    (await usher.store.db.selectFrom('outbox').select('id').where('topic', '=', 'didcomm.message').execute()).length;

  /**
   * A completed connection with an agent at `endpoint`, the handshake run over return routes; returns Usher's
   * connection key.
   */
  async function connect(agent: ReturnType<typeof createAgent>) {
    const invitation = await invitationKey();
    const requestId = randomUUID();
    const request = {
      '@type': 'https://didcomm.org/didexchange/1.1/request',
      '@id': requestId,
      '~thread': { thid: requestId, pthid: invitation.id },
      label: 'Agent',
      did: agent.did,
      ...returnAll,
    };
    const answered = await post(usher, agent.pack(request, invitation.verkey));
    expect(answered.status).toBe(200);
    const response = agent.open(answered.body);
    expect(response).toMatchObject({
      '@type': 'https://didcomm.org/didexchange/1.1/response',
      '~thread': { thid: requestId },
    });
    const ours = didcommServices(resolveDid(response.did))[0]!.recipientKeys[0]!;
    const complete = {
      '@type': 'https://didcomm.org/didexchange/1.1/complete',
      '@id': randomUUID(),
      '~thread': { thid: requestId, pthid: invitation.id },
      ...returnAll,
    };
    expect((await post(usher, agent.pack(complete, ours))).status).toBe(202);
    const connection = (await usher.request('GET', `/v1/connections?invitationId=${invitation.id}`)).body.data[0];
    expect(connection.state).toBe('completed');
    return { ours, connectionId: connection.id as string };
  }

  it('answers an agent with an HTTP endpoint on the response when it asks, and posts nothing to the endpoint', async () => {
    receiver.received.length = 0;
    const outboxBefore = await didcommRows();
    const agent = createAgent(receiver.url);
    await connect(agent);
    await usher.worker.runOnce();
    expect(receiver.received).toEqual([]);
    expect(await didcommRows()).toBe(outboxBefore);
  });

  it('holds a message for an agent without an endpoint, and hands it to that agent only, oldest first', async () => {
    const wallet = createAgent(QUEUE);
    const other = createAgent(QUEUE);
    const [{ ours, connectionId }, second] = [await connect(wallet), await connect(other)];
    const pinged = await usher.request('POST', `/v1/connections/${connectionId}/ping`);
    expect(pinged.status).toBe(202);
    expect(await heldCount()).toBe(1);

    // Another agent asking for a return route gets its own answer, never the wallet's ping.
    const othersAnswer = other.open((await post(usher, other.pack(ping(returnAll), second.ours))).body);
    expect(othersAnswer['@type']).toBe('https://didcomm.org/trust_ping/1.0/ping_response');
    expect(await heldCount()).toBe(1);

    // The wallet's next request brings back the oldest message held for it (Usher's ping); its own answer waits.
    const own = ping(returnAll);
    const first = await post(usher, wallet.pack(own, ours));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/didcomm-envelope-enc');
    expect(wallet.open(first.body)).toMatchObject({
      '@type': 'https://didcomm.org/trust_ping/1.0/ping',
      response_requested: true,
    });
    // A ping that asks for nothing back polls: it brings the answer to the first.
    const polled = await post(usher, wallet.pack(ping({ response_requested: false, ...returnAll }), ours));
    expect(wallet.open(polled.body)).toMatchObject({
      '@type': 'https://didcomm.org/trust_ping/1.0/ping_response',
      '~thread': { thid: own['@id'] },
    });
    expect((await post(usher, wallet.pack(ping({ response_requested: false, ...returnAll }), ours))).status).toBe(202);
    expect(await heldCount()).toBe(0);
  });

  it('with return_route "thread", hands over only that thread\'s messages', async () => {
    const wallet = createAgent(QUEUE);
    const { ours, connectionId } = await connect(wallet);
    await usher.request('POST', `/v1/connections/${connectionId}/ping`);
    const own = ping();
    const answered = await post(
      usher,
      wallet.pack({ ...own, '~transport': { return_route: 'thread', return_route_thread: own['@id'] } }, ours),
    );
    expect(wallet.open(answered.body)).toMatchObject({
      '@type': 'https://didcomm.org/trust_ping/1.0/ping_response',
      '~thread': { thid: own['@id'] },
    });
    // Usher's own ping is on another thread: it still waits.
    expect(
      wallet.open((await post(usher, wallet.pack(ping({ response_requested: false, ...returnAll }), ours))).body)[
        '@type'
      ],
    ).toBe('https://didcomm.org/trust_ping/1.0/ping');
  });

  it('refuses a malformed ~transport with problem+json and stores nothing', async () => {
    const agent = createAgent(receiver.url);
    const invitation = await invitationKey();
    const before = { held: await heldCount(), outbox: await didcommRows() };
    for (const [transport, field] of [
      [{ return_route: 'sometimes' }, '~transport.return_route'],
      [{ return_route: 'thread' }, '~transport.return_route_thread'],
      ['all', '~transport'],
    ] as const) {
      const requestId = randomUUID();
      const request = {
        '@type': 'https://didcomm.org/didexchange/1.1/request',
        '@id': requestId,
        '~thread': { thid: requestId, pthid: invitation.id },
        label: 'Agent',
        did: agent.did,
        '~transport': transport,
      };
      const refused = await post(usher, agent.pack(request, invitation.verkey));
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ code: 'message_malformed', field });
    }
    expect((await usher.request('GET', `/v1/connections?invitationId=${invitation.id}`)).body.data).toEqual([]);
    expect({ held: await heldCount(), outbox: await didcommRows() }).toEqual(before);
  });

  it('cannot answer an anonymous sender on the response: its answer goes to its endpoint', async () => {
    receiver.received.length = 0;
    const agent = createAgent(receiver.url);
    const invitation = await invitationKey();
    const requestId = randomUUID();
    const request = {
      '@type': 'https://didcomm.org/didexchange/1.1/request',
      '@id': requestId,
      '~thread': { thid: requestId, pthid: invitation.id },
      label: 'Agent',
      did: agent.did,
      ...returnAll,
    };
    expect((await post(usher, agent.pack(request, invitation.verkey, true))).status).toBe(202);
    await usher.worker.runOnce();
    expect(receiver.received.map((r) => agent.open(JSON.parse(r.body))['@type'])).toEqual([
      'https://didcomm.org/didexchange/1.1/response',
    ]);
  });
});
