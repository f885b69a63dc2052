/**
 * TrustTrace's documented requests (seed 000, "Invite a Contact") against Usher,
 * unmodified: the same paths, headers and bodies, and every field of the documented responses.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { base58 } from '@scure/base';
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createPeerDid2, packMessage } from '#didcomm';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

describeEachStore('the TrustTrace surface', (engine) => {
  const usher = useTestUsher(engine);
  // The seed's headers: its odd `accept: object` and the subscription key header.
  const seedHeaders = (accept: string) => ({ accept, 'tnt-subscription-key': usher.tenant.apiKey.key });

  it('lists the principal\'s identities in the documented shape', async () => {
    const res = await usher.request('GET', '/api/v1/identity/all', { key: null, headers: seedHeaders('object') });
    expect(res.status).toBe(200);
    expect(res.body.total).toEqual({ value: 1 });
    const [hit] = res.body.hits;
    expect(Object.keys(hit).sort()).toEqual(['createdAt', 'createdBy', 'did', 'displayName', 'keyMethod', 'method', 'status', 'tags', 'updatedAt', 'updatedBy', 'uuid'].sort());
    expect(hit).toMatchObject({ createdBy: null, updatedBy: null, method: 'did:key', keyMethod: '', status: 'ACTIVE', tags: '', did: expect.stringMatching(/^did:key:z6Mk/) });
  });

  it('invites a contact: the action carries a DIDComm invitation, the contact gets an email with the token, and it is a native invitation too', async () => {
    const identity = (await usher.request('GET', '/api/v1/identity/all', { key: null, headers: seedHeaders('object') })).body.hits[0];
    const contact = (await usher.request('POST', '/v1/contacts', { body: { name: 'Account 2', email: 'account2@example.com' } })).body;
    const body = JSON.stringify({ config: { contactUuid: contact.id, email: 'account2@example.com', inviteName: 'Account 1' }, from: identity.uuid });
    const res = await usher.request('POST', '/api/v1/invitation', { key: null, raw: body, headers: { ...seedHeaders('application/json'), 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const action = res.body;
    expect(action).toMatchObject({ principalUuid: usher.tenant.tenant.id, from: identity.uuid, to: '', type: 'INVITATION', typeVersion: '1', direction: 'OUTGOING', status: 'ACTIVE', typeStatus: '', createdBy: null, updatedBy: null, tags: null });
    expect(action.referenceID).toBe(action.uuid);
    const config = JSON.parse(action.config);
    expect(config).toMatchObject({ authorization: expect.stringMatching(/^Bearer \S+$/), contactUuid: contact.id, email: 'account2@example.com', inviteName: 'Account 1' });
    const data = JSON.parse(action.data);
    expect(data).toMatchObject({ endpoint: 'account2@example.com', invitationId: action.uuid, parentthreadid: action.referenceID, protocol: 'DIDCOMM' });
    expect(data.invitation).toMatchObject({ from: identity.did, '@id': action.referenceID, serviceEndpoint: 'http://usher.test/api/didcomm', recipientKeys: [expect.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{43,44}$/)] });

    const native = (await usher.request('GET', `/v1/invitations/${action.uuid}`)).body;
    expect(native).toMatchObject({ channel: 'didcomm', status: 'pending', recipient: { email: 'account2@example.com', contactId: contact.id }, invitationUrl: expect.stringContaining('?oob=') });

    await usher.worker.runOnce();
    const mail = (await usher.request('GET', '/v1/mailbox')).body.data.find((m: { to: string }) => m.to === 'account2@example.com');
    expect(mail.text).toMatch(/http:\/\/usher\.test\/i\/\S+/);

    // The DIDComm invitation in `data` is live: a request to its key at /api/didcomm, which needs no API key, is answered.
    const secretKey = ed25519.utils.randomSecretKey();
    const peer = { publicKey: ed25519.getPublicKey(secretKey), secretKey };
    const requestId = randomUUID();
    const request = { '@type': 'https://didcomm.org/didexchange/1.1/request', '@id': requestId, '~thread': { pthid: data.invitation['@id'] }, label: 'Partner', did: createPeerDid2({ publicKey: peer.publicKey, serviceEndpoint: 'http://127.0.0.1:9/unused' }) };
    const posted = await usher.request('POST', '/api/didcomm', { key: null, raw: packMessage(request, [base58.decode(data.invitation.recipientKeys[0])], peer), headers: { 'content-type': 'application/didcomm-envelope-enc' } });
    expect(posted.status).toBe(202);
    expect((await usher.request('GET', `/api/v1/invitation/${action.uuid}`, { key: null, headers: seedHeaders('application/json') })).body.status).toBe('ACCEPTED');
  });

  it('lets technical automation accept with the token, as another principal', async () => {
    const identity = (await usher.request('GET', '/v1/identities')).body.data[0];
    const contact = (await usher.request('POST', '/v1/contacts', { body: { name: 'Partner', email: 'partner@example.com' } })).body;
    const action = (await usher.request('POST', '/api/v1/invitation', { body: { config: { contactUuid: contact.id }, from: identity.id } })).body;
    const token = JSON.parse(action.config).authorization.replace(/^Bearer /, '');
    const partner = await usher.createTenant('Partner Inc');
    const accepted = await usher.request('POST', '/api/v1/invitation/accept', { key: null, body: { token }, headers: { 'tnt-subscription-key': partner.apiKey.key } });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ invitation: { status: 'accepted' }, acceptanceToken: { token: expect.any(String) }, membership: { member: { subject: `tenant:${partner.tenant.id}` } } });
    expect((await usher.request('GET', `/api/v1/invitation/${action.uuid}`)).body.status).toBe('ACCEPTED');
    // The partner cannot read the inviter's records with its own key.
    expect((await usher.request('GET', `/api/v1/invitation/${action.uuid}`, { key: partner.apiKey.key })).status).toBe(404);
  });

  /** The tenant's contacts with this address. */
  const contactsFor = async (email: string) => (await usher.request('GET', `/v1/contacts?email=${encodeURIComponent(email)}`)).body.data as Array<{ id: string; name: string | null; email: string }>;
  /** POST /api/v1/invitation as the seed sends it: its headers, the body as text. */
  const sendSeedInvite = (body: unknown) =>
    usher.request('POST', '/api/v1/invitation', { key: null, raw: JSON.stringify(body), headers: { ...seedHeaders('application/json'), 'content-type': 'application/json' } });

  it('invites an address with no contactUuid: the tenant\'s contact for it is made, then found again', async () => {
    const identity = (await usher.request('GET', '/api/v1/identity/all', { key: null, headers: seedHeaders('object') })).body.hits[0];
    expect(await contactsFor('account3@example.com')).toEqual([]);
    const res = await sendSeedInvite({ config: { email: 'account3@example.com', inviteName: 'Account 3' }, from: identity.uuid });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ type: 'INVITATION', direction: 'OUTGOING', status: 'ACTIVE', from: identity.uuid });
    const config = JSON.parse(res.body.config);
    const [made] = await contactsFor('account3@example.com');
    expect(made).toMatchObject({ email: 'account3@example.com', name: 'Account 3' });
    expect(config).toMatchObject({ contactUuid: made!.id, email: 'account3@example.com', inviteName: 'Account 3', authorization: expect.stringMatching(/^Bearer \S+$/) });
    expect(JSON.parse(res.body.data)).toMatchObject({ endpoint: 'account3@example.com', protocol: 'DIDCOMM' });
    expect((await usher.request('GET', `/v1/invitations/${res.body.uuid}`)).body.recipient).toMatchObject({ contactId: made!.id, email: 'account3@example.com' });

    // Once the first is answered, the same address (in any case) finds that contact instead of making another.
    expect((await usher.request('POST', `/v1/invitations/${res.body.uuid}/revoke`)).status).toBe(200);
    const again = await sendSeedInvite({ config: { email: 'Account3@Example.com' }, from: identity.uuid });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(JSON.parse(again.body.config).contactUuid).toBe(made!.id);
    expect(await contactsFor('account3@example.com')).toHaveLength(1);
  });

  it('finds a contact the tenant already has for the address', async () => {
    const identity = (await usher.request('GET', '/v1/identities')).body.data[0];
    const known = (await usher.request('POST', '/v1/contacts', { body: { name: 'Known', email: 'Known@Example.com' } })).body;
    const res = await sendSeedInvite({ config: { email: 'known@example.com', inviteName: 'Known' }, from: identity.id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(JSON.parse(res.body.config).contactUuid).toBe(known.id);
    expect(await contactsFor('known@example.com')).toHaveLength(1);
  });

  it('replays the document\'s request as written: its unknown contactUuid gives way to the contact for its email', async () => {
    const identity = (await usher.request('GET', '/v1/identities')).body.data[0];
    const config = { contactUuid: '797ca7df-4416-4628-9e8c-d01d75c1591c', email: 'account2@example.com', inviteName: 'Account 1' };
    const res = await sendSeedInvite({ config, from: identity.id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [made] = await contactsFor('account2@example.com');
    expect(JSON.parse(res.body.config)).toMatchObject({ contactUuid: made!.id, email: 'account2@example.com' });
    const again = await sendSeedInvite({ config: { ...config, email: 'Account2@Example.com' }, from: identity.id });
    expect(again.status).toBe(409);
    expect(await contactsFor('account2@example.com')).toHaveLength(1);
  });

  it('makes no contact when the invitation is refused', async () => {
    const identity = (await usher.request('GET', '/v1/identities')).body.data[0];
    // A pending invitation to the address already exists, without a contact: the core refuses a second one.
    expect((await usher.request('POST', '/v1/invitations', { body: { recipient: { email: 'lone@example.com' } } })).status).toBe(201);
    const refused = await sendSeedInvite({ config: { email: 'lone@example.com' }, from: identity.id });
    expect(refused).toMatchObject({ status: 409, body: { code: 'invitation_already_pending' } });
    expect(await contactsFor('lone@example.com')).toEqual([]);
  });

  it('refuses bad requests naming the field, creating nothing', async () => {
    const before = (await usher.request('GET', '/v1/invitations?limit=200')).body.data.length;
    const noFrom = await usher.request('POST', '/api/v1/invitation', { body: { config: { contactUuid: 'x' } } });
    expect(noFrom).toMatchObject({ status: 400, body: { code: 'validation_failed', field: 'body.from' } });
    const identity = (await usher.request('GET', '/v1/identities')).body.data[0];
    const unknownContact = await usher.request('POST', '/api/v1/invitation', { body: { config: { contactUuid: randomUUID() }, from: identity.id } });
    expect(unknownContact).toMatchObject({ status: 404, body: { field: 'body.config.contactUuid' } });
    const neither = await usher.request('POST', '/api/v1/invitation', { body: { config: { inviteName: 'Nobody' }, from: identity.id } });
    expect(neither).toMatchObject({ status: 400, body: { code: 'validation_failed', field: 'body.config.contactUuid' } });
    const unknownFrom = await usher.request('POST', '/api/v1/invitation', { body: { config: { contactUuid: randomUUID() }, from: randomUUID() } });
    expect(unknownFrom).toMatchObject({ status: 404, body: { field: 'body.from' } });
    expect(await contactsFor('ghost@example.com')).toEqual([]);
    expect((await usher.request('GET', '/api/v1/identity/all', { key: null })).status).toBe(401);
    expect((await usher.request('GET', '/v1/invitations?limit=200')).body.data).toHaveLength(before);
  });
});
