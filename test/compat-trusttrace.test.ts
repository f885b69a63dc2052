/**
 * TrustTrace's documented requests (seed 000, "Invite a Contact") against Usher,
 * unmodified: the same paths, headers and bodies, and every field of the documented responses.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { base58 } from '@scure/base';
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { expect, it } from 'vitest';
import { createPeerDid2, packMessage } from '#didcomm';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

describeEachStore('the TrustTrace surface', (engine) => {
  const usher = useTestUsher(engine);
  // The seed's headers: its odd `accept: object` and the subscription key header.
  const seedHeaders = (accept: string) => ({ accept, 'tnt-subscription-key': usher.tenant.apiKey.key });

  it("lists the principal's identities in the documented shape", async () => {
    const res = await usher.request('GET', '/api/v1/identity/all', { key: null, headers: seedHeaders('object') });
    expect(res.status).toBe(200);
    expect(res.body.total).toEqual({ value: 1 });
    const [hit] = res.body.hits;
    expect(Object.keys(hit).sort()).toEqual(
      [
        'createdAt',
        'createdBy',
        'did',
        'displayName',
        'keyMethod',
        'method',
        'status',
        'tags',
        'updatedAt',
        'updatedBy',
        'uuid',
      ].sort(),
    );
    expect(hit).toMatchObject({
      createdBy: null,
      updatedBy: null,
      method: 'did:key',
      keyMethod: '',
      status: 'ACTIVE',
      tags: '',
      did: expect.stringMatching(/^did:key:z6Mk/),
    });
  });

  it('invites a contact: the action carries a DIDComm invitation, the contact gets an email with the token, and it is a native invitation too', async () => {
    const identity = (await usher.request('GET', '/api/v1/identity/all', { key: null, headers: seedHeaders('object') }))
      .body.hits[0];
    const contact = (
      await usher.request('POST', '/v1/contacts', { body: { name: 'Account 2', email: 'account2@example.com' } })
    ).body;
    const body = JSON.stringify({
      config: { contactUuid: contact.id, email: 'account2@example.com', inviteName: 'Account 1' },
      from: identity.uuid,
    });
    const res = await usher.request('POST', '/api/v1/invitation', {
      key: null,
      raw: body,
      headers: { ...seedHeaders('application/json'), 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const action = res.body;
    expect(action).toMatchObject({
      principalUuid: usher.tenant.tenant.id,
      from: identity.uuid,
      to: '',
      type: 'INVITATION',
      typeVersion: '1',
      direction: 'OUTGOING',
      status: 'ACTIVE',
      typeStatus: '',
      createdBy: null,
      updatedBy: null,
      tags: null,
    });
    expect(action.referenceID).toBe(action.uuid);
    const config = JSON.parse(action.config);
    expect(config).toMatchObject({
      authorization: expect.stringMatching(/^Bearer \S+$/),
      contactUuid: contact.id,
      email: 'account2@example.com',
      inviteName: 'Account 1',
    });
    const data = JSON.parse(action.data);
    expect(data).toMatchObject({
      endpoint: 'account2@example.com',
      invitationId: action.uuid,
      parentthreadid: action.referenceID,
      protocol: 'DIDCOMM',
    });
    expect(data.invitation).toMatchObject({
      from: identity.did,
      '@id': action.referenceID,
      serviceEndpoint: 'http://usher.test/api/didcomm',
      recipientKeys: [expect.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{43,44}$/)],
    });

    const native = (await usher.request('GET', `/v1/invitations/${action.uuid}`)).body;
    expect(native).toMatchObject({
      channel: 'didcomm',
      status: 'pending',
      recipient: { email: 'account2@example.com', contactId: contact.id },
      invitationUrl: expect.stringContaining('?oob='),
    });

    await usher.worker.runOnce();
    const mail = (await usher.request('GET', '/v1/mailbox')).body.data.find(
      (m: { to: string }) => m.to === 'account2@example.com',
    );
    expect(mail.text).toMatch(/http:\/\/usher\.test\/i\/\S+/);

    // The DIDComm invitation in `data` is live: a request to its key at /api/didcomm, which needs no API key, is
    // answered.
    const secretKey = ed25519.utils.randomSecretKey();
    const peer = { publicKey: ed25519.getPublicKey(secretKey), secretKey };
    const requestId = randomUUID();
    const request = {
      '@type': 'https://didcomm.org/didexchange/1.1/request',
      '@id': requestId,
      '~thread': { pthid: data.invitation['@id'] },
      label: 'Partner',
      did: createPeerDid2({ publicKey: peer.publicKey, serviceEndpoint: 'http://127.0.0.1:9/unused' }),
    };
    const posted = await usher.request('POST', '/api/didcomm', {
      key: null,
      raw: packMessage(request, [base58.decode(data.invitation.recipientKeys[0])], peer),
      headers: { 'content-type': 'application/didcomm-envelope-enc' },
    });
    expect(posted.status).toBe(202);
    expect(
      (
        await usher.request('GET', `/api/v1/invitation/${action.uuid}`, {
          key: null,
          headers: seedHeaders('application/json'),
        })
      ).body.status,
    ).toBe('ACCEPTED');
  });

  it('lets technical automation accept with the token, as another principal', async () => {
    const identity = (await usher.request('GET', '/v1/identities')).body.data[0];
    const contact = (
      await usher.request('POST', '/v1/contacts', { body: { name: 'Partner', email: 'partner@example.com' } })
    ).body;
    const action = (
      await usher.request('POST', '/api/v1/invitation', {
        body: { config: { contactUuid: contact.id }, from: identity.id },
      })
    ).body;
    const token = JSON.parse(action.config).authorization.replace(/^Bearer /, '');
    const partner = await usher.createTenant('Partner Inc');
    const accepted = await usher.request('POST', '/api/v1/invitation/accept', {
      key: null,
      body: { token },
      headers: { 'tnt-subscription-key': partner.apiKey.key },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      invitation: { status: 'accepted' },
      acceptanceToken: { token: expect.any(String) },
      membership: { member: { subject: `tenant:${partner.tenant.id}` } },
    });
    expect((await usher.request('GET', `/api/v1/invitation/${action.uuid}`)).body.status).toBe('ACCEPTED');
    // The partner cannot read the inviter's records with its own key.
    expect((await usher.request('GET', `/api/v1/invitation/${action.uuid}`, { key: partner.apiKey.key })).status).toBe(
      404,
    );
  });

  /** The tenant's contacts with this address. */
  const contactsFor = async (email: string) =>
    (await usher.request('GET', `/v1/contacts?email=${encodeURIComponent(email)}`)).body.data as Array<{
      id: string;
      name: string | null;
      email: string;
    }>;
  /** POST /api/v1/invitation as the seed sends it: its headers, the body as text. */
  const sendSeedInvite = (body: unknown) =>
    usher.request('POST', '/api/v1/invitation', {
      key: null,
      raw: JSON.stringify(body),
      headers: { ...seedHeaders('application/json'), 'content-type': 'application/json' },
    });

  it("invites an address with no contactUuid: the tenant's contact for it is made, then found again", async () => {
    const identity = (await usher.request('GET', '/api/v1/identity/all', { key: null, headers: seedHeaders('object') }))
      .body.hits[0];
    expect(await contactsFor('account3@example.com')).toEqual([]);
    const res = await sendSeedInvite({
      config: { email: 'account3@example.com', inviteName: 'Account 3' },
      from: identity.uuid,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      type: 'INVITATION',
      direction: 'OUTGOING',
      status: 'ACTIVE',
      from: identity.uuid,
    });
    const config = JSON.parse(res.body.config);
    const [made] = await contactsFor('account3@example.com');
    expect(made).toMatchObject({ email: 'account3@example.com', name: 'Account 3' });
    expect(config).toMatchObject({
      contactUuid: made!.id,
      email: 'account3@example.com',
      inviteName: 'Account 3',
      authorization: expect.stringMatching(/^Bearer \S+$/),
    });
    expect(JSON.parse(res.body.data)).toMatchObject({ endpoint: 'account3@example.com', protocol: 'DIDCOMM' });
    expect((await usher.request('GET', `/v1/invitations/${res.body.uuid}`)).body.recipient).toMatchObject({
      contactId: made!.id,
      email: 'account3@example.com',
    });

    // Once the first is answered, the same address (in any case) finds that contact instead of making another.
    expect((await usher.request('POST', `/v1/invitations/${res.body.uuid}/revoke`)).status).toBe(200);
    const again = await sendSeedInvite({ config: { email: 'Account3@Example.com' }, from: identity.uuid });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(JSON.parse(again.body.config).contactUuid).toBe(made!.id);
    expect(await contactsFor('account3@example.com')).toHaveLength(1);
  });

  it('finds a contact the tenant already has for the address', async () => {
    const identity = (await usher.request('GET', '/v1/identities')).body.data[0];
    const known = (await usher.request('POST', '/v1/contacts', { body: { name: 'Known', email: 'Known@Example.com' } }))
      .body;
    const res = await sendSeedInvite({
      config: { email: 'known@example.com', inviteName: 'Known' },
      from: identity.id,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(JSON.parse(res.body.config).contactUuid).toBe(known.id);
    expect(await contactsFor('known@example.com')).toHaveLength(1);
  });

  it("replays the document's request as written: its unknown contactUuid gives way to the contact for its email", async () => {
    const identity = (await usher.request('GET', '/v1/identities')).body.data[0];
    const config = {
      contactUuid: '797ca7df-4416-4628-9e8c-d01d75c1591c',
      email: 'account2@example.com',
      inviteName: 'Account 1',
    };
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
    expect(
      (await usher.request('POST', '/v1/invitations', { body: { recipient: { email: 'lone@example.com' } } })).status,
    ).toBe(201);
    const refused = await sendSeedInvite({ config: { email: 'lone@example.com' }, from: identity.id });
    expect(refused).toMatchObject({ status: 409, body: { code: 'invitation_already_pending' } });
    expect(await contactsFor('lone@example.com')).toEqual([]);
  });

  it('refuses bad requests naming the field, creating nothing', async () => {
    const before = (await usher.request('GET', '/v1/invitations?limit=200')).body.data.length;
    const noFrom = await usher.request('POST', '/api/v1/invitation', { body: { config: { contactUuid: 'x' } } });
    expect(noFrom).toMatchObject({ status: 400, body: { code: 'validation_failed', field: 'body.from' } });
    const identity = (await usher.request('GET', '/v1/identities')).body.data[0];
    const unknownContact = await usher.request('POST', '/api/v1/invitation', {
      body: { config: { contactUuid: randomUUID() }, from: identity.id },
    });
    expect(unknownContact).toMatchObject({ status: 404, body: { field: 'body.config.contactUuid' } });
    const neither = await usher.request('POST', '/api/v1/invitation', {
      body: { config: { inviteName: 'Nobody' }, from: identity.id },
    });
    expect(neither).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', field: 'body.config.contactUuid' },
    });
    const unknownFrom = await usher.request('POST', '/api/v1/invitation', {
      body: { config: { contactUuid: randomUUID() }, from: randomUUID() },
    });
    expect(unknownFrom).toMatchObject({ status: 404, body: { field: 'body.from' } });
    expect(await contactsFor('ghost@example.com')).toEqual([]);
    expect((await usher.request('GET', '/api/v1/identity/all', { key: null })).status).toBe(401);
    expect((await usher.request('GET', '/v1/invitations?limit=200')).body.data).toHaveLength(before);
  });

  // The document's action shows this bearer (config.authorization, HS256): its payload is what callers decode.
  const DOCUMENT_BEARER = [
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
    'eyJkYXRhIjp7InV1aWQiOiIyYzliZTUzYS1kYjc4LTRmY2MtYTQ1Yi1kZWRhYzkwZTI5NDciLCJwcmluY2lwYWxVdWlkIjoiOTkwY2Nk' +
      'NDgtOTRkYy00YzIxLTg1ODktN2Q2MDIzMjI1MTdlIn0sImlhdCI6MTYwMDY5NDg0MywiZXhwIjoxNjAwNzgxMjQzfQ',
    'vrl-sh2btd16yoKZeZtyqVf8icD5z6RW6TEL1JDjLH8',
  ].join('.');
  const decodePart = (jwt: string, index: number) =>
    JSON.parse(Buffer.from(jwt.split('.')[index]!, 'base64url').toString('utf8'));
  /** Keys and value types, all the way down: the shape a caller's decoder relies on. */
  const shapeOf = (value: unknown): unknown =>
    value !== null && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .map(([key, inner]) => [key, shapeOf(inner)])
            .sort(),
        )
      : typeof value;

  it("hands out a signed JWT bearer of the document's shape that accepts; an edited one is refused", async () => {
    // The document's request as sent, headers and body, from a principal of its own (the others' account2 is taken).
    const alice = await usher.createTenant('Alice');
    const headers = (accept: string) => ({ accept, 'tnt-subscription-key': alice.apiKey.key });
    const aliceGet = (path: string) => usher.request('GET', path, { key: alice.apiKey.key });
    const identities = await usher.request('GET', '/api/v1/identity/all', { key: null, headers: headers('object') });
    const identity = identities.body.hits[0];
    const config = {
      contactUuid: '797ca7df-4416-4628-9e8c-d01d75c1591c',
      email: 'account2@example.com',
      inviteName: 'Account 1',
    };
    const res = await usher.request('POST', '/api/v1/invitation', {
      key: null,
      raw: JSON.stringify({ config, from: identity.uuid }),
      headers: { ...headers('application/json'), 'content-type': 'application/json' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const action = res.body;
    expect(action.principalUuid).toBe(alice.tenant.id);
    const bearer = /^Bearer (\S+)$/.exec(JSON.parse(action.config).authorization)![1]!;

    // What a caller decodes: the document's payload, field for field, naming this invitation and this principal.
    expect(bearer.split('.')).toHaveLength(3);
    const payload = decodePart(bearer, 1);
    expect(shapeOf(payload)).toEqual(shapeOf(decodePart(DOCUMENT_BEARER, 1)));
    const invitation = (await aliceGet(`/v1/invitations/${action.uuid}`)).body;
    expect(payload).toEqual({
      data: { uuid: action.uuid, principalUuid: action.principalUuid },
      iat: Math.floor(usher.clock.now().getTime() / 1000),
      exp: Math.floor(Date.parse(invitation.expiresAt) / 1000),
    });

    // Signed with the tenant's Ed25519 key: it verifies against the published JWKS.
    const jwks = createLocalJWKSet((await usher.request('GET', '/.well-known/jwks.json', { key: null })).body);
    const verified = await jwtVerify(bearer, jwks, { currentDate: usher.clock.now() });
    expect(verified.protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'JWT' });
    expect(verified.payload).toEqual(payload);

    // An edited payload (another invitation's uuid, the signature kept) neither verifies nor opens anything.
    const body = { recipient: { email: 'other@example.com' } };
    const other = (await usher.request('POST', '/v1/invitations', { key: alice.apiKey.key, body })).body;
    const [header, , signature] = bearer.split('.');
    const editedPayload = { ...payload, data: { ...payload.data, uuid: other.id } };
    const edited = Buffer.from(JSON.stringify(editedPayload)).toString('base64url');
    const forged = [header, edited, signature].join('.');
    await expect(jwtVerify(forged, jwks, { currentDate: usher.clock.now() })).rejects.toThrow(/signature/);
    const partner = await usher.createTenant('Bearer Partner');
    const acceptAs = (token: string) =>
      usher.request('POST', '/api/v1/invitation/accept', {
        key: null,
        body: { token },
        headers: { 'tnt-subscription-key': partner.apiKey.key },
      });
    expect(await acceptAs(forged)).toMatchObject({ status: 404, body: { code: 'invitation_not_found' } });
    const tooLong = await acceptAs(`${bearer}${'A'.repeat(1024)}`);
    expect(tooLong).toMatchObject({ status: 400, body: { code: 'validation_failed', field: 'body.token' } });
    for (const id of [action.uuid, other.id]) {
      expect((await aliceGet(`/v1/invitations/${id}`)).body.status).toBe('pending');
    }

    // It opens the invitation wherever the link does: the accept page shows it, and the accept API takes it.
    const page = await usher.request('GET', `/i/${bearer}`, { key: null });
    expect(page.status).toBe(200);
    expect(page.body).toContain(`action="/i/${bearer}/accept"`);
    const accepted = await acceptAs(bearer);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({
      invitation: { status: 'accepted' },
      membership: { member: { subject: `tenant:${partner.tenant.id}` } },
    });
    expect((await aliceGet(`/api/v1/invitation/${action.uuid}`)).body.status).toBe('ACCEPTED');
  });
});
