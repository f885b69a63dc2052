import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { startReceiver, type TestReceiver } from '#support/http-receiver';
import { tokenOf, useTestUsher, type TestUsher } from '#support/usher';

const TARGET = { type: 'group', iri: 'https://example.com/g/seats', name: 'Seats' };

const accept = (usher: TestUsher, url: string, body: Record<string, unknown>) =>
  usher.request('POST', `/v1/public/invitations/${tokenOf(url)}/accept`, { key: null, body });

describeEachStore('admission: one seat per person, and a different address at accept', (engine) => {
  const receiver = {} as { server: TestReceiver };
  beforeAll(async () => {
    receiver.server = await startReceiver();
  });
  afterAll(async () => receiver.server.close());
  const usher = useTestUsher(engine);
  const drain = async () => {
    while ((await usher.worker.runOnce()) > 0) {
      // until nothing is due
    }
  };
  const setPolicy = async (policy: 'refuse' | 'accept_and_flag') => {
    const patched = await usher.request('PATCH', '/v1/tenant', {
      body: { settings: { acceptanceEmailMismatch: policy } },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  };
  const acceptedHooks = (invitationId: string) =>
    receiver.server.received
      .map((r) => JSON.parse(r.body))
      .filter((p) => p.type === 'invitation.accepted' && p.data?.invitation?.id === invitationId);

  beforeAll(async () => {
    const hook = await usher.request('POST', '/v1/webhooks', { body: { url: receiver.server.url, events: ['*'] } });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  });

  it('gives the same person on a five-use link their seat back, consuming one use; another person a second', async () => {
    const link = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed: 5, role: 'member', target: TARGET },
    });
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    const first = await accept(usher, link.body.url, { email: 'Ann@Example.com', name: 'Ann' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.existingMembership).toBe(false);

    const again = await accept(usher, link.body.url, { email: 'ann@example.com' });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({
      existingMembership: true,
      membership: { id: first.body.membership.id, member: { key: 'email:ann@example.com' } },
      redemption: first.body.redemption,
    });
    // A new token for the same redemption, with its own jti so a host refusing replays still lets Ann in.
    const [firstClaims, againClaims] = [first, again].map((r) => decodeJwt(r.body.acceptanceToken.token));
    expect(againClaims).toMatchObject({ redemption: firstClaims!.redemption, membership: first.body.membership.id });
    expect(againClaims!.jti).not.toBe(firstClaims!.jti);

    let shown = await usher.request('GET', `/v1/invitations/${link.body.id}`);
    expect(shown.body).toMatchObject({ status: 'pending', usesCount: 1 });

    const other = await accept(usher, link.body.url, { email: 'bob@example.com' });
    expect(other.body).toMatchObject({ existingMembership: false });
    expect(other.body.membership.id).not.toBe(first.body.membership.id);
    shown = await usher.request('GET', `/v1/invitations/${link.body.id}`);
    expect(shown.body).toMatchObject({ status: 'pending', usesCount: 2 });

    const events = (await usher.request('GET', `/v1/invitations/${link.body.id}/events`)).body.data;
    expect(events.filter((e: { type: string }) => e.type === 'invitation.accepted')).toHaveLength(2);
    await drain();
    expect(acceptedHooks(link.body.id)).toHaveLength(2);
  });

  it('gives a host subject and a DID their seat back too, and counts them apart', async () => {
    const link = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed: 5, target: TARGET },
    });
    for (const acceptor of [{ subject: 'user-7' }, { did: 'did:example:carol' }]) {
      const first = await accept(usher, link.body.url, acceptor);
      const again = await accept(usher, link.body.url, acceptor);
      expect([first.body.existingMembership, again.body.existingMembership]).toEqual([false, true]);
      expect(again.body.membership.id).toBe(first.body.membership.id);
    }
    expect((await usher.request('GET', `/v1/invitations/${link.body.id}`)).body.usesCount).toBe(2);
  });

  it("gives a protocol acceptor (an ActivityPub actor's second Accept) the seat back, consuming no use", async () => {
    const multi = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed: 3, target: TARGET },
    });
    const tenantId = usher.tenant.tenant.id;
    // What the ActivityPub inbox does on Accept: acceptWith, as the invitee, with the actor's IRI.
    const acceptAs = (actorIri: string) =>
      usher.invitations.acceptWith(tenantId, multi.body.id, { actorIri }, { kind: 'invitee' }, async (_, __, r) => r);
    const first = await acceptAs('https://social.example/users/ann');
    const again = await acceptAs('https://social.example/users/ann');
    expect(again.id).toBe(first.id);
    expect(again.membership.id).toBe(first.membership.id);
    expect((await usher.request('GET', `/v1/invitations/${multi.body.id}`)).body.usesCount).toBe(1);
    const other = await acceptAs('https://social.example/users/bob');
    expect(other.membership.id).not.toBe(first.membership.id);
    const events = (await usher.request('GET', `/v1/invitations/${multi.body.id}/events`)).body.data;
    expect(events.filter((e: { type: string }) => e.type === 'invitation.accepted')).toHaveLength(2);
  });

  it('gives the seat back on a spent link, and refuses on a revoked one as before', async () => {
    const link = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed: 2, target: TARGET },
    });
    await accept(usher, link.body.url, { subject: 'first' });
    await accept(usher, link.body.url, { subject: 'second' });
    expect((await usher.request('GET', `/v1/invitations/${link.body.id}`)).body.status).toBe('exhausted');
    expect((await accept(usher, link.body.url, { subject: 'first' })).body.existingMembership).toBe(true);
    expect((await accept(usher, link.body.url, { subject: 'third' })).body.code).toBe('invitation_exhausted');

    const open = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed: 5, target: TARGET },
    });
    await accept(usher, open.body.url, { subject: 'first' });
    await usher.request('POST', `/v1/invitations/${open.body.id}/revoke`);
    expect((await accept(usher, open.body.url, { subject: 'first' })).body.code).toBe('invitation_revoked');
  });

  it('refuses an email invitation accepted with another address under "refuse", changing nothing', async () => {
    await setPolicy('refuse');
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'dana@example.com' }, role: 'member', target: TARGET },
    });
    const refused = await accept(usher, created.body.url, { email: 'someone-else@example.com' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'acceptor_email_mismatch', field: 'body.email' });
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body).toMatchObject({
      status: 'pending',
      usesCount: 0,
    });
    // The invited address, in any case, is no mismatch.
    const accepted = await accept(usher, created.body.url, { email: 'Dana@Example.com' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.membership).toMatchObject({ acceptedEmail: null, emailMismatch: false });
  });

  it('accepts and flags another address under "accept_and_flag": membership, event and webhook say which', async () => {
    await setPolicy('accept_and_flag');
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'erin@example.com' }, role: 'member', target: TARGET },
    });
    const accepted = await accept(usher, created.body.url, { email: 'Erin.Private@Example.org' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    const flagged = { acceptedEmail: 'erin.private@example.org', emailMismatch: true };
    expect(accepted.body.membership).toMatchObject({
      member: { key: 'email:erin@example.com', email: 'erin@example.com' },
      ...flagged,
    });
    const stored = await usher.request('GET', `/v1/memberships/${accepted.body.membership.id}`);
    expect(stored.body).toMatchObject(flagged);
    const events = (await usher.request('GET', `/v1/invitations/${created.body.id}/events`)).body.data;
    expect(events.find((e: { type: string }) => e.type === 'invitation.accepted').data).toMatchObject(flagged);
    await drain();
    const [hook] = acceptedHooks(created.body.id);
    expect(hook.data.membership).toMatchObject(flagged);
    expect(hook.data.event.data).toMatchObject(flagged);
  });
});
