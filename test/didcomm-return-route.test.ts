/**
 * An agent with no endpoint of its own (a mobile wallet) connects to Usher: Credo-ts 0.6 with no
 * inbound transport, whose DIDs carry `didcomm:transport/queue`, puts `~transport.return_route:
 * "all"` on what it sends and reads Usher's answers from the HTTP responses (Aries RFC 0092).
 * Messages Usher owes it at other times wait until it next asks. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCredoPeer, type CredoPeer, type HttpExchange, type PeerEvent } from '#support/credo-peer';
import { apiClient } from '#support/api-client';
import { startUsher, stopAllUshers, type RunningUsher } from '#support/process';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';

/** What Credo posted to Usher and got back on the same response, oldest first. */
function exchangesWith(peer: CredoPeer, usher: RunningUsher): HttpExchange[] {
  return peer.events
    .filter((e): e is Extract<PeerEvent, { type: 'outboundHttp' }> => e.type === 'outboundHttp')
    .map((e) => e.exchange)
    .filter((exchange) => new URL(exchange.url).origin === new URL(usher.url).origin);
}

/** The type of the plaintext message Credo processed right after a response carried it. */
const processedTypes = (peer: CredoPeer) =>
  peer.events
    .filter((e): e is Extract<PeerEvent, { type: 'messageProcessed' }> => e.type === 'messageProcessed')
    .map((e) => String(e.message['@type']));

describeEachStore('a Credo agent without an endpoint, answered over return routes', (engine) => {
  let usher: RunningUsher;
  let wallet: CredoPeer;
  let scratch: ScratchDatabase;
  const call = (method: string, path: string, body?: unknown) => apiClient(usher).call(method, path, body);
  const until = <T>(read: () => Promise<T>, done: (value: T) => unknown, what: string) =>
    apiClient(usher).until(read, done, what);
  const connectionOf = async (invitationId: string) =>
    (await call('GET', `/v1/connections?invitationId=${invitationId}`)).body.data[0];

  beforeAll(async () => {
    scratch = await createScratchDatabase(engine);
    [usher, wallet] = await Promise.all([
      startUsher({
        databaseUrl: scratch.url,
        env: { USHER_ALLOW_PRIVATE_NETWORK: 'true', USHER_LOG_LEVEL: 'warn' },
        startupTimeoutMs: 40_000,
      }),
      startCredoPeer({ label: 'Wallet (no endpoint)', inbound: 'none' }),
    ]);
  });
  afterAll(async () => {
    await wallet?.stop();
    await stopAllUshers();
    await scratch?.drop();
  });

  it("has no endpoint: its DIDs carry Credo's queue service", () => {
    expect(wallet.endpoint).toBe('didcomm:transport/queue');
  });

  it("connects over DID Exchange 1.1 with the response on the request's own HTTP response", async () => {
    const created = await call('POST', '/v1/invitations', { channel: 'didcomm', label: 'Usher inviter' });
    expect(created.status).toBe(201);
    const { connectionId } = await wallet.receiveInvitationUrl(created.body.url);
    const onWallet = await wallet.waitForConnection({ connectionId }, 20_000);
    expect(onWallet).toMatchObject({ state: 'completed', theirLabel: 'Usher inviter' });
    const onUsher = await until(
      () => connectionOf(created.body.id),
      (c) => c?.state === 'completed',
      'completed on Usher',
    );
    expect(onUsher).toMatchObject({
      role: 'inviter',
      protocol: 'didexchange/1.1',
      theirDid: onWallet.did,
      ourDid: onWallet.theirDid,
    });

    // The request went out with return_route "all" and its answer, a packed envelope, came back on the 200.
    // Credo reports an exchange once its response is read, which may be just after Usher has stored the complete.
    const [request, complete] = await until(
      async () => exchangesWith(wallet, usher),
      (list) => list.length >= 2,
      'both exchanges reported by Credo',
    );
    expect(request).toMatchObject({ status: 200, responseContentType: 'application/didcomm-envelope-enc' });
    expect(JSON.parse(request!.responseBody)).toMatchObject({
      protected: expect.any(String),
      ciphertext: expect.any(String),
      iv: expect.any(String),
      tag: expect.any(String),
    });
    // The complete owes nothing back: 202 and an empty body.
    expect(complete).toMatchObject({ status: 202, responseBody: '' });
    // Credo reports a message processed once its handler returns, and the handler is what sends the complete, so
    // that report can come after both exchanges.
    await until(
      async () => processedTypes(wallet),
      (types) => types.includes('https://didcomm.org/didexchange/1.1/response'),
      'the response processed by Credo',
    );
    // Nothing for the wallet went to the outbox, where it could only fail.
    const deliveries = (await call('GET', `/v1/invitations/${created.body.id}/deliveries`)).body;
    expect(deliveries.data.filter((d: { topic: string }) => d.topic === 'didcomm.message')).toEqual([]);
  });

  it("holds Usher's own ping until the wallet next asks, then hands it over on that response", async () => {
    const created = await call('POST', '/v1/invitations', { channel: 'didcomm' });
    const { connectionId } = await wallet.receiveInvitationUrl(created.body.url);
    await wallet.waitForConnection({ connectionId }, 20_000);
    const onUsher = await until(
      () => connectionOf(created.body.id),
      (c) => c?.state === 'completed',
      'completed on Usher',
    );

    expect((await call('POST', `/v1/connections/${onUsher.id}/ping`)).status).toBe(202);
    // Usher cannot post to the wallet: its ping waits.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(wallet.events.some((e) => e.type === 'trustPingReceived' && e.connectionId === connectionId)).toBe(false);

    // The wallet's own ping asks for a return route; the oldest message held for it, Usher's ping, comes back first.
    await wallet.sendTrustPing(connectionId);
    await wallet.waitForTrustPing({ connectionId }, 20_000);
    // Credo answers Usher's ping (asking for a return route again), and that response brings Usher's answer to the
    // wallet's ping.
    await wallet.waitForTrustPingResponse({ connectionId }, 20_000);
    await until(
      async () => (await call('GET', `/v1/connections/${onUsher.id}`)).body,
      (c) => c.lastPingResponseAt !== null,
      "Usher's ping answered",
    );
  });

  it('connects over Connections 1.0 (c_i) the same way', async () => {
    const created = await call('POST', '/v1/invitations', {
      channel: 'didcomm',
      didcomm: { handshakeProtocols: ['connections/1.0'] },
    });
    expect(created.body.url).toContain('?c_i=');
    const before = exchangesWith(wallet, usher).length;
    const { connectionId } = await wallet.receiveInvitationUrl(created.body.url);
    expect(await wallet.waitForConnection({ connectionId }, 20_000)).toMatchObject({ state: 'completed' });
    await until(
      () => connectionOf(created.body.id),
      (c) => c?.state === 'completed',
      'completed on Usher',
    );
    // The request's 200 carries the response; Credo's ack, a trust ping asking for no answer, gets a 202. Usher
    // completes on that ack before it answers, so Credo may report the exchange later: waiting for it here keeps
    // it out of the next test's count.
    const [request, ack] = await until(
      async () => exchangesWith(wallet, usher).slice(before),
      (list) => list.length >= 2,
      'request and ack reported by Credo',
    );
    expect(request).toMatchObject({ status: 200, responseContentType: 'application/didcomm-envelope-enc' });
    expect(ack).toMatchObject({ status: 202, responseBody: '' });
  });

  it('is refused with problem+json when the invitation is spent, and nothing is stored', async () => {
    const created = await call('POST', '/v1/invitations', { channel: 'didcomm' });
    expect((await call('POST', `/v1/invitations/${created.body.id}/revoke`)).status).toBe(200);
    const before = exchangesWith(wallet, usher).length;
    await wallet.receiveInvitationUrl(created.body.url);
    const refused = await until(
      async () => exchangesWith(wallet, usher).slice(before),
      (list) => list.length > 0,
      "the wallet's request answered",
    );
    expect(refused[0]).toMatchObject({
      status: 409,
      responseContentType: expect.stringContaining('application/problem+json'),
    });
    expect(JSON.parse(refused[0]!.responseBody)).toMatchObject({ code: 'request_not_accepted' });
    expect((await call('GET', `/v1/connections?invitationId=${created.body.id}`)).body.data).toEqual([]);
  });
});
