import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { base58 } from '@scure/base';
import { randomUUID } from 'node:crypto';
import { createPeerDid2, packMessage, parseInvitationUrl } from '#didcomm';
import { expectProvenShape as conforms, provenSpec } from '#support/published-specs';
import { describeEachStore } from '#support/stores';
import { useTestUsher, type TestResponse, type TestUsher } from '#support/usher';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A Proven client: the key in x-api-key, as Proven sends it. */
function provenClient(usher: TestUsher, key?: string) {
  return (method: string, path: string, body?: unknown) =>
    usher.request(method, path, {
      key: null,
      headers: { 'x-api-key': key ?? usher.tenant.apiKey.key },
      ...(body !== undefined ? { body } : {}),
    });
}

/** A refusal in Proven's shape: the status, `{ error }` as documented, and the field or reason it names. */
function refused(res: TestResponse, status: 400 | 404, method: string, path: string, mentions: RegExp): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error).toMatch(mentions);
  conforms(method, path, res);
}

async function countInvitations(usher: TestUsher, tenantId: string): Promise<number> {
  const row = await usher.store.db
    .selectFrom('invitations')
    .select(sql<string>`count(*)`.as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const LIST = '/api/v1/invitations';
const ONE = '/api/v1/invitations/{invitation_id}';
const BY_PURPOSE = '/api/v1/invitations/purpose/{purpose}';
const ACCEPT = '/api/v1/invitations/accept';

describeEachStore('the Indicio Proven invitations API', (engine) => {
  const usher = useTestUsher(engine);

  async function create(body: Record<string, unknown>, key?: string) {
    const res = await provenClient(usher, key)('POST', LIST, { invitation_type: 'OOB', ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    conforms('POST', LIST, res);
    return res.body as { invitation_url: string; invitation_id: number; contact_id?: string };
  }

  /** A tenant of its own, for tests that count or order everything a tenant has. */
  async function freshTenant(name: string) {
    const made = await usher.createTenant(name);
    return { id: made.tenant.id, key: made.apiKey.key, proven: provenClient(usher, made.apiKey.key) };
  }

  it('creates an OOB invitation from every seed field and reads it back by its integer id', async () => {
    const proven = provenClient(usher);
    const contact = await usher.request('POST', '/v1/contacts', {
      body: { name: 'Bob', did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' },
    });
    expect(contact.status).toBe(201);
    const startsAt = new Date(usher.clock.now().getTime() + HOUR).toISOString();
    const endsAt = new Date(usher.clock.now().getTime() + 10 * DAY).toISOString();
    const created = await create({
      contact_id: contact.body.id,
      handshake_protocol: 'https://didcomm.org/didexchange/1.1',
      alias: 'bob-connection',
      invitation_mode: 'multi-use',
      accept: 'auto',
      public: false,
      invitation_role: 'holder',
      invitation_label: 'Acme onboarding',
      invitation_status: 'active',
      invitation_description: 'For Bob',
      purpose: 'onboarding-bob',
      invitation_active_starting_at: startsAt,
      invitation_active_ending_at: endsAt,
      uses_allowed: 3,
    });
    expect(Object.keys(created).sort()).toEqual(['contact_id', 'invitation_id', 'invitation_url']);
    expect(Number.isInteger(created.invitation_id) && created.invitation_id > 0).toBe(true);
    expect(created.contact_id).toBe(contact.body.id);
    expect(created.invitation_url).toMatch(/^http:\/\/usher\.test\/didcomm\?oob=/);
    const wire = parseInvitationUrl(created.invitation_url);
    expect(wire.message).toMatchObject({
      label: 'Acme onboarding',
      handshake_protocols: ['https://didcomm.org/didexchange/1.1'],
    });
    expect(JSON.stringify(wire.message)).not.toContain('bob-connection');

    const fetched = await proven('GET', `${LIST}/${created.invitation_id}`);
    expect(fetched.status).toBe(200);
    conforms('GET', ONE, fetched);
    const record = fetched.body.invitation;
    expect(record).toEqual({
      invitation_id: created.invitation_id,
      invitation_type: 'OOB',
      invitation_url: created.invitation_url,
      contact_id: contact.body.id,
      handshake_protocol: 'https://didcomm.org/didexchange/1.1',
      alias: 'bob-connection',
      invitation_mode: 'multi-use',
      accept: 'auto',
      public: false,
      invitation_role: 'holder',
      invitation_label: 'Acme onboarding',
      invitation_status: 'pending',
      workflow_status: 'active',
      invitation_description: 'For Bob',
      purpose: 'onboarding-bob',
      invitation_active_starting_at: startsAt,
      invitation_active_ending_at: endsAt,
      uses_allowed: 3,
      uses_count: 0,
      their_role: 'invitee',
      usher_id: wire.id,
      created_at: usher.clock.now().toISOString(),
      updated_at: usher.clock.now().toISOString(),
    });
    // The same invitation on the native API: the integer is its number, the rules the core's.
    const native = await usher.request('GET', `/v1/invitations/${record.usher_id}`);
    expect(native.body).toMatchObject({
      number: created.invitation_id,
      channel: 'didcomm',
      role: 'holder',
      usesAllowed: 3,
      startsAt,
      expiresAt: endsAt,
      invitationUrl: created.invitation_url,
    });
  });

  it('names on every new invitation the contact it will connect, made with it when the caller names none', async () => {
    const { key, proven } = await freshTenant('Contacts');
    const contacts = async () =>
      (await usher.request('GET', '/v1/contacts?limit=200', { key })).body.data as Array<{
        id: string;
        name: string | null;
      }>;
    // The seed's create, as a Proven client sends it: only invitation_type and optional fields, no contact.
    const res = await usher.request('POST', LIST, {
      key: null,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      raw: '{"invitation_type":"OOB","alias":"Partner agent"}',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    conforms('POST', LIST, res);
    expect(Object.keys(res.body).sort()).toEqual(['contact_id', 'invitation_id', 'invitation_url']);
    expect(await contacts()).toEqual([expect.objectContaining({ id: res.body.contact_id, name: 'Partner agent' })]);
    const record = (await proven('GET', `${LIST}/${res.body.invitation_id}`)).body.invitation;
    expect(record.contact_id).toBe(res.body.contact_id);
    expect(
      (await proven('GET', `${LIST}?contact-id=${res.body.contact_id}`)).body.invitations.rows.map(
        (r: any) => r.invitation_id,
      ),
    ).toEqual([res.body.invitation_id]);
    expect((await usher.request('GET', `/v1/invitations/${record.usher_id}`, { key })).body.recipient.contactId).toBe(
      res.body.contact_id,
    );

    // An agent answering the invitation connects as that contact.
    const { service } = parseInvitationUrl(res.body.invitation_url);
    const secretKey = ed25519.utils.randomSecretKey();
    const agent = { publicKey: ed25519.getPublicKey(secretKey), secretKey };
    const requestId = randomUUID();
    const request = {
      '@type': 'https://didcomm.org/didexchange/1.1/request',
      '@id': requestId,
      '~thread': { thid: requestId, pthid: record.usher_id },
      label: 'Partner',
      did: createPeerDid2({ publicKey: agent.publicKey, serviceEndpoint: 'http://127.0.0.1:9/unused' }),
    };
    const posted = await usher.request('POST', '/didcomm', {
      key: null,
      raw: packMessage(request, [base58.decode(service.recipientKeys[0]!)], agent),
      headers: { 'content-type': 'application/didcomm-envelope-enc' },
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const connections = (await usher.request('GET', `/v1/connections?invitationId=${record.usher_id}`, { key })).body
      .data;
    expect(connections).toEqual([expect.objectContaining({ contactId: res.body.contact_id, theirLabel: 'Partner' })]);
    expect(await contacts()).toHaveLength(1);

    // Without an alias the contact has no name yet; a contact the caller names is used as it is.
    const unnamed = await create({}, key);
    expect((await contacts()).find((c) => c.id === unnamed.contact_id)).toMatchObject({ name: null });
    const given = await create({ contact_id: unnamed.contact_id }, key);
    expect(given.contact_id).toBe(unnamed.contact_id);
    expect(await contacts()).toHaveLength(2);
  });

  it('maps each spelling of handshake_protocol, and refuses one Usher does not speak', async () => {
    const { id, key, proven } = await freshTenant('Handshakes');
    const cases = [
      ['https://didcomm.org/didexchange/1.0', 'https://didcomm.org/didexchange/1.0', 'oob'],
      ['did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/didexchange/1.1', 'https://didcomm.org/didexchange/1.1', 'oob'],
      ['didexchange/1.1', 'https://didcomm.org/didexchange/1.1', 'oob'],
      // Connections 1.0 alone is the core's RFC 0160 invitation: the ?c_i= URL such agents read.
      ['https://didcomm.org/connections/1.0', 'https://didcomm.org/connections/1.0', 'c_i'],
    ] as const;
    for (const [given, shown, parameter] of cases) {
      const created = await create({ handshake_protocol: given }, key);
      expect(new URL(created.invitation_url).searchParams.has(parameter), given).toBe(true);
      expect((await proven('GET', `${LIST}/${created.invitation_id}`)).body.invitation.handshake_protocol).toBe(shown);
    }
    refused(
      await proven('POST', LIST, { invitation_type: 'OOB', handshake_protocol: 'https://didcomm.org/didexchange/2.0' }),
      400,
      'POST',
      LIST,
      /^handshake_protocol: /,
    );
    expect(await countInvitations(usher, id)).toBe(cases.length);
  });

  it("reads invitation_mode, public and uses_allowed as Usher's uses allowed", async () => {
    const proven = provenClient(usher);
    const usesOf = async (body: Record<string, unknown>) =>
      (await proven('GET', `${LIST}/${(await create(body)).invitation_id}`)).body.invitation;
    expect(await usesOf({})).toMatchObject({ uses_allowed: 1, invitation_mode: 'once', public: false });
    expect(await usesOf({ invitation_mode: 'once' })).toMatchObject({ uses_allowed: 1, invitation_mode: 'once' });
    expect(await usesOf({ invitation_mode: 'multi-use' })).toMatchObject({
      uses_allowed: null,
      invitation_mode: 'multi-use',
    });
    expect(await usesOf({ public: true })).toMatchObject({
      uses_allowed: null,
      invitation_mode: 'multi-use',
      public: true,
    });
    expect(await usesOf({ public: true, uses_allowed: 5 })).toMatchObject({ uses_allowed: 5, public: true });
    expect(await usesOf({ public: true, invitation_mode: 'once' })).toMatchObject({ uses_allowed: 1, public: true });
    refused(
      await proven('POST', LIST, { invitation_type: 'OOB', invitation_mode: 'once', uses_allowed: 3 }),
      400,
      'POST',
      LIST,
      /^uses_allowed: .*once/,
    );
  });

  it("lists with Proven's defaults, 20 per page by updated_at DESC, and pages by offset", async () => {
    const { key, proven } = await freshTenant('Paging');
    const numbers: number[] = [];
    for (let i = 0; i < 23; i++) {
      numbers.push((await create({ invitation_label: `L${i}` }, key)).invitation_id);
      usher.clock.advance(1000);
    }
    const first = await proven('GET', LIST);
    expect(first.status).toBe(200);
    conforms('GET', LIST, first);
    const params = {
      'sort-field': 'updated_at',
      'sort-direction': 'DESC',
      'page-size': 20,
      'current-page': 1,
      'item-count': null,
      'state-filter': null,
      'contact-id': null,
    };
    expect(first.body.invitations.params).toEqual(params);
    expect(first.body.invitations.count).toBe(23);
    expect(first.body.invitations.rows.map((r: any) => r.invitation_id)).toEqual([...numbers].reverse().slice(0, 20));

    // An update moves an invitation to the front: the default order is by updated_at.
    const updated = await proven('PUT', `${LIST}/${numbers[0]}`, { description: 'touched' });
    expect(updated.status).toBe(200);
    expect((await proven('GET', LIST)).body.invitations.rows[0].invitation_id).toBe(numbers[0]);

    const second = await proven('GET', `${LIST}?current-page=2&item-count=23`);
    expect(second.body.invitations).toMatchObject({
      count: 23,
      params: { ...params, 'current-page': 2, 'item-count': 23 },
    });
    expect(second.body.invitations.rows).toHaveLength(3);
    const past = await proven('GET', `${LIST}?current-page=3`);
    expect(past.body.invitations).toMatchObject({ count: 23, rows: [] });

    const byNumber = await proven(
      'GET',
      `${LIST}?sort-field=invitation_id&sort-direction=ASC&page-size=5&current-page=2`,
    );
    conforms('GET', LIST, byNumber);
    expect(byNumber.body.invitations.params).toMatchObject({
      'sort-field': 'invitation_id',
      'sort-direction': 'ASC',
      'page-size': 5,
      'current-page': 2,
    });
    expect(byNumber.body.invitations.rows.map((r: any) => r.invitation_id)).toEqual(numbers.slice(5, 10));
    const byEnd = await proven('GET', `${LIST}?sort-field=invitation_active_ending_at&sort-direction=ASC&page-size=3`);
    expect(byEnd.body.invitations.rows.map((r: any) => r.invitation_id)).toEqual(numbers.slice(0, 3));
    const lower = await proven('GET', `${LIST}?sort-field=created_at&sort-direction=asc&page-size=2`);
    expect(lower.body.invitations.params['sort-direction']).toBe('ASC');
    expect(lower.body.invitations.rows.map((r: any) => r.invitation_id)).toEqual(numbers.slice(0, 2));
  });

  it('filters by state, with expiry as of now, and by contact', async () => {
    const { key, proven } = await freshTenant('Filters');
    const contact = await usher.request('POST', '/v1/contacts', { key, body: { name: 'Carol' } });
    const forCarol = await create({ contact_id: contact.body.id }, key);
    const revoked = await create({}, key);
    const shortLived = await create(
      { invitation_active_ending_at: new Date(usher.clock.now().getTime() + HOUR).toISOString() },
      key,
    );
    const open = await create({ invitation_mode: 'multi-use' }, key);
    expect((await proven('PUT', `${LIST}/${revoked.invitation_id}`, { workflow_status: 'inactive' })).status).toBe(200);
    usher.clock.advance(2 * HOUR);

    const ids = async (query: string) => {
      const res = await proven('GET', `${LIST}?${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      conforms('GET', LIST, res);
      expect(res.body.invitations.count).toBe(res.body.invitations.rows.length);
      return res.body.invitations.rows.map((r: any) => r.invitation_id).sort((a: number, b: number) => a - b);
    };
    expect(await ids('state-filter=revoked')).toEqual([revoked.invitation_id]);
    expect(await ids('state-filter=expired')).toEqual([shortLived.invitation_id]);
    expect(await ids('state-filter=pending')).toEqual([forCarol.invitation_id, open.invitation_id]);
    expect(await ids('state-filter=accepted')).toEqual([]);
    expect(await ids(`contact-id=${contact.body.id}`)).toEqual([forCarol.invitation_id]);
    expect(await ids(`contact-id=${contact.body.id}&state-filter=revoked`)).toEqual([]);
    const expired = await proven('GET', `${LIST}/${shortLived.invitation_id}`);
    expect(expired.body.invitation).toMatchObject({ invitation_status: 'expired', workflow_status: 'inactive' });
  });

  it('refuses list parameters it cannot honour with { error }', async () => {
    const proven = provenClient(usher);
    for (const [query, field] of [
      ['page-size=0', 'page-size'],
      ['page-size=201', 'page-size'],
      ['page-size=2.5', 'page-size'],
      ['current-page=abc', 'current-page'],
      ['sort-direction=sideways', 'sort-direction'],
      ['sort-field=label', 'sort-field'],
      ['colour=red', 'colour'],
    ]) {
      const res = await proven('GET', `${LIST}?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toMatch(new RegExp(`^${field}: `));
    }
  });

  it('keeps a purpose unique per tenant and finds an invitation by it', async () => {
    const proven = provenClient(usher);
    const before = await countInvitations(usher, usher.tenant.tenant.id);
    const created = await create({ purpose: 'conference-2026', invitation_label: 'Conference' });
    const taken = await proven('POST', LIST, { invitation_type: 'OOB', purpose: 'conference-2026' });
    refused(taken, 400, 'POST', LIST, /^purpose: /);
    expect(taken.body.code).toBe('purpose_taken');
    expect(await countInvitations(usher, usher.tenant.tenant.id)).toBe(before + 1);

    const found = await proven('GET', `${LIST}/purpose/conference-2026`);
    expect(found.status).toBe(200);
    conforms('GET', BY_PURPOSE, found);
    expect(found.body.invitation).toMatchObject({
      invitation_id: created.invitation_id,
      purpose: 'conference-2026',
      invitation_url: created.invitation_url,
    });
    expect(found.body.invitation).toEqual((await proven('GET', `${LIST}/${created.invitation_id}`)).body.invitation);
    refused(await proven('GET', `${LIST}/purpose/no-such-purpose`), 404, 'GET', BY_PURPOSE, /no-such-purpose/);

    // Per tenant: another tenant may use it, and sees only its own.
    const other = await freshTenant('Same purpose');
    const theirs = await create({ purpose: 'conference-2026' }, other.key);
    expect((await other.proven('GET', `${LIST}/purpose/conference-2026`)).body.invitation.invitation_id).toBe(
      theirs.invitation_id,
    );
  });

  it('updates uses_allowed, the active window, description and purpose of an open invitation', async () => {
    const proven = provenClient(usher);
    const created = await create({
      invitation_mode: 'multi-use',
      uses_allowed: 2,
      invitation_active_starting_at: new Date(usher.clock.now().getTime() + HOUR).toISOString(),
    });
    const path = `${LIST}/${created.invitation_id}`;
    const endsAt = new Date(usher.clock.now().getTime() + 30 * DAY).toISOString();
    usher.clock.advance(1000);
    const res = await proven('PUT', path, {
      uses_allowed: 7,
      active_starting_at: null,
      active_ending_at: endsAt,
      description: 'Now for everyone',
      purpose: 'updated-purpose',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    conforms('PUT', ONE, res);
    expect(res.body.updatedInvitation).toMatchObject({
      invitation_id: created.invitation_id,
      uses_allowed: 7,
      invitation_mode: 'multi-use',
      invitation_active_starting_at: null,
      invitation_active_ending_at: endsAt,
      invitation_description: 'Now for everyone',
      purpose: 'updated-purpose',
      invitation_status: 'pending',
      updated_at: usher.clock.now().toISOString(),
    });
    // The same record on every read.
    expect((await proven('GET', path)).body.invitation).toEqual(res.body.updatedInvitation);
    expect((await proven('GET', `${LIST}/purpose/updated-purpose`)).body.invitation).toEqual(
      res.body.updatedInvitation,
    );
    const unlimited = await proven('PUT', path, { uses_allowed: null });
    expect(unlimited.body.updatedInvitation.uses_allowed).toBeNull();

    // Refusals change nothing.
    const current = (await proven('GET', path)).body.invitation;
    for (const [body, mentions] of [
      [{ active_ending_at: new Date(usher.clock.now().getTime() - HOUR).toISOString() }, /^active_ending_at: /],
      [{ active_ending_at: 'next week' }, /^active_ending_at: /],
      [{ uses_allowed: 0 }, /^uses_allowed: /],
      [{ purpose: '' }, /^purpose: /],
      [{}, /at least one field/],
      [{ label: 'not a Proven field' }, /^label: unknown field/],
    ] as const) {
      refused(await proven('PUT', path, body), 400, 'PUT', ONE, mentions);
    }
    expect((await proven('GET', path)).body.invitation).toEqual(current);
    refused(await proven('PUT', `${LIST}/abc`, { description: 'x' }), 400, 'PUT', ONE, /^invitation_id: /);
    refused(await proven('PUT', `${LIST}/2147483647`, { description: 'x' }), 404, 'PUT', ONE, /not found/);
  });

  it('revokes for workflow_status inactive, and never makes a closed invitation active again', async () => {
    const proven = provenClient(usher);
    const created = await create({});
    const path = `${LIST}/${created.invitation_id}`;
    const kept = await proven('PUT', path, { workflow_status: 'active' });
    expect(kept.body.updatedInvitation).toMatchObject({ invitation_status: 'pending', workflow_status: 'active' });
    const res = await proven('PUT', path, { workflow_status: 'inactive', description: 'closing' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.updatedInvitation).toMatchObject({
      invitation_status: 'revoked',
      workflow_status: 'inactive',
      invitation_description: 'closing',
    });
    const native = await usher.request('GET', `/v1/invitations/${res.body.updatedInvitation.usher_id}/events`);
    expect(native.body.data.map((e: any) => e.type)).toEqual([
      'invitation.created',
      'invitation.updated',
      'invitation.revoked',
    ]);
    refused(await proven('PUT', path, { workflow_status: 'active' }), 400, 'PUT', ONE, /^workflow_status: .*revoked/);
    refused(await proven('PUT', path, { description: 'too late' }), 400, 'PUT', ONE, /pending/);
  });

  it('deletes: gone from every Proven read, while the native API keeps the invitation, revoked, with its history', async () => {
    const { key, proven } = await freshTenant('Deletes');
    const created = await create({ purpose: 'to-delete' }, key);
    const kept = await create({ purpose: 'to-keep' }, key);
    const path = `${LIST}/${created.invitation_id}`;
    const usherId = (await proven('GET', path)).body.invitation.usher_id;
    expect((await proven('GET', LIST)).body.invitations.count).toBe(2);

    const res = await proven('DELETE', path);
    expect(res.status).toBe(200);
    conforms('DELETE', ONE, res);
    expect(res.body.success).toBe(`Invitation ${created.invitation_id} deleted`);

    const gone = await proven('GET', path);
    expect(gone.status).toBe(404);
    conforms('GET', ONE, gone);
    expect(gone.body).toEqual({ warning: `Invitation ${created.invitation_id} not found` });
    refused(await proven('GET', `${LIST}/purpose/to-delete`), 404, 'GET', BY_PURPOSE, /no invitation/);
    for (const query of ['', '?state-filter=revoked', `?contact-id=${created.contact_id}`]) {
      const listed = await proven('GET', `${LIST}${query}`);
      conforms('GET', LIST, listed);
      expect(listed.body.invitations.rows.map((r: any) => r.invitation_id)).not.toContain(created.invitation_id);
    }
    expect((await proven('GET', LIST)).body.invitations).toMatchObject({
      count: 1,
      rows: [{ invitation_id: kept.invitation_id }],
    });
    refused(await proven('PUT', path, { description: 'after' }), 404, 'PUT', ONE, /not found/);
    refused(await proven('DELETE', path), 404, 'DELETE', ONE, /not found/);

    // The native API keeps it: revoked, the same number and purpose, and its whole timeline.
    const native = await usher.request('GET', `/v1/invitations/${usherId}`, { key });
    expect(native.body).toMatchObject({ status: 'revoked', number: created.invitation_id, purpose: 'to-delete' });
    const events = await usher.request('GET', `/v1/invitations/${usherId}/events`, { key });
    expect(events.body.data.map((e: any) => e.type)).toEqual(['invitation.created', 'invitation.revoked']);
    expect((await usher.request('GET', '/v1/invitations?purpose=to-delete', { key })).body.data).toHaveLength(1);

    refused(await proven('DELETE', `${LIST}/2147483647`), 404, 'DELETE', ONE, /not found/);
    refused(await proven('DELETE', `${LIST}/-1`), 400, 'DELETE', ONE, /^invitation_id: /);
  });

  it('deletes a closed invitation without changing it: only Proven stops showing it', async () => {
    const { key, proven } = await freshTenant('Deletes closed');
    const created = await create({}, key);
    const path = `${LIST}/${created.invitation_id}`;
    expect((await proven('PUT', path, { workflow_status: 'inactive' })).status).toBe(200);
    const usherId = (await proven('GET', path)).body.invitation.usher_id;
    const before = (await usher.request('GET', `/v1/invitations/${usherId}/events`, { key })).body.data;
    expect((await proven('DELETE', path)).status).toBe(200);
    expect((await proven('GET', path)).status).toBe(404);
    expect((await usher.request('GET', `/v1/invitations/${usherId}`, { key })).body.status).toBe('revoked');
    expect((await usher.request('GET', `/v1/invitations/${usherId}/events`, { key })).body.data).toEqual(before);
  });

  it("accepts another agent's invitation URL: the incoming invitation and a connection in request-sent", async () => {
    const proven = provenClient(usher);
    const inviter = await usher.createTenant('Other');
    const theirs = await usher.request('POST', '/v1/invitations', {
      key: inviter.apiKey.key,
      body: { channel: 'didcomm', label: 'Other Org' },
    });
    expect(theirs.status).toBe(201);

    const res = await proven('POST', ACCEPT, { invitation_url: theirs.body.url });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    conforms('POST', ACCEPT, res);
    expect(res.body.success).toBe(true);
    const record = res.body.invitation_record;
    expect(record).toMatchObject({
      invitation_type: 'OOB',
      invitation_url: null,
      their_role: 'inviter',
      invitation_status: 'accepted',
      workflow_status: 'inactive',
      invitation_label: 'Other Org',
      handshake_protocol: 'https://didcomm.org/didexchange/1.1',
      uses_count: 1,
      rfc23_state: 'request-sent',
      connection_protocol: 'didexchange/1.1',
      their_label: 'Other Org',
      invitation_msg_id: theirs.body.id,
    });
    expect(Number.isInteger(record.invitation_id)).toBe(true);

    const connection = await usher.request('GET', `/v1/connections/${record.connection_id}`);
    expect(connection.body).toMatchObject({
      state: 'request-sent',
      role: 'invitee',
      invitationId: record.usher_id,
      protocol: 'didexchange/1.1',
    });
    // The request waits in the outbox, packed, for the worker.
    const queued = await usher.store.db
      .selectFrom('outbox')
      .select(['topic', 'status'])
      .where('invitation_id', '=', record.usher_id)
      .execute();
    expect(queued).toEqual([{ topic: 'didcomm.message', status: 'pending' }]);
    // The same invitation on Proven's own reads, without the connection's fields.
    const { connection_id, rfc23_state, connection_protocol, their_label, invitation_msg_id, ...plain } = record;
    expect((await proven('GET', `${LIST}/${record.invitation_id}`)).body.invitation).toEqual(plain);
    // Nothing reached the inviter yet: its invitation is untouched.
    expect(
      (await usher.request('GET', `/v1/invitations/${theirs.body.id}`, { key: inviter.apiKey.key })).body,
    ).toMatchObject({ status: 'pending', usesCount: 0 });

    // An RFC 0160 invitation (?c_i=) is read as Connections 1.0.
    const legacy = await usher.request('POST', '/v1/invitations', {
      key: inviter.apiKey.key,
      body: { channel: 'didcomm', didcomm: { handshakeProtocols: ['connections/1.0'] } },
    });
    expect(legacy.body.url).toContain('?c_i=');
    const accepted = await proven('POST', ACCEPT, { invitation_url: legacy.body.url });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.invitation_record).toMatchObject({
      handshake_protocol: 'https://didcomm.org/connections/1.0',
      connection_protocol: 'connections/1.0',
      rfc23_state: 'request-sent',
    });
  });

  it('refuses an unreadable invitation URL with { error }, recording nothing', async () => {
    const { id, proven } = await freshTenant('Bad accept');
    const connections = async () =>
      (await usher.store.db.selectFrom('didcomm_connections').select('id').where('tenant_id', '=', id).execute())
        .length;
    for (const [body, mentions] of [
      [{ invitation_url: 'not a url' }, /^invitation_url: /],
      [{ invitation_url: 'https://agent.example/?nothing=here' }, /^invitation_url: /],
      [
        {
          invitation_url: `https://agent.example/?oob=${Buffer.from('{"@type":"https://didcomm.org/out-of-band/1.1/invitation"}').toString('base64url')}`,
        },
        /^invitation_url: /,
      ],
      [{}, /^invitation_url: /],
      [{ invitation_url: 'https://agent.example/?oob=x', alias: 'nope' }, /^alias: unknown field/],
    ] as const) {
      refused(await proven('POST', ACCEPT, body), 400, 'POST', ACCEPT, mentions);
    }
    expect(await countInvitations(usher, id)).toBe(0);
    expect(await connections()).toBe(0);
  });

  it('reads the spec\'s "undefined" defaults, as a generated client sends them, as absent', async () => {
    const { key, proven } = await freshTenant('Generated client');
    // What a client generated from the spec sends when the caller sets nothing: every documented default, verbatim.
    const properties = provenSpec.paths[LIST].post.requestBody.content['application/json'].schema.properties;
    const body = Object.fromEntries(
      Object.entries(properties).map(([name, field]: [string, any]) => [name, field.default]),
    );
    expect(body).toMatchObject({
      invitation_type: 'OOB',
      contact_id: 'undefined',
      purpose: 'undefined',
      uses_allowed: 'undefined',
    });
    const created = await proven('POST', LIST, body);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    conforms('POST', LIST, created);
    expect(created.body.contact_id).not.toBe('undefined');
    const record = (await proven('GET', `${LIST}/${created.body.invitation_id}`)).body.invitation;
    expect(record).toMatchObject({
      contact_id: created.body.contact_id,
      purpose: null,
      invitation_role: null,
      alias: null,
      uses_allowed: 1,
    });
    expect(record.invitation_label).not.toBe('undefined');
    const query = [
      'sort-field',
      'sort-direction',
      'page-size',
      'current-page',
      'item-count',
      'state-filter',
      'contact-id',
    ];
    const listed = await proven('GET', `${LIST}?${query.map((name) => `${name}=undefined`).join('&')}`);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    conforms('GET', LIST, listed);
    expect(listed.body.invitations).toMatchObject({
      count: 1,
      params: { 'page-size': 20, 'state-filter': null, 'contact-id': null },
    });
    const accepted = await provenClient(usher, key)('POST', ACCEPT, { invitation_url: 'undefined' });
    refused(accepted, 400, 'POST', ACCEPT, /^invitation_url: /);
  });

  it('filters by any state-filter: one Usher never has matches nothing', async () => {
    const { proven } = await freshTenant('Unknown states');
    const mine = await proven('POST', LIST, { invitation_type: 'OOB' });
    expect(mine.status).toBe(200);
    for (const state of ['open', 'active', 'completed']) {
      const res = await proven('GET', `${LIST}?state-filter=${state}`);
      expect(res.status, state).toBe(200);
      conforms('GET', LIST, res);
      expect(res.body.invitations).toMatchObject({ count: 0, rows: [], params: { 'state-filter': state } });
    }
    expect((await proven('GET', `${LIST}?state-filter=pending`)).body.invitations.count).toBe(1);
  });

  it('takes any workflow_status the spec allows: inactive revokes, in any case; others change nothing', async () => {
    const { proven } = await freshTenant('Workflow states');
    const created = await proven('POST', LIST, { invitation_type: 'OOB' });
    const path = `${LIST}/${created.body.invitation_id}`;
    for (const workflow_status of ['archived', 'in review', 'Active']) {
      const res = await proven('PUT', path, { workflow_status });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      conforms('PUT', ONE, res);
      expect(res.body.updatedInvitation).toMatchObject({ invitation_status: 'pending', workflow_status: 'active' });
    }
    const closed = await proven('PUT', path, { workflow_status: 'INACTIVE' });
    conforms('PUT', ONE, closed);
    expect(closed.body.updatedInvitation).toMatchObject({ invitation_status: 'revoked', workflow_status: 'inactive' });
  });

  it('refuses bad create input with { error } and creates nothing', async () => {
    const { id, key, proven } = await freshTenant('Bad create');
    const past = new Date(usher.clock.now().getTime() - HOUR).toISOString();
    for (const [body, mentions] of [
      [{}, /^invitation_type: /],
      [{ invitation_type: 'connection' }, /^invitation_type: /],
      [{ invitation_type: 'OOB', accept: 'manual' }, /^accept: /],
      [{ invitation_type: 'OOB', invitation_status: 'inactive' }, /^invitation_status: /],
      [{ invitation_type: 'OOB', invitation_mode: 'static' }, /^invitation_mode: /],
      [{ invitation_type: 'OOB', uses_allowed: 0 }, /^uses_allowed: /],
      [{ invitation_type: 'OOB', uses_allowed: 2.5 }, /^uses_allowed: /],
      [{ invitation_type: 'OOB', invitation_active_ending_at: 'tomorrow' }, /^invitation_active_ending_at: /],
      [{ invitation_type: 'OOB', invitation_active_ending_at: past }, /^invitation_active_ending_at: /],
      [{ invitation_type: 'OOB', invitation_label: 'x'.repeat(201) }, /^invitation_label: /],
      // Names the caller's field, never the native one a Proven name maps to.
      [{ invitation_type: 'OOB', role: 'admin' }, /^role: unknown field/],
      [{ invitation_type: 'OOB', alias: '' }, /^alias: /],
      [{ invitation_type: 'OOB', contact_id: 'no-such-contact' }, /^contact_id: /],
      [{ invitation_type: 'OOB', colour: 'red' }, /^colour: unknown field/],
    ] as const) {
      refused(await proven('POST', LIST, body), 400, 'POST', LIST, mentions);
    }
    const malformed = await usher.request('POST', LIST, {
      key: null,
      headers: { 'x-api-key': (await usher.createTenant('Raw')).apiKey.key, 'content-type': 'application/json' },
      raw: '{"invitation_type":',
    });
    expect(malformed.status).toBe(400);
    conforms('POST', LIST, malformed);
    expect(await countInvitations(usher, id)).toBe(0);
    // Refusals the core makes inside the creating transaction (a past end, above) take the new contact with them.
    expect((await usher.request('GET', '/v1/contacts', { key })).body.data).toEqual([]);
    const taken = await create({ purpose: 'taken' }, key);
    refused(await proven('POST', LIST, { invitation_type: 'OOB', purpose: 'taken' }), 400, 'POST', LIST, /^purpose: /);
    expect((await usher.request('GET', '/v1/contacts', { key })).body.data.map((c: { id: string }) => c.id)).toEqual([
      taken.contact_id,
    ]);
  });

  it("passes the core's one-pending rule through: a contact with an email has one open invitation at a time", async () => {
    const { key, proven } = await freshTenant('One pending');
    const contact = await usher.request('POST', '/v1/contacts', {
      key,
      body: { name: 'Dana', email: 'dana@example.com' },
    });
    const first = await create({ contact_id: contact.body.id }, key);
    const second = await proven('POST', LIST, { invitation_type: 'OOB', contact_id: contact.body.id });
    refused(second, 400, 'POST', LIST, /^contact_id: /);
    expect(second.body.code).toBe('invitation_already_pending');
    expect((await proven('DELETE', `${LIST}/${first.invitation_id}`)).status).toBe(200);
    expect((await create({ contact_id: contact.body.id }, key)).contact_id).toBe(contact.body.id);
  });

  it("answers 404 { warning } for an invitation id that is not this tenant's, and leaves it alone", async () => {
    const proven = provenClient(usher);
    const other = await freshTenant('Neighbour');
    const theirs = await create({ purpose: 'neighbour-only' }, other.key);
    const missing = await proven('GET', `${LIST}/${theirs.invitation_id}`);
    expect(missing.status).toBe(404);
    conforms('GET', ONE, missing);
    expect(missing.body).toEqual({ warning: `Invitation ${theirs.invitation_id} not found` });
    for (const raw of ['abc', '0', '99999999999999999999'])
      expect((await proven('GET', `${LIST}/${raw}`)).body.warning).toMatch(/not found/);
    refused(
      await proven('PUT', `${LIST}/${theirs.invitation_id}`, { description: 'mine now' }),
      404,
      'PUT',
      ONE,
      /not found/,
    );
    refused(await proven('DELETE', `${LIST}/${theirs.invitation_id}`), 404, 'DELETE', ONE, /not found/);
    refused(await proven('GET', `${LIST}/purpose/neighbour-only`), 404, 'GET', BY_PURPOSE, /not found|no invitation/);
    expect((await other.proven('GET', `${LIST}/${theirs.invitation_id}`)).body.invitation).toMatchObject({
      invitation_status: 'pending',
      invitation_description: null,
    });
    expect((await proven('GET', LIST)).body.invitations.rows.map((r: any) => r.invitation_id)).not.toContain(
      theirs.invitation_id,
    );
  });

  it('shows only didcomm invitations, and needs an API key', async () => {
    const proven = provenClient(usher);
    const link = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', purpose: 'a-shareable-link' },
    });
    expect(link.status).toBe(201);
    expect((await proven('GET', `${LIST}/${link.body.number}`)).status).toBe(404);
    expect((await proven('GET', `${LIST}/purpose/a-shareable-link`)).status).toBe(404);
    expect((await usher.request('GET', LIST, { key: null })).status).toBe(401);
    expect(
      (await usher.request('GET', LIST, { key: null, headers: { 'x-api-key': 'not-a-key-0123456789abcdef' } })).status,
    ).toBe(401);
    // The native Bearer form works on this surface too.
    expect((await usher.request('GET', LIST)).status).toBe(200);
  });
});
