import { ed25519 } from '@noble/curves/ed25519.js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPeerDid2, packMessage, parseInvitationUrl, unpackMessage, type Ed25519KeyPair } from '#didcomm';
import { startReceiver, type TestReceiver } from '#support/http-receiver';
import { describeEachStore } from '#support/stores';
import { useTestUsher, type TestUsher } from '#support/usher';
import { base58 } from '@scure/base';
// The signing half of the inviter is the library's own: a test inviter needs to sign a response the way an agent would.
import { attach } from '../src/didcomm/signatures';

/**
 * A hand-rolled requester: its own key, a did:peer:2 pointing at a real HTTP receiver, and helpers to talk to Usher.
 */
function createPeer(receiver: TestReceiver) {
  const secretKey = ed25519.utils.randomSecretKey();
  const key: Ed25519KeyPair = { publicKey: ed25519.getPublicKey(secretKey), secretKey };
  const did = createPeerDid2({ publicKey: key.publicKey, serviceEndpoint: receiver.url });
  return {
    key,
    did,
    request(invitationId: string, overrides: Record<string, unknown> = {}) {
      const id = randomUUID();
      return {
        '@type': 'https://didcomm.org/didexchange/1.1/request',
        '@id': id,
        '~thread': { thid: id, pthid: invitationId },
        label: 'Peer',
        did,
        ...overrides,
      };
    },
    pack(message: object, verkey: string) {
      return packMessage(message, [base58.decode(verkey)], key);
    },
    /** Every message the receiver got, opened with the peer's key. */
    inbox(): Array<Record<string, any>> {
      return receiver.received.map((r) => JSON.parse(unpackMessage(r.body, [key]).message));
    },
  };
}

async function post(usher: TestUsher, envelope: string) {
  return usher.request('POST', '/didcomm', {
    raw: envelope,
    key: null,
    headers: { 'content-type': 'application/didcomm-envelope-enc' },
  });
}

async function createDidcommInvitation(usher: TestUsher, body: Record<string, unknown> = {}) {
  const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'didcomm', ...body } });
  expect(created.status).toBe(201);
  return {
    id: created.body.id as string,
    url: created.body.url as string,
    invitation: parseInvitationUrl(created.body.url),
  };
}

describeEachStore('the DID Exchange responder, against a hand-rolled requester', (engine) => {
  const usher = useTestUsher(engine);
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it('answers a request with a response signed by the invitation key, and completes on complete', async () => {
    receiver.received.length = 0;
    const peer = createPeer(receiver);
    const { id, url, invitation } = await createDidcommInvitation(usher, {
      label: 'Acme onboarding',
      didcomm: { goalCode: 'aries.rel.build', alias: 'kept to ourselves' },
    });
    expect(JSON.stringify(invitation.message)).not.toContain('kept to ourselves');
    expect(url).toMatch(/^http:\/\/usher\.test\/didcomm\?oob=/);
    expect(invitation.message).toMatchObject({
      '@type': 'https://didcomm.org/out-of-band/1.1/invitation',
      '@id': id,
      label: 'Acme onboarding',
      goal_code: 'aries.rel.build',
      handshake_protocols: ['https://didcomm.org/didexchange/1.1'],
      services: [
        {
          type: 'did-communication',
          serviceEndpoint: 'http://usher.test/didcomm',
          recipientKeys: [expect.stringMatching(/^did:key:z6Mk/)],
        },
      ],
    });
    const verkey = invitation.service.recipientKeys[0]!;
    const request = peer.request(id);
    expect((await post(usher, peer.pack(request, verkey))).status).toBe(202);

    await usher.worker.runOnce();
    const [response] = peer.inbox();
    expect(response).toMatchObject({
      '@type': 'https://didcomm.org/didexchange/1.1/response',
      '~thread': { thid: request['@id'], pthid: id },
      did: expect.stringMatching(/^did:peer:2\./),
    });
    const rotated = response!['did_rotate~attach'].data;
    expect(Buffer.from(rotated.base64, 'base64url').toString()).toBe(response!.did);
    const signingInput = new TextEncoder().encode(`${rotated.jws.protected}.${rotated.base64}`);
    expect(ed25519.verify(Buffer.from(rotated.jws.signature, 'base64url'), signingInput, base58.decode(verkey))).toBe(
      true,
    );

    const listed = await usher.request('GET', `/v1/connections?invitationId=${id}`);
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        role: 'inviter',
        state: 'response-sent',
        theirDid: peer.did,
        theirLabel: 'Peer',
        protocol: 'didexchange/1.1',
      }),
    ]);
    const theirKey = response!.did as string;
    const ourVerkey = parseInvitationUrl(
      `x:?oob=${Buffer.from(JSON.stringify({ '@type': 'https://didcomm.org/out-of-band/1.1/invitation', '@id': 'x', handshake_protocols: ['https://didcomm.org/didexchange/1.1'], services: [theirKey] })).toString('base64url')}`,
    ).service.recipientKeys[0]!;
    const complete = {
      '@type': 'https://didcomm.org/didexchange/1.1/complete',
      '@id': randomUUID(),
      '~thread': { thid: request['@id'], pthid: id },
    };
    expect((await post(usher, peer.pack(complete, ourVerkey))).status).toBe(202);

    const connection = (await usher.request('GET', `/v1/connections/${listed.body.data[0].id}`)).body;
    expect(connection).toMatchObject({ state: 'completed', ourDid: theirKey, contactId: expect.any(String) });
    const invitationAfter = (await usher.request('GET', `/v1/invitations/${id}`)).body;
    expect(invitationAfter).toMatchObject({ status: 'accepted', usesCount: 1, invitationUrl: url });
    const contact = (await usher.request('GET', `/v1/contacts/${connection.contactId}`)).body;
    expect(contact).toMatchObject({ did: peer.did, name: 'Peer' });

    // Deleted, the connection and its key are gone: a message to it is refused, and it is a 404.
    expect((await usher.request('DELETE', `/v1/connections/${connection.id}`)).status).toBe(204);
    const ping = { '@type': 'https://didcomm.org/trust_ping/1.0/ping', '@id': randomUUID(), response_requested: true };
    expect((await post(usher, peer.pack(ping, ourVerkey))).body.code).toBe('envelope_recipient_unknown');
    expect((await usher.request('GET', `/v1/connections/${connection.id}`)).body.code).toBe('connection_not_found');
  });

  it('refuses a replayed request with a problem report, and makes no second connection', async () => {
    receiver.received.length = 0;
    const peer = createPeer(receiver);
    const { id, invitation } = await createDidcommInvitation(usher, { usesAllowed: 5 });
    const envelope = peer.pack(peer.request(id), invitation.service.recipientKeys[0]!);
    expect((await post(usher, envelope)).status).toBe(202);
    const replay = await post(usher, envelope);
    expect(replay.status).toBe(409);
    expect(replay.body).toMatchObject({ code: 'request_not_accepted', detail: expect.stringContaining('replay') });
    await usher.worker.runOnce();
    expect(
      peer
        .inbox()
        .map((m) => m['@type'])
        .sort(),
    ).toEqual(['https://didcomm.org/didexchange/1.1/problem_report', 'https://didcomm.org/didexchange/1.1/response']);
    expect(peer.inbox().find((m) => m['@type'].endsWith('problem_report'))).toMatchObject({
      'problem-code': 'request_not_accepted',
    });
    expect((await usher.request('GET', `/v1/connections?invitationId=${id}`)).body.data).toHaveLength(1);
    expect((await usher.request('GET', `/v1/invitations/${id}`)).body.usesCount).toBe(1);
  });

  it('refuses a request whose pthid names another invitation, changing nothing', async () => {
    receiver.received.length = 0;
    const peer = createPeer(receiver);
    const { id, invitation } = await createDidcommInvitation(usher);
    const refused = await post(
      usher,
      peer.pack(peer.request('some-other-invitation'), invitation.service.recipientKeys[0]!),
    );
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('request_not_accepted');
    await usher.worker.runOnce();
    expect(peer.inbox()).toEqual([expect.objectContaining({ 'problem-code': 'request_not_accepted' })]);
    expect((await usher.request('GET', `/v1/invitations/${id}`)).body).toMatchObject({
      status: 'pending',
      usesCount: 0,
    });
  });

  it('refuses requests on revoked and expired invitations with a problem report', async () => {
    receiver.received.length = 0;
    const peer = createPeer(receiver);
    const revoked = await createDidcommInvitation(usher);
    await usher.request('POST', `/v1/invitations/${revoked.id}/revoke`);
    const expired = await createDidcommInvitation(usher, {
      expiresAt: new Date(usher.clock.now().getTime() + 60_000).toISOString(),
    });
    usher.clock.advance(61_000);
    for (const { id, invitation } of [revoked, expired]) {
      const refused = await post(usher, peer.pack(peer.request(id), invitation.service.recipientKeys[0]!));
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toMatch(/invitation_(revoked|expired)/);
    }
    await usher.worker.runOnce();
    expect(peer.inbox().map((m) => m['problem-code'])).toEqual(['request_not_accepted', 'request_not_accepted']);
    expect((await usher.request('GET', `/v1/invitations/${revoked.id}`)).body.status).toBe('revoked');
    expect((await usher.request('GET', `/v1/connections?invitationId=${expired.id}`)).body.data).toEqual([]);
  });

  it('refuses a tampered envelope and one addressed to no key it holds', async () => {
    const peer = createPeer(receiver);
    const { id, invitation } = await createDidcommInvitation(usher);
    const envelope = JSON.parse(peer.pack(peer.request(id), invitation.service.recipientKeys[0]!));
    const flipped = envelope.ciphertext[5] === 'A' ? 'B' : 'A';
    const tampered = await post(
      usher,
      JSON.stringify({
        ...envelope,
        ciphertext: envelope.ciphertext.slice(0, 5) + flipped + envelope.ciphertext.slice(6),
      }),
    );
    expect(tampered.status).toBe(400);
    expect(tampered.body.code).toBe('envelope_decryption_failed');
    const stranger = base58.encode(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
    const unknown = await post(usher, peer.pack(peer.request(id), stranger));
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('envelope_recipient_unknown');
    const notJson = await post(usher, 'not an envelope');
    expect(notJson.body.code).toBe('envelope_malformed');
    const wrongType = await usher.request('POST', '/didcomm', {
      raw: '{}',
      key: null,
      headers: { 'content-type': 'text/plain' },
    });
    expect(wrongType.status).toBe(415);
    expect((await usher.request('GET', `/v1/invitations/${id}`)).body).toMatchObject({
      status: 'pending',
      usesCount: 0,
    });
  });

  it('refuses a request that presents a DID the envelope was not sent from', async () => {
    const peer = createPeer(receiver);
    const other = createPeer(receiver);
    const { id, invitation } = await createDidcommInvitation(usher);
    const refused = await post(
      usher,
      peer.pack(peer.request(id, { did: other.did }), invitation.service.recipientKeys[0]!),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('message_malformed');
    expect((await usher.request('GET', `/v1/invitations/${id}`)).body.usesCount).toBe(0);
  });

  it('offers Connections 1.0 as a c_i invitation and only what it offers', async () => {
    const legacy = await createDidcommInvitation(usher, { didcomm: { handshakeProtocols: ['connections/1.0'] } });
    expect(legacy.url).toMatch(/\?c_i=/);
    expect(legacy.invitation.message).toMatchObject({
      '@type': 'https://didcomm.org/connections/1.0/invitation',
      recipientKeys: [expect.not.stringMatching(/^did:/)],
    });
    const peer = createPeer(receiver);
    const refused = await post(usher, peer.pack(peer.request(legacy.id), legacy.invitation.service.recipientKeys[0]!));
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('does not offer didexchange/1.1');
  });

  it('refuses didcomm options on another channel', async () => {
    const refused = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', didcomm: { goal: 'x' } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'channel_options_mismatch', field: 'body.didcomm' });
  });
});

describeEachStore('the DID Exchange requester, against a hand-rolled inviter', (engine) => {
  const usher = useTestUsher(engine);
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it('checks the response thread and signature, completes once, and refuses a replay', async () => {
    receiver.received.length = 0;
    const inviter = createPeer(receiver);
    const invitationKey = createPeer(receiver).key;
    const invitationId = randomUUID();
    const oob = {
      '@type': 'https://didcomm.org/out-of-band/1.1/invitation',
      '@id': invitationId,
      label: 'Hand-rolled inviter',
      handshake_protocols: ['https://didcomm.org/didexchange/1.1'],
      services: [
        {
          id: '#inline',
          type: 'did-communication',
          recipientKeys: [`did:key:z${base58.encode(Uint8Array.of(0xed, 0x01, ...invitationKey.publicKey))}`],
          serviceEndpoint: receiver.url,
        },
      ],
    };
    const accepted = await usher.request('POST', '/v1/didcomm/accept', {
      body: { invitationUrl: `https://inviter.example/?oob=${Buffer.from(JSON.stringify(oob)).toString('base64url')}` },
    });
    expect(accepted.status).toBe(201);
    await usher.worker.runOnce();
    const request = JSON.parse(unpackMessage(receiver.received[0]!.body, [invitationKey]).message);
    expect(request).toMatchObject({
      '@type': 'https://didcomm.org/didexchange/1.1/request',
      '~thread': { thid: request['@id'], pthid: invitationId },
      did: accepted.body.ourDid,
    });
    const usherVerkey = parseInvitationUrl(
      `x:?oob=${Buffer.from(JSON.stringify({ ...oob, services: [request.did] })).toString('base64url')}`,
    ).service.recipientKeys[0]!;

    const response = (thid: string, signer: Ed25519KeyPair) => ({
      '@type': 'https://didcomm.org/didexchange/1.1/response',
      '@id': randomUUID(),
      '~thread': { thid, pthid: invitationId },
      did: inviter.did,
      'did_rotate~attach': attach(inviter.did, 'text/string', signer),
    });
    const send = (message: object) => post(usher, packMessage(message, [base58.decode(usherVerkey)], inviter.key));

    const wrongThread = await send(response(randomUUID(), invitationKey));
    expect(wrongThread).toMatchObject({ status: 409, body: { code: 'thread_unknown' } });
    const wrongSigner = await send(response(request['@id'], inviter.key));
    expect(wrongSigner).toMatchObject({ status: 400, body: { code: 'signature_invalid', field: 'did_rotate~attach' } });
    expect((await usher.request('GET', `/v1/connections/${accepted.body.id}`)).body).toMatchObject({
      state: 'request-sent',
      theirDid: null,
    });

    const good = response(request['@id'], invitationKey);
    expect((await send(good)).status).toBe(202);
    expect((await usher.request('GET', `/v1/connections/${accepted.body.id}`)).body).toMatchObject({
      state: 'completed',
      theirDid: inviter.did,
    });
    const replay = await send(good);
    expect(replay).toMatchObject({ status: 409, body: { code: 'thread_unknown' } });

    receiver.received.length = 0;
    await usher.worker.runOnce();
    const sent = receiver.received.map((r) => {
      for (const key of [invitationKey, inviter.key]) {
        try {
          return JSON.parse(unpackMessage(r.body, [key]).message);
        } catch {
          // addressed to the other key
        }
      }
      throw new Error('a message to neither key');
    });
    expect(sent.map((m) => m['@type']).sort()).toEqual([
      'https://didcomm.org/didexchange/1.1/complete',
      'https://didcomm.org/didexchange/1.1/problem_report',
    ]);
    expect(sent.find((m) => m['@type'].endsWith('problem_report'))).toMatchObject({
      'problem-code': 'response_not_accepted',
      '~thread': { thid: request['@id'] },
    });
  });
});
