/**
 * RFC 0434 handshake reuse with an independent agent (Credo-ts 0.6 in a child process): a Credo that already has a
 * connection from a multi-use Usher invitation scans it again and reuses that connection. One connection on each
 * side, one use consumed, and Credo sees its reuse accepted; a revoked invitation is refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCredoPeer, type CredoPeer, type PeerEvent } from '#support/credo-peer';
import { apiClient } from '#support/api-client';
import { startUsher, stopAllUshers, type RunningUsher } from '#support/process';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';

describeEachStore('DIDComm handshake reuse (RFC 0434) with Credo', (engine) => {
  let usher: RunningUsher;
  let credo: CredoPeer;
  let scratch: ScratchDatabase;
  const call = (method: string, path: string, body?: unknown) => apiClient(usher).call(method, path, body);
  const connectionsOf = async (invitationId: string) =>
    (await call('GET', `/v1/connections?invitationId=${invitationId}`)).body.data as Array<Record<string, unknown>>;

  beforeAll(async () => {
    scratch = await createScratchDatabase(engine);
    [usher, credo] = await Promise.all([
      startUsher({
        databaseUrl: scratch.url,
        env: { USHER_ALLOW_PRIVATE_NETWORK: 'true', USHER_LOG_LEVEL: 'warn' },
        startupTimeoutMs: 40_000,
      }),
      startCredoPeer({ label: 'Returning wallet' }),
    ]);
  });
  afterAll(async () => {
    await credo?.stop();
    await stopAllUshers();
    await scratch?.drop();
  });

  it('a known agent scanning a multi-use invitation again reuses its connection and consumes no use', async () => {
    const created = await call('POST', '/v1/invitations', { channel: 'didcomm', label: 'Club', usesAllowed: 5 });
    expect(created.status).toBe(201);
    const first = await credo.receiveInvitationUrl(created.body.url);
    const onCredo = await credo.waitForConnection({ connectionId: first.connectionId }, 20_000);
    await apiClient(usher).until(
      () => connectionsOf(created.body.id),
      (list) => list.length === 1 && list[0]!.state === 'completed',
      'the first connection completed on Usher',
    );

    const again = await credo.receiveInvitationUrl(created.body.url, { reuseConnection: true });
    // Credo only returns the old connection once Usher's handshake-reuse-accepted arrived (else it makes a new one).
    expect(again.connectionId).toBe(first.connectionId);
    const reused = await credo.waitForEvent(
      (event: PeerEvent) => event.type === 'handshakeReused' && event.outOfBandId === again.outOfBandId,
      20_000,
      'handshake reuse accepted',
    );
    expect(reused).toMatchObject({ connectionId: first.connectionId });
    expect((await credo.listConnections()).filter((c) => c.theirDid === onCredo.theirDid)).toHaveLength(1);
    expect(await connectionsOf(created.body.id)).toHaveLength(1);
    const invitation = (await call('GET', `/v1/invitations/${created.body.id}`)).body;
    expect(invitation).toMatchObject({ usesCount: 1, status: 'pending' });
    const memberships = (await call('GET', '/v1/memberships?limit=100')).body.data as Array<{
      member: { did: string };
    }>;
    expect(memberships.filter((m) => m.member.did === onCredo.did)).toHaveLength(1);
  });

  it('a reuse naming a revoked invitation gets a problem report and no seat', async () => {
    const created = await call('POST', '/v1/invitations', { channel: 'didcomm', usesAllowed: 5 });
    const first = await credo.receiveInvitationUrl(created.body.url);
    await credo.waitForConnection({ connectionId: first.connectionId }, 20_000);
    expect((await call('POST', `/v1/invitations/${created.body.id}/revoke`)).status).toBe(200);
    const since = credo.events.length;
    // Credo waits 15 s for the accepted answer, then falls back to a new request, which Usher refuses too.
    await credo.receiveInvitationUrl(created.body.url, { reuseConnection: true }).catch(() => null);
    const problem = credo.events
      .slice(since)
      .find(
        (e) => e.type === 'messageProcessed' && String(e.message['@type']).endsWith('out-of-band/1.1/problem_report'),
      );
    expect(problem).toBeDefined();
    expect(credo.events.slice(since).some((e) => e.type === 'handshakeReused')).toBe(false);
    expect((await call('GET', `/v1/invitations/${created.body.id}`)).body).toMatchObject({ usesCount: 1 });
  }, 60_000);

  it('a DID-bound DIDComm invitation refuses a DID Exchange from another DID', async () => {
    const bound = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    const created = await call('POST', '/v1/invitations', { channel: 'didcomm', recipient: { did: bound } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { connectionId } = await credo.receiveInvitationUrl(created.body.url);
    // Credo gets a problem report; its connection never completes.
    await expect(credo.waitForConnection({ connectionId }, 5_000)).rejects.toThrow();
    expect((await call('GET', `/v1/invitations/${created.body.id}`)).body).toMatchObject({
      status: 'pending',
      usesCount: 0,
    });
    expect(await connectionsOf(created.body.id)).toHaveLength(0);
  }, 40_000);
});
