import { beforeAll, describe, expect, it } from 'vitest';
import {
  dataTrailsSchema,
  dataTrailsSwagger as swagger,
  expectDataTrailsShape as expectSwaggerShape,
} from '#support/published-specs';
import { describeEachStore } from '#support/stores';
import { useTestUsher, type TestResponse, type TestUsher } from '#support/usher';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SEED_BASE = '/archivist/iam/v1/invites';
const SWAGGER_BASE = '/archivist/v1/invites';

/** The seed's curl headers: `-H "@bearer-token.txt"` (an Authorization: Bearer line) and its Content-type. */
const seedHeaders = (usher: TestUsher) => ({
  Authorization: `Bearer ${usher.tenant.apiKey.key}`,
  'Content-type': 'application/json',
});

function expectProblem(res: TestResponse, status: number, code: string, field?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
  if (field) expect(res.body.field).toBe(field);
}

const uuidOf = (invite: { identity: string }) => invite.identity.slice('invites/'.length);
const emailsOf = (res: TestResponse) => res.body.invites.map((i: { email: string }) => i.email);

describeEachStore('the DataTrails Invites API', (engine) => {
  const usher = useTestUsher(engine);
  const countInvitations = async (tenantId: string) =>
    (await usher.store.db.selectFrom('invitations').select('id').where('tenant_id', '=', tenantId).execute()).length;

  /** Creates an invite at the swagger path, for the first tenant or another one's key. */
  async function createInvite(email: string, key?: string, message = `Hello ${email}`) {
    const res = await usher.request('POST', SWAGGER_BASE, { body: { message, email }, ...(key ? { key } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { identity: string; message: string; email: string; expiry_time: string };
  }

  it('checks bodies against the swagger, and its checks can fail', () => {
    const invite = {
      identity: 'invites/08838336-c357-460d-902a-3aba9528dd22',
      message: 'Some text',
      email: 'bob@job',
      expiry_time: '2022-05-06T07:35:21Z',
    };
    expectSwaggerShape('v1Invite', invite);
    const validate = dataTrailsSchema('v1ListInvitesResponse');
    expect(validate({ invites: [{ ...invite, expiry_time: 'next week' }], next_page_token: '' })).toBe(false);
    expect(validate({ invites: [{ ...invite, message: 'x'.repeat(257) }], next_page_token: '' })).toBe(false);
  });

  it("answers the seed's four requests, byte for byte, in the documented shape", async () => {
    const headers = seedHeaders(usher);
    const created = await usher.request('POST', SEED_BASE, {
      key: null,
      headers,
      raw: '{"message": "personalized message", "email": "john.doe@example.com"}',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.headers.get('content-type')).toContain('application/json');
    expectSwaggerShape('v1Invite', created.body);
    expect(created.body).toMatchObject({ message: 'personalized message', email: 'john.doe@example.com' });
    expect(created.body.identity).toMatch(/^invites\//);
    const uuid = uuidOf(created.body);
    expect(uuid).toMatch(UUID);
    expect(created.body.expiry_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const native = await usher.request('GET', `/v1/invitations/${uuid}`);
    expect(created.body.expiry_time).toBe(native.body.expiresAt.replace(/\.\d{3}Z$/, 'Z'));

    const fetched = await usher.request('GET', `${SEED_BASE}/${uuid}`, { key: null, headers });
    expect(fetched.status).toBe(200);
    expectSwaggerShape('v1Invite', fetched.body);
    expect(fetched.body).toEqual(created.body);

    const listed = await usher.request('GET', SEED_BASE, { key: null, headers });
    expect(listed.status).toBe(200);
    expectSwaggerShape('v1ListInvitesResponse', listed.body);
    expect(listed.body.invites).toContainEqual(created.body);
    expect(listed.body.next_page_token).toBe('');

    const deleted = await usher.request('DELETE', `${SEED_BASE}/${uuid}`, { key: null, headers });
    expect(deleted).toMatchObject({ status: 200, body: {} });
    expectProblem(
      await usher.request('GET', `${SEED_BASE}/${uuid}`, { key: null, headers }),
      404,
      'invitation_not_found',
      'path.uuid',
    );
    expectProblem(
      await usher.request('DELETE', `${SEED_BASE}/${uuid}`, { key: null, headers }),
      404,
      'invitation_not_found',
    );
    expect((await usher.request('GET', SEED_BASE, { key: null, headers })).body.invites).not.toContainEqual(
      created.body,
    );
    expect((await usher.request('GET', `/v1/invitations/${uuid}`)).body.status).toBe('revoked');
  });

  it("serves the same invites at the swagger path, with any of the tenant's key headers", async () => {
    const invite = await createInvite('paths@example.com');
    const viaIam = await usher.request('GET', `${SEED_BASE}/${uuidOf(invite)}`, {
      key: null,
      headers: { 'x-api-key': usher.tenant.apiKey.key },
    });
    expect(viaIam.body).toEqual(invite);
    const viaSwagger = await usher.request('GET', `${SWAGGER_BASE}/${uuidOf(invite)}`, {
      key: null,
      headers: { 'tnt-subscription-key': usher.tenant.apiKey.key },
    });
    expect(viaSwagger.body).toEqual(invite);
    expectProblem(await usher.request('GET', SWAGGER_BASE, { key: null }), 401, 'unauthorized');
  });

  it('creates an email invitation into the tenant with no role, shown by the native API', async () => {
    const invite = await createInvite('native@example.com', undefined, 'Welcome to the tenancy');
    const native = await usher.request('GET', `/v1/invitations/${uuidOf(invite)}`);
    expect(native.status).toBe(200);
    expect(native.body).toMatchObject({
      id: uuidOf(invite),
      channel: 'email',
      direction: 'outgoing',
      status: 'pending',
      recipient: { email: 'native@example.com' },
      target: { type: 'tenant', iri: null },
      role: null,
      rules: [],
      message: 'Welcome to the tenancy',
      usesAllowed: 1,
    });
    const events = await usher.request('GET', `/v1/invitations/${uuidOf(invite)}/events`);
    expect(events.body.data[0]).toMatchObject({
      type: 'invitation.created',
      actor: `api_key:${usher.tenant.apiKey.id}`,
    });
    // proto3 strings have no null: an empty message is no personal note.
    const bare = await createInvite('bare@example.com', undefined, '');
    expect(bare.message).toBe('');
    expect((await usher.request('GET', `/v1/invitations/${uuidOf(bare)}`)).body.message).toBeNull();
  });

  it('mails the invitation; accepting its link takes the invite off the list', async () => {
    const invite = await createInvite('mailed@example.com', undefined, 'Join our tenancy please');
    await usher.worker.runOnce();
    const mail = (await usher.request('GET', '/v1/mailbox?limit=200')).body.data.find(
      (m: { to: string }) => m.to === 'mailed@example.com',
    );
    expect(mail).toBeDefined();
    expect(mail.text).toContain('Join our tenancy please');
    const token = /http:\/\/usher\.test\/i\/([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
    expect(token).toBeDefined();
    expect((await usher.request('GET', SWAGGER_BASE)).body.invites).toContainEqual(invite);
    const accepted = await usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.membership.role).toBeNull();
    expect((await usher.request('GET', SWAGGER_BASE)).body.invites).not.toContainEqual(invite);
    expectProblem(await usher.request('GET', `${SWAGGER_BASE}/${uuidOf(invite)}`), 404, 'invitation_not_found');
    expectProblem(await usher.request('DELETE', `${SWAGGER_BASE}/${uuidOf(invite)}`), 404, 'invitation_not_found');
    expect((await usher.request('GET', `/v1/invitations/${uuidOf(invite)}`)).body.status).toBe('accepted');
  });

  it('refuses an over-long message or email, or no message, naming the field and creating nothing', async () => {
    const before = await countInvitations(usher.tenant.tenant.id);
    const longEmail = `${'a'.repeat(117)}@example.com`;
    expect(longEmail).toHaveLength(129);
    const cases: Array<[unknown, string]> = [
      [{ message: 'x'.repeat(257), email: 'long-message@example.com' }, 'body.message'],
      [{ message: 'hi', email: longEmail }, 'body.email'],
      [{ email: 'no-message@example.com' }, 'body.message'],
      [{ message: 'hi' }, 'body.email'],
      [{ message: 'hi', email: 'not an address' }, 'body.email'],
      [{ message: 'hi', email: 'extra@example.com', role: 'admin' }, 'body.role'],
    ];
    for (const [body, field] of cases)
      expectProblem(await usher.request('POST', SEED_BASE, { body }), 400, 'validation_failed', field);
    expect(await countInvitations(usher.tenant.tenant.id)).toBe(before);
    // The limits are the swagger's, not one character less.
    const atLimit = await createInvite(`${'b'.repeat(116)}@example.com`, undefined, 'y'.repeat(256));
    expect(atLimit.message).toHaveLength(256);
    expect(await countInvitations(usher.tenant.tenant.id)).toBe(before + 1);
  });

  it("takes the swagger's own example request, bob@job, and mails it", async () => {
    const example = swagger.definitions.v1CreateInviteRequest.example;
    expect(example).toEqual({ message: 'Some text', email: 'bob@job' });
    const created = await usher.request('POST', SWAGGER_BASE, {
      key: null,
      headers: seedHeaders(usher),
      raw: JSON.stringify(example),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expectSwaggerShape('v1Invite', created.body);
    expect(created.body).toMatchObject(example);
    expect((await usher.request('GET', `${SWAGGER_BASE}/${uuidOf(created.body)}`)).body).toEqual(created.body);
    expect((await usher.request('GET', `${SWAGGER_BASE}?email=BOB@job`)).body.invites).toEqual([created.body]);
    expect((await usher.request('GET', `/v1/invitations/${uuidOf(created.body)}`)).body.recipient.email).toBe(
      'bob@job',
    );
    await usher.worker.runOnce();
    const mail = (await usher.request('GET', '/v1/mailbox?limit=200')).body.data.find(
      (m: { to: string }) => m.to === 'bob@job',
    );
    expect(mail?.text).toContain('Some text');
  });

  it("accepts every RFC 5322 address the swagger's schema lets through, and refuses what is no address", async () => {
    const validateRequest = dataTrailsSchema('v1CreateInviteRequest');
    const addresses = [
      '"john doe"@example.com',
      'user+tag@[192.0.2.1]',
      "o'brien!#$%&*/=?^_`{|}~@mail-host",
      'josé@bücher.example',
      'a.b.c@x',
    ];
    for (const email of addresses) {
      const body = { message: 'hi', email };
      expect(validateRequest(body), email).toBe(true);
      const res = await usher.request('POST', SWAGGER_BASE, { body });
      expect(res.status, `${email}: ${JSON.stringify(res.body)}`).toBe(200);
      expectSwaggerShape('v1Invite', res.body);
      expect(res.body.email).toBe(email);
    }
    const before = await countInvitations(usher.tenant.tenant.id);
    for (const email of [
      'bob',
      '@job',
      'bob@',
      'a@b@c',
      '.bob@job',
      'bob.@job',
      'bo..b@job',
      'bob @job',
      'bob@jo b',
      'bob@job\r\nBcc: x@y',
      '"unclosed@job',
      'bob@[1.2.3.4',
      '',
    ]) {
      expectProblem(
        await usher.request('POST', SWAGGER_BASE, { body: { message: 'hi', email } }),
        400,
        'validation_failed',
        'body.email',
      );
    }
    expect(await countInvitations(usher.tenant.tenant.id)).toBe(before);
  });

  it("refuses a second pending invite to the same address with the core's 409", async () => {
    await createInvite('twice@example.com');
    expectProblem(
      await usher.request('POST', SWAGGER_BASE, { body: { message: 'again', email: 'Twice@Example.com' } }),
      409,
      'invitation_already_pending',
      'body.email',
    );
  });

  describe('lists', () => {
    let key: string;
    const emails = [
      'carol@example.com',
      'alice@example.com',
      'erin@example.com',
      'bob@example.com',
      'dave@example.com',
    ];
    beforeAll(async () => {
      key = (await usher.createTenant('Lister')).apiKey.key;
      for (const email of emails) {
        await createInvite(email, key);
        usher.clock.advance(1000);
      }
      // Not DataTrails invites: a shareable link and an email invitation into a project.
      await usher.request('POST', '/v1/invitations', { key, body: { channel: 'link' } });
      await usher.request('POST', '/v1/invitations', {
        key,
        body: {
          recipient: { email: 'proj@example.com' },
          target: { type: 'project', iri: 'https://example.com/p', name: 'P' },
        },
      });
    });
    const list = (query: string) => usher.request('GET', `${SWAGGER_BASE}${query}`, { key });

    it('pages newest first with page_size, and page_token alone continues the same query', async () => {
      const first = await list('?page_size=2');
      expectSwaggerShape('v1ListInvitesResponse', first.body);
      expect(emailsOf(first)).toEqual(['dave@example.com', 'bob@example.com']);
      // datatrails-python sends only page_token after the first page.
      const second = await list(`?page_token=${first.body.next_page_token}`);
      expect(emailsOf(second)).toEqual(['erin@example.com', 'alice@example.com']);
      const third = await list(`?page_token=${second.body.next_page_token}&page_size=2`);
      expect(emailsOf(third)).toEqual(['carol@example.com']);
      expect(third.body.next_page_token).toBe('');
      expect(emailsOf(await list(''))).toEqual([...emails].reverse());
      expect(emailsOf(await list('?page_size=0&order_by=DEFAULT'))).toEqual([...emails].reverse());
      expect(emailsOf(await list('?page_size=100000'))).toHaveLength(5);
    });

    it('orders by address with DISPLAY_NAME, across pages', async () => {
      const first = await list('?order_by=DISPLAY_NAME&page_size=3');
      expect(emailsOf(first)).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
      const second = await list(`?page_token=${first.body.next_page_token}`);
      expectSwaggerShape('v1ListInvitesResponse', second.body);
      expect(emailsOf(second)).toEqual(['dave@example.com', 'erin@example.com']);
      expect(second.body.next_page_token).toBe('');
    });

    it('filters by email, case-insensitively, in either order', async () => {
      expect(emailsOf(await list('?email=Bob@Example.com'))).toEqual(['bob@example.com']);
      expect(emailsOf(await list('?email=bob@example.com&order_by=DISPLAY_NAME'))).toEqual(['bob@example.com']);
      expect(emailsOf(await list('?email=nobody@example.com'))).toEqual([]);
      expect(emailsOf(await list('?email=proj@example.com'))).toEqual([]);
    });

    it('refuses a page_token it did not issue, or one from another order or filter', async () => {
      expectProblem(await list('?page_token=bm9wZQ'), 400, 'invalid_page_token', 'query.page_token');
      const token = (await list('?page_size=1')).body.next_page_token;
      expectProblem(
        await list(`?page_token=${token}&order_by=DISPLAY_NAME`),
        400,
        'invalid_page_token',
        'query.page_token',
      );
      expectProblem(
        await list(`?page_token=${token}&email=bob@example.com`),
        400,
        'invalid_page_token',
        'query.page_token',
      );
      expectProblem(await list('?page_size=-1'), 400, 'validation_failed', 'query.page_size');
      expectProblem(await list('?order_by=NEWEST'), 400, 'validation_failed', 'query.order_by');
    });

    it('does not show, read or delete invitations that are not DataTrails invites', async () => {
      const others = (await usher.request('GET', '/v1/invitations?limit=200', { key })).body.data.filter(
        (i: any) => i.channel === 'link' || i.target.type === 'project',
      );
      expect(others).toHaveLength(2);
      for (const other of others) {
        expectProblem(await usher.request('GET', `${SWAGGER_BASE}/${other.id}`, { key }), 404, 'invitation_not_found');
        expectProblem(
          await usher.request('DELETE', `${SWAGGER_BASE}/${other.id}`, { key }),
          404,
          'invitation_not_found',
        );
        expect((await usher.request('GET', `/v1/invitations/${other.id}`, { key })).body.status).toBe('pending');
      }
    });

    it('keeps other tenants out: 404 on get and delete, absent from their list', async () => {
      const theirs = (await list('?email=alice@example.com')).body.invites[0];
      expectProblem(await usher.request('GET', `${SWAGGER_BASE}/${uuidOf(theirs)}`), 404, 'invitation_not_found');
      expectProblem(await usher.request('DELETE', `${SEED_BASE}/${uuidOf(theirs)}`), 404, 'invitation_not_found');
      expect(emailsOf(await usher.request('GET', `${SWAGGER_BASE}?email=alice@example.com`))).toEqual([]);
      expect((await usher.request('GET', `${SWAGGER_BASE}/${uuidOf(theirs)}`, { key })).body).toEqual(theirs);
    });
  });

  it('answers :caps with no capped resources, since Usher caps no invitations', async () => {
    const caps = await usher.request('GET', `${SWAGGER_BASE}:caps`);
    expect(caps.status).toBe(200);
    expectSwaggerShape('v1Caps', caps.body);
    expect(caps.body).toEqual({ caps: [] });
  });

  it("serves the swagger it follows at :openapi, as the swagger declares, to the tenant's keys only", async () => {
    const declared = swagger.paths[`${SWAGGER_BASE}:openapi`].get;
    expect(declared.operationId).toBe('Invites_GetOpenAPI');
    const served = await usher.request('GET', `${SWAGGER_BASE}:openapi`, { key: null, headers: seedHeaders(usher) });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toContain('application/json');
    expect(served.body).toEqual(swagger);
    expect((await usher.request('GET', `${SEED_BASE}:openapi`)).body).toEqual(swagger);
    expectProblem(await usher.request('GET', `${SWAGGER_BASE}:openapi`, { key: null }), 401, 'unauthorized');
  });

  it('answers every parameterless GET the swagger declares', async () => {
    const gets = Object.keys(swagger.paths).filter((path) => swagger.paths[path].get && !path.includes('{'));
    expect(gets).toHaveLength(3);
    for (const path of gets) expect((await usher.request('GET', path)).status, path).toBe(200);
  });

  it('drops an invite from view once it expires', async () => {
    const invite = await createInvite('late@example.com');
    const native = (await usher.request('GET', `/v1/invitations/${uuidOf(invite)}`)).body;
    usher.clock.set(new Date(Date.parse(native.expiresAt) + 1000));
    expectProblem(await usher.request('GET', `${SWAGGER_BASE}/${uuidOf(invite)}`), 404, 'invitation_not_found');
    expect(emailsOf(await usher.request('GET', `${SWAGGER_BASE}?email=late@example.com`))).toEqual([]);
    expect(
      emailsOf(await usher.request('GET', `${SWAGGER_BASE}?email=late@example.com&order_by=DISPLAY_NAME`)),
    ).toEqual([]);
  });
});

describeEachStore('the DataTrails Invites API under a rate limit', (engine) => {
  const usher = useTestUsher(engine);

  it("answers 429 with Retry-After past the tenant's limit, and creates nothing", async () => {
    usher.clock.set(new Date('2026-11-25T10:00:30.000Z'));
    expect((await usher.request('PATCH', '/v1/tenant', { body: { settings: { rateLimitPerMinute: 3 } } })).status).toBe(
      200,
    );
    const headers = seedHeaders(usher);
    const statuses = [
      (
        await usher.request('POST', SEED_BASE, {
          key: null,
          headers,
          raw: '{"message": "one", "email": "one@example.com"}',
        })
      ).status,
      (await usher.request('GET', SEED_BASE, { key: null, headers })).status,
      (await usher.request('GET', `${SWAGGER_BASE}:caps`, { key: null, headers })).status,
    ];
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await usher.request('POST', SEED_BASE, {
      key: null,
      headers,
      raw: '{"message": "two", "email": "two@example.com"}',
    });
    expectProblem(refused, 429, 'rate_limited');
    expect(refused.headers.get('retry-after')).toBe('30');
    usher.clock.advance(30_000);
    const listed = await usher.request('GET', SWAGGER_BASE);
    expect(emailsOf(listed)).toEqual(['one@example.com']);
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { rateLimitPerMinute: null } } });
  });
});
