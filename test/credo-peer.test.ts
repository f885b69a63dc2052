/**
 * The Credo peer harness on its own, without Usher: two Credo agents connect to each other with
 * DID Exchange (RFC 0434 + RFC 0023) and with Connections 1.0 (RFC 0160), then exchange trust
 * pings (RFC 0048). If Credo cannot run here this fails with the peer's own error; it never skips.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { startCredoPeer, type ConnectionSummary, type CredoPeer } from '#support/credo-peer';

function decodeInvitationParam(url: string, param: 'oob' | 'c_i'): Record<string, unknown> {
  const value = new URL(url).searchParams.get(param);
  expect(value, `${param} parameter in ${url}`).toBeTruthy();
  return JSON.parse(Buffer.from(value!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Credo peer harness', () => {
  let alice: CredoPeer;
  let bob: CredoPeer;
  let carol: CredoPeer;
  let erin: CredoPeer;
  let frank: CredoPeer;

  beforeAll(async () => {
    const started = await Promise.allSettled([
      startCredoPeer({ label: 'Alice (Credo)' }),
      startCredoPeer({ label: 'Bob (Credo)' }),
      startCredoPeer({ label: 'Carol (Credo)' }),
      startCredoPeer({
        label: 'Erin (Credo)',
        peerDidNumAlgo: 2,
        mimeType: 'application/ssi-agent-wire',
        processedTimeoutMs: 1_000,
      }),
      startCredoPeer({ label: 'Frank (Credo)', peerDidNumAlgo: 1 }),
    ]);
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
      throw failed.reason;
    }
    [alice, bob, carol, erin, frank] = started.map((result) => (result as PromiseFulfilledResult<CredoPeer>).value) as [
      CredoPeer,
      CredoPeer,
      CredoPeer,
      CredoPeer,
      CredoPeer,
    ];
  });

  afterAll(async () => {
    await Promise.all([alice, bob, carol, erin, frank].map((peer) => peer?.stop()));
  });

  it('listens on 127.0.0.1 and answers like Credo: 415 for another content type', async () => {
    expect(alice.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(alice.credoVersion).toMatch(/^0\.6\./);
    const response = await fetch(alice.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(415);
  });

  async function connect(
    handshake: 'didexchange' | 'connections',
  ): Promise<{ inviter: ConnectionSummary; invitee: ConnectionSummary }> {
    const invitation = await alice.createInvitation({ handshake });
    const { connectionId } = await bob.receiveInvitationUrl(invitation.url);
    const [inviter, invitee] = await Promise.all([
      alice.waitForConnection({ outOfBandId: invitation.outOfBandId }, 20_000),
      bob.waitForConnection({ connectionId }, 20_000),
    ]);
    expect(inviter.state).toBe('completed');
    expect(invitee.state).toBe('completed');
    expect(inviter.theirLabel).toBe('Bob (Credo)');
    expect(invitee.theirLabel).toBe('Alice (Credo)');
    expect(inviter.did).toBe(invitee.theirDid);
    expect(invitee.did).toBe(inviter.theirDid);
    return { inviter, invitee };
  }

  async function pingBothWays(inviter: ConnectionSummary, invitee: ConnectionSummary): Promise<void> {
    const ping = await bob.sendTrustPing(invitee.id);
    const [received, response] = await Promise.all([
      alice.waitForTrustPing({ connectionId: inviter.id }),
      bob.waitForTrustPingResponse({ threadId: ping.threadId }),
    ]);
    expect(received['@type']).toBe('https://didcomm.org/trust_ping/1.0/ping');
    expect(response['@type']).toBe('https://didcomm.org/trust_ping/1.0/ping_response');
    const back = await alice.sendTrustPing(inviter.id);
    await alice.waitForTrustPingResponse({ threadId: back.threadId });
  }

  it('connects with an out-of-band invitation and DID Exchange 1.1, then pings', async () => {
    const invitation = await alice.createInvitation({ handshake: 'didexchange' });
    expect(invitation.url).toContain('?oob=');
    const decoded = decodeInvitationParam(invitation.url, 'oob');
    expect(decoded['@type']).toBe('https://didcomm.org/out-of-band/1.1/invitation');
    expect(decoded.handshake_protocols).toEqual(['https://didcomm.org/didexchange/1.1']);

    const { inviter, invitee } = await connect('didexchange');
    expect(inviter.protocol).toBe('https://didcomm.org/didexchange/1.x');
    expect(invitee.did).toMatch(/^did:peer:/);
    await pingBothWays(inviter, invitee);
  });

  it('connects with a legacy Connections 1.0 invitation (?c_i=), then pings', async () => {
    const invitation = await alice.createInvitation({ handshake: 'connections' });
    expect(invitation.url).toContain('?c_i=');
    expect(decodeInvitationParam(invitation.url, 'c_i')['@type']).toBe(
      'https://didcomm.org/connections/1.0/invitation',
    );

    const { inviter, invitee } = await connect('connections');
    expect(inviter.protocol).toBe('https://didcomm.org/connections/1.x');
    await pingBothWays(inviter, invitee);
  });

  it('accepts several requesters on a multi-use invitation', async () => {
    const invitation = await alice.createInvitation({ handshake: 'didexchange', multiUse: true });
    const [fromBob, fromCarol] = await Promise.all([
      bob.receiveInvitationUrl(invitation.url),
      carol.receiveInvitationUrl(invitation.url),
    ]);
    await Promise.all([
      bob.waitForConnection({ connectionId: fromBob.connectionId }, 20_000),
      carol.waitForConnection({ connectionId: fromCarol.connectionId }, 20_000),
      alice.waitForConnection({ outOfBandId: invitation.outOfBandId, theirLabel: 'Bob (Credo)' }, 20_000),
      alice.waitForConnection({ outOfBandId: invitation.outOfBandId, theirLabel: 'Carol (Credo)' }, 20_000),
    ]);
  });

  it('can request with did:peer:2 or did:peer:1 (signed did_doc~attach) and post as application/ssi-agent-wire', async () => {
    const requestOf = (peer: CredoPeer) =>
      peer.events.find(
        (e) => e.type === 'messageSent' && e.message['@type'] === 'https://didcomm.org/didexchange/1.1/request',
      );
    for (const [peer, method] of [
      [erin, 'did:peer:2'],
      [frank, 'did:peer:1'],
    ] as const) {
      const invitation = await alice.createInvitation({ handshake: 'didexchange' });
      const { connectionId } = await peer.receiveInvitationUrl(invitation.url);
      const [invitee, inviter] = await Promise.all([
        peer.waitForConnection({ connectionId }, 20_000),
        alice.waitForConnection({ outOfBandId: invitation.outOfBandId }, 20_000),
      ]);
      expect(invitee.did?.startsWith(`${method}`)).toBe(true);
      expect(inviter.did?.startsWith(`${method}`)).toBe(true); // Credo answers in the requester's method
      const request = requestOf(peer);
      expect(request?.type === 'messageSent' && 'did_doc~attach' in request.message).toBe(method === 'did:peer:1');
    }
    expect(
      erin.events.some((e) => e.type === 'outboundHttp' && e.exchange.contentType === 'application/ssi-agent-wire'),
    ).toBe(true);
    expect(
      alice.events.some(
        (e) =>
          e.type === 'inboundHttp' &&
          e.exchange.contentType === 'application/ssi-agent-wire' &&
          e.exchange.status === 200,
      ),
    ).toBe(true);

    // An envelope for nobody: Credo logs the failure and its endpoint answers 500 once the wait runs out.
    const header = {
      enc: 'xchacha20poly1305_ietf',
      typ: 'JWM/1.0',
      alg: 'Anoncrypt',
      recipients: [{ encrypted_key: 'AA', header: { kid: '8HH5gYEeNc3z7PYXmd54d4x6qAfCNrqQqEB3nS7Zfu7K' } }],
    };
    const envelope = {
      protected: Buffer.from(JSON.stringify(header)).toString('base64url'),
      iv: 'AA',
      ciphertext: 'AA',
      tag: 'AA',
    };
    const response = await fetch(erin.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/didcomm-envelope-enc' },
      body: JSON.stringify(envelope),
    });
    expect(response.status).toBe(500);
    await erin.waitForEvent(
      (e) => e.type === 'error' && /No corresponding recipient key found/.test(`${e.message} ${e.detail}`),
      5_000,
      'the decryption failure',
    );
  });

  it('stops cleanly: the process is gone and the endpoint refuses connections', async () => {
    expect(alive(carol.pid)).toBe(true);
    expect(existsSync(carol.dataDir)).toBe(true);
    await carol.stop();
    await carol.stop(); // idempotent
    expect(alive(carol.pid)).toBe(false);
    await expect(fetch(carol.endpoint, { method: 'POST', body: '{}' })).rejects.toThrow();
    await expect(carol.createInvitation({ handshake: 'didexchange' })).rejects.toThrow(/not running/);
    expect(existsSync(carol.dataDir)).toBe(false);
  });
});
