import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient } from '#support/api-client';
import type { RunningUsher } from '#support/process';
import { describeEachStore } from '#support/stores';
import { startUsherPair, type UsherPair } from '#support/usher-pair';

/** A small client for one Usher process, with the bootstrap key. */
function client(usher: RunningUsher) {
  const { call, until } = apiClient(usher);
  return {
    call,
    async invite(body: Record<string, unknown>) {
      const created = await call('POST', '/v1/invitations', { channel: 'didcomm', ...body });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body as { id: string; url: string };
    },
    async accept(invitationUrl: string, extra: Record<string, unknown> = {}) {
      const accepted = await call('POST', '/v1/didcomm/accept', { invitationUrl, ...extra });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
      return accepted.body as { id: string; state: string; ourDid: string; protocol: string };
    },
    /** Polls a connection until `done` holds, failing with its last state. */
    until: (id: string, done: (connection: any) => boolean, what: string) =>
      until(async () => (await call('GET', `/v1/connections/${id}`)).body, done, `connection ${id} ${what}`),
    async inviterConnections(invitationId: string) {
      return (await call('GET', `/v1/connections?invitationId=${invitationId}`)).body.data as any[];
    },
  };
}

const completed = (c: any) => c.state === 'completed';

describeEachStore('two Usher processes connecting over DIDComm on loopback', (engine) => {
  let pair: UsherPair;
  let a: ReturnType<typeof client>;
  let b: ReturnType<typeof client>;
  beforeAll(async () => {
    pair = await startUsherPair(engine);
    a = client(pair.a);
    b = client(pair.b);
  });
  afterAll(() => pair?.stop());

  it('A invites, B accepts over DID Exchange 1.1: both complete, and a trust ping comes back', async () => {
    const invitation = await a.invite({ label: 'A corp', didcomm: { alias: 'B, our supplier' } });
    const mine = await b.accept(invitation.url, { label: 'B corp', alias: 'A, our customer' });
    expect(mine).toMatchObject({ role: 'invitee', state: 'request-sent', protocol: 'didexchange/1.1' });
    const onB = await b.until(mine.id, completed, 'completed');
    const [onA] = await a.inviterConnections(invitation.id);
    expect(await a.until(onA.id, completed, 'completed')).toMatchObject({
      role: 'inviter',
      theirDid: onB.ourDid,
      ourDid: onB.theirDid,
      theirLabel: 'B corp',
      alias: 'B, our supplier',
    });
    expect(onB).toMatchObject({ theirLabel: 'A corp', alias: 'A, our customer', contactId: expect.any(String) });

    expect((await a.call('GET', `/v1/invitations/${invitation.id}`)).body).toMatchObject({
      status: 'accepted',
      usesCount: 1,
    });
    const incoming = (await b.call('GET', '/v1/invitations?direction=incoming')).body.data;
    expect(incoming).toEqual([
      expect.objectContaining({ id: onB.invitationId, channel: 'didcomm', status: 'accepted', label: 'A corp' }),
    ]);

    expect((await b.call('POST', `/v1/connections/${mine.id}/ping`)).status).toBe(202);
    await b.until(mine.id, (c) => c.lastPingResponseAt !== null, 'pinged back');
  });

  it('a multi-use invitation connects two invitees, then refuses a third with a problem report', async () => {
    const invitation = await a.invite({ usesAllowed: 2, didcomm: { serviceForm: 'did' } });
    const second = (await b.call('POST', '/v1/identities', { displayName: 'B second' })).body;
    const first = await b.accept(invitation.url);
    const other = await b.accept(invitation.url, { identityId: second.id });
    await b.until(first.id, completed, 'completed');
    await b.until(other.id, completed, 'completed');
    const onA = await a.inviterConnections(invitation.id);
    expect(onA).toHaveLength(2);
    for (const c of onA) await a.until(c.id, completed, 'completed');
    expect((await a.call('GET', `/v1/invitations/${invitation.id}`)).body).toMatchObject({
      status: 'exhausted',
      usesCount: 2,
    });

    const third = await b.accept(invitation.url);
    const refused = await b.until(third.id, (c) => c.state === 'abandoned', 'abandoned');
    expect(refused.error).toMatchObject({
      code: 'request_not_accepted',
      explain: expect.stringContaining('invitation_exhausted'),
    });
    expect((await a.call('GET', `/v1/invitations/${invitation.id}`)).body).toMatchObject({
      status: 'exhausted',
      usesCount: 2,
    });
    expect(await a.inviterConnections(invitation.id)).toHaveLength(2);
  });

  it('B invites and A accepts, over Connections 1.0 (c_i) and over DID Exchange', async () => {
    const legacy = await b.invite({ didcomm: { handshakeProtocols: ['connections/1.0'] } });
    expect(legacy.url).toContain('?c_i=');
    const viaLegacy = await a.accept(legacy.url);
    expect(viaLegacy.protocol).toBe('connections/1.0');
    const onA = await a.until(viaLegacy.id, completed, 'completed');
    expect(onA.ourDid).not.toMatch(/^did:/);
    const [onB] = await b.inviterConnections(legacy.id);
    await b.until(onB.id, completed, 'completed');

    const modern = await b.invite({ didcomm: { handshakeProtocols: ['didexchange/1.1', 'connections/1.0'] } });
    const viaExchange = await a.accept(modern.url, { didMethod: 'did:peer:4' });
    expect(viaExchange).toMatchObject({
      protocol: 'didexchange/1.1',
      ourDid: expect.stringMatching(/^did:peer:4zQm\w+:z/),
    });
    const answered = await a.until(viaExchange.id, completed, 'completed');
    expect(answered.theirDid).toMatch(/^did:peer:4/);
  });

  it('refuses an invitation URL it cannot read, saying why', async () => {
    for (const [url, code] of [
      ['https://example.com/no-invitation', 'invitation_url_malformed'],
      ['https://example.com/?oob=bm90IGpzb24', 'invitation_url_malformed'],
      [
        `https://example.com/?oob=${Buffer.from(JSON.stringify({ '@type': 'https://didcomm.org/out-of-band/1.1/invitation', '@id': 'x', handshake_protocols: ['https://didcomm.org/didexchange/1.1'], services: ['did:sov:LjgpST2rjsoxYegQDRm7EL'] })).toString('base64url')}`,
        'invitation_unsupported',
      ],
    ] as const) {
      const refused = await b.call('POST', '/v1/didcomm/accept', { invitationUrl: url });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code, field: 'body.invitationUrl' });
    }
    expect((await b.call('GET', '/v1/invitations?direction=incoming')).body.data).toHaveLength(4);
  });
});
