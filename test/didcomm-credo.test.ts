/**
 * Usher and an independent Aries agent (Credo-ts 0.6, in a child process on 127.0.0.1) connect
 * both ways, over DID Exchange 1.1 and Connections 1.0, and ping each other. Credo checks
 * Usher's envelopes, signatures and DIDs with its own code; Usher checks Credo's with its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCredoPeer, type CredoPeer } from '#support/credo-peer';
import { apiClient } from '#support/api-client';
import { startUsher, stopAllUshers, type RunningUsher } from '#support/process';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';

/**
 * Connections 1.0 exchanges unqualified DIDs. Usher keeps them as sent; Credo stores each legacy DID
 * document as the did:peer:1 it converts it to, so the pair is matched by shape, not string.
 */
function expectLegacyPair(
  onUsher: { protocol: string; ourDid: string; theirDid: string },
  onCredo: { theirDid?: string | null },
) {
  expect(onUsher.protocol).toBe('connections/1.0');
  expect(onUsher.ourDid).toMatch(/^[1-9A-HJ-NP-Za-km-z]{21,22}$/);
  expect(onUsher.theirDid).toMatch(/^[1-9A-HJ-NP-Za-km-z]{21,22}$/);
  expect(onCredo.theirDid).toMatch(/^did:peer:1/);
}

describe('Usher and Credo-ts connecting over DIDComm', () => {
  let usher: RunningUsher;
  let credo: CredoPeer;
  let legacyCredo: CredoPeer;
  let scratch: ScratchDatabase;
  const call = (method: string, path: string, body?: unknown) => apiClient(usher).call(method, path, body);
  const untilConnection = (find: () => Promise<any>, done: (c: any) => boolean, what: string) =>
    apiClient(usher).until(find, (c) => c && done(c), `Usher's connection ${what}`);
  const inviterConnection = (invitationId: string) => async () =>
    (await call('GET', `/v1/connections?invitationId=${invitationId}`)).body.data[0];
  const connection = (id: string) => async () => (await call('GET', `/v1/connections/${id}`)).body;

  beforeAll(async () => {
    scratch = await createScratchDatabase('sqlite');
    [usher, credo, legacyCredo] = await Promise.all([
      startUsher({
        databaseUrl: scratch.url,
        env: { USHER_ALLOW_PRIVATE_NETWORK: 'true', USHER_LOG_LEVEL: 'warn' },
        startupTimeoutMs: 40_000,
      }),
      startCredoPeer({ label: 'Credo agent' }),
      // did:peer:1 cannot be resolved from the DID alone: Credo attaches the document, signed.
      startCredoPeer({ label: 'Credo with did:peer:1', peerDidNumAlgo: 1 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([credo?.stop(), legacyCredo?.stop()]);
    await stopAllUshers();
    await scratch?.drop();
  });

  it("Credo accepts Usher's out-of-band invitation over DID Exchange 1.1, and both complete", async () => {
    const created = await call('POST', '/v1/invitations', { channel: 'didcomm', label: 'Usher inviter' });
    expect(created.status).toBe(201);
    const { connectionId } = await credo.receiveInvitationUrl(created.body.url);
    const onCredo = await credo.waitForConnection({ connectionId }, 20_000);
    expect(onCredo).toMatchObject({ state: 'completed', theirLabel: 'Usher inviter' });
    const onUsher = await untilConnection(
      inviterConnection(created.body.id),
      (c) => c.state === 'completed',
      'completed',
    );
    expect(onUsher).toMatchObject({
      role: 'inviter',
      protocol: 'didexchange/1.1',
      theirLabel: 'Credo agent',
      theirDid: onCredo.did,
      ourDid: onCredo.theirDid,
    });
    expect((await call('GET', `/v1/invitations/${created.body.id}`)).body).toMatchObject({
      status: 'accepted',
      usesCount: 1,
    });

    // Usher pings, Credo answers; Credo pings, Usher answers.
    expect((await call('POST', `/v1/connections/${onUsher.id}/ping`)).status).toBe(202);
    await untilConnection(connection(onUsher.id), (c) => c.lastPingResponseAt !== null, 'answered by Credo');
    const { threadId } = await credo.sendTrustPing(connectionId);
    await credo.waitForTrustPingResponse({ threadId }, 20_000);
  });

  it('a Credo that requests with a did:peer:1 and its signed did_doc~attach connects too', async () => {
    const created = await call('POST', '/v1/invitations', { channel: 'didcomm' });
    const { connectionId } = await legacyCredo.receiveInvitationUrl(created.body.url);
    const onCredo = await legacyCredo.waitForConnection({ connectionId }, 20_000);
    expect(onCredo.did).toMatch(/^did:peer:1/);
    const onUsher = await untilConnection(
      inviterConnection(created.body.id),
      (c) => c.state === 'completed',
      'completed',
    );
    expect(onUsher).toMatchObject({ theirDid: onCredo.did, ourDid: expect.stringMatching(/^did:peer:2\./) });
  });

  it("Credo accepts Usher's Connections 1.0 invitation (c_i), and both complete", async () => {
    const created = await call('POST', '/v1/invitations', {
      channel: 'didcomm',
      didcomm: { handshakeProtocols: ['connections/1.0'] },
    });
    expect(created.body.url).toContain('?c_i=');
    const { connectionId } = await credo.receiveInvitationUrl(created.body.url);
    const onCredo = await credo.waitForConnection({ connectionId }, 20_000);
    expect(onCredo.state).toBe('completed');
    const onUsher = await untilConnection(
      inviterConnection(created.body.id),
      (c) => c.state === 'completed',
      'completed',
    );
    expectLegacyPair(onUsher, onCredo);
  });

  it("Usher accepts Credo's out-of-band invitation over DID Exchange, and both complete", async () => {
    const { url, outOfBandId } = await credo.createInvitation({ handshake: 'didexchange' });
    const accepted = await call('POST', '/v1/didcomm/accept', { invitationUrl: url });
    expect(accepted.status).toBe(201);
    const onUsher = await untilConnection(connection(accepted.body.id), (c) => c.state === 'completed', 'completed');
    const onCredo = await credo.waitForConnection({ outOfBandId }, 20_000);
    expect(onUsher).toMatchObject({ role: 'invitee', theirDid: onCredo.did, ourDid: onCredo.theirDid });
  });

  it("Usher accepts Credo's legacy connection invitation, and both complete", async () => {
    const { url, outOfBandId } = await credo.createInvitation({ handshake: 'connections' });
    expect(url).toContain('c_i=');
    const accepted = await call('POST', '/v1/didcomm/accept', { invitationUrl: url, didMethod: 'did:peer:4' });
    expect(accepted.status).toBe(201);
    const onUsher = await untilConnection(connection(accepted.body.id), (c) => c.state === 'completed', 'completed');
    const onCredo = await credo.waitForConnection({ outOfBandId }, 20_000);
    expectLegacyPair(onUsher, onCredo);
  });

  it('a multi-use Credo invitation is accepted by two Usher identities', async () => {
    const { url, outOfBandId } = await credo.createInvitation({ handshake: 'didexchange', multiUse: true });
    const second = (await call('POST', '/v1/identities', { displayName: 'Second identity' })).body;
    const [first, other] = await Promise.all([
      call('POST', '/v1/didcomm/accept', { invitationUrl: url }),
      call('POST', '/v1/didcomm/accept', { invitationUrl: url, identityId: second.id }),
    ]);
    for (const accepted of [first, other])
      await untilConnection(connection(accepted.body.id), (c) => c.state === 'completed', 'completed');
    const both = await untilConnection(
      async () =>
        (await credo.listConnections()).filter((c) => c.outOfBandId === outOfBandId && c.state === 'completed'),
      (completedOnCredo) => completedOnCredo.length === 2,
      'two completed connections on Credo',
    );
    expect(new Set(both.map((c: { theirDid: string }) => c.theirDid))).toEqual(
      new Set([first.body.ourDid, other.body.ourDid]),
    );
  });
});
