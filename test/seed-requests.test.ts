/**
 * The seeds' example requests (TrustTrace, DataTrails, Proven, Unipile), replayed with their own headers and bodies
 * against a running Usher process, get the documented responses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectDataTrailsShape, expectProvenShape } from '#support/published-specs';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';

describe("the seeds' example requests against a running Usher", () => {
  let usher: RunningUsher;
  let scratch: ScratchDatabase;
  const KEY = TEST_BOOTSTRAP_KEY;
  const send = async (method: string, path: string, headers: Record<string, string>, body?: string) => {
    const response = await fetch(`${usher.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase('sqlite');
    usher = await startUsher({ databaseUrl: scratch.url, env: { USHER_LOG_LEVEL: 'warn' }, startupTimeoutMs: 40_000 });
  });
  afterAll(async () => {
    await stopAllUshers();
    await scratch?.drop();
  });

  it('000 TrustTrace: identities, then an invitation of a contact', async () => {
    const identities = await send('GET', '/api/v1/identity/all', { accept: 'object', 'tnt-subscription-key': KEY });
    expect(identities).toMatchObject({
      status: 200,
      body: { total: { value: 1 }, hits: [{ status: 'ACTIVE', keyMethod: '' }] },
    });
    const contact = await send(
      'POST',
      '/v1/contacts',
      { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      JSON.stringify({ email: 'account2@example.com' }),
    );
    const data = JSON.stringify({
      config: { contactUuid: contact.body.id, email: 'account2@example.com', inviteName: 'Account 1' },
      from: identities.body.hits[0].uuid,
    });
    const action = await send(
      'POST',
      '/api/v1/invitation',
      { accept: 'application/json', 'content-type': 'application/json', 'tnt-subscription-key': KEY },
      data,
    );
    expect(action).toMatchObject({
      status: 200,
      body: { type: 'INVITATION', direction: 'OUTGOING', status: 'ACTIVE' },
    });
    expect(JSON.parse(action.body.data)).toMatchObject({
      protocol: 'DIDCOMM',
      invitation: { serviceEndpoint: `${usher.url}/api/didcomm` },
    });

    // The same request naming the address alone: the tenant's contact for it is made, and named in the action.
    const byAddress = JSON.stringify({
      config: { email: 'account3@example.com', inviteName: 'Account 3' },
      from: identities.body.hits[0].uuid,
    });
    const addressed = await send(
      'POST',
      '/api/v1/invitation',
      { accept: 'application/json', 'content-type': 'application/json', 'tnt-subscription-key': KEY },
      byAddress,
    );
    expect(addressed).toMatchObject({ status: 200, body: { type: 'INVITATION', status: 'ACTIVE' } });
    const made = await send('GET', `/v1/contacts/${JSON.parse(addressed.body.config).contactUuid}`, {
      authorization: `Bearer ${KEY}`,
    });
    expect(made).toMatchObject({ status: 200, body: { email: 'account3@example.com', name: 'Account 3' } });
  });

  it('001 DataTrails: create, get, list, delete', async () => {
    const headers = { authorization: `Bearer ${KEY}`, 'Content-type': 'application/json' };
    const created = await send(
      'POST',
      '/archivist/iam/v1/invites',
      headers,
      '{"message": "personalized message", "email": "john.doe@example.com"}',
    );
    expect(created).toMatchObject({
      status: 200,
      body: {
        message: 'personalized message',
        email: 'john.doe@example.com',
        identity: expect.stringMatching(/^invites\/[0-9a-f-]{36}$/),
        expiry_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      },
    });
    expectDataTrailsShape('v1Invite', created.body);
    const uuid = created.body.identity.slice('invites/'.length);
    expect((await send('GET', `/archivist/iam/v1/invites/${uuid}`, headers)).body).toEqual(created.body);
    const listed = await send('GET', '/archivist/iam/v1/invites', headers);
    expectDataTrailsShape('v1ListInvitesResponse', listed.body);
    expect(listed.body).toEqual({ invites: [created.body], next_page_token: '' });
    const deleted = await send('DELETE', `/archivist/iam/v1/invites/${uuid}`, headers);
    expect([deleted.status, deleted.body]).toEqual([200, {}]);

    // The swagger's own example request, a dotless domain included.
    const example = await send(
      'POST',
      '/archivist/v1/invites',
      headers,
      '{"message": "Some text", "email": "bob@job"}',
    );
    expect(example).toMatchObject({ status: 200, body: { message: 'Some text', email: 'bob@job' } });
    expectDataTrailsShape('v1Invite', example.body);
  });

  it('002 Indicio Proven: create an OOB invitation, get it by id and by purpose, list, accept a URL', async () => {
    const headers = { 'x-api-key': KEY, 'content-type': 'application/json' };
    const created = await send(
      'POST',
      '/api/v1/invitations',
      headers,
      JSON.stringify({ invitation_type: 'OOB', purpose: 'onboarding', uses_allowed: 2 }),
    );
    expect(created).toMatchObject({
      status: 200,
      body: {
        invitation_url: expect.stringContaining('?oob='),
        invitation_id: expect.any(Number),
        contact_id: expect.any(String),
      },
    });
    expectProvenShape('POST', '/api/v1/invitations', created);
    expect(
      (await send('GET', `/api/v1/invitations/${created.body.invitation_id}`, headers)).body.invitation,
    ).toMatchObject({ invitation_id: created.body.invitation_id });
    expect((await send('GET', '/api/v1/invitations/purpose/onboarding', headers)).body.invitation).toMatchObject({
      invitation_id: created.body.invitation_id,
    });
    expect(
      (await send('GET', '/api/v1/invitations?page-size=5&sort-direction=ASC', headers)).body.invitations,
    ).toMatchObject({ count: expect.any(Number), rows: expect.any(Array) });
    expect(await send('GET', '/api/v1/invitations/999999', headers)).toMatchObject({
      status: 404,
      body: { warning: expect.any(String) },
    });

    // Deleted: gone from Proven's reads, each answer in its documented shape.
    const deleted = await send('DELETE', `/api/v1/invitations/${created.body.invitation_id}`, headers);
    expect(deleted.status).toBe(200);
    expectProvenShape('DELETE', '/api/v1/invitations/{invitation_id}', deleted);
    const gone = await send('GET', `/api/v1/invitations/${created.body.invitation_id}`, headers);
    expect(gone).toMatchObject({ status: 404, body: { warning: expect.any(String) } });
    expectProvenShape('GET', '/api/v1/invitations/{invitation_id}', gone);
    const byPurpose = await send('GET', '/api/v1/invitations/purpose/onboarding', headers);
    expect(byPurpose.status).toBe(404);
    expectProvenShape('GET', '/api/v1/invitations/purpose/{purpose}', byPurpose);
    const listed = await send('GET', '/api/v1/invitations', headers);
    expectProvenShape('GET', '/api/v1/invitations', listed);
    expect(listed.body.invitations.rows.map((r: { invitation_id: number }) => r.invitation_id)).not.toContain(
      created.body.invitation_id,
    );
  });

  it('003 Unipile: a profile by public identifier, then an invitation with a note', async () => {
    const headers = { 'X-API-KEY': KEY, accept: 'application/json' };
    const identity = (await send('GET', '/v1/identities', { authorization: `Bearer ${KEY}` })).body.data[0];
    const other = (
      await send(
        'POST',
        '/v1/identities',
        { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        JSON.stringify({ displayName: 'Julien Crepieux', handle: 'julien-crepieux' }),
      )
    ).body;
    const profile = await send('GET', `/api/v1/users/julien-crepieux?account_id=${identity.id}`, headers);
    expect(profile).toMatchObject({
      status: 200,
      body: {
        object: 'UserProfile',
        provider_id: other.id,
        public_identifier: 'julien-crepieux',
        first_name: 'Julien',
        last_name: 'Crepieux',
      },
    });
    const sent = await send(
      'POST',
      '/api/v1/users/invite',
      { ...headers, 'content-type': 'application/json' },
      `{
    	"provider_id": "${profile.body.provider_id}",
    	"account_id": "${identity.id}",
        "message": "Hello\\nWorld"
    }`,
    );
    expect(sent).toMatchObject({
      status: 200,
      body: { object: 'UserInvitationSent', invitation_id: expect.any(String) },
    });
  });
});
