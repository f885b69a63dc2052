import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher, type TestUsher } from '#support/usher';

const DAY = 86_400_000;

async function invite(usher: TestUsher, body: Record<string, unknown> = {}) {
  const res = await usher.request('POST', '/v1/invitations', {
    body: { recipient: { email: `p${Math.random()}@example.com` }, ...body },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { invitation: res.body, token: tokenOf(res.body.url) };
}

const problem = (res: { status: number; headers: Headers; body: any }, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
};

describeEachStore('invitation lifecycle over HTTP', (engine) => {
  const usher = useTestUsher(engine);

  it('creates an email invitation from the default identity, valid for the tenant default of 7 days', async () => {
    const before = usher.clock.now().getTime();
    const res = await usher.request('POST', '/v1/invitations', {
      body: {
        recipient: { email: 'Ann@Example.com' },
        role: 'admin',
        rules: ['Financeur', 'Directeur'],
        message: 'Welcome aboard',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      channel: 'email',
      direction: 'outgoing',
      status: 'pending',
      identityId: usher.tenant.identity.id,
      recipient: { email: 'Ann@Example.com' },
      target: { type: 'tenant', iri: null },
      role: 'admin',
      rules: ['Financeur', 'Directeur'],
      usesAllowed: 1,
      usesCount: 0,
    });
    expect(Date.parse(res.body.expiresAt) - before).toBe(7 * DAY);
    expect(res.body.url).toMatch(/^http:\/\/usher\.test\/i\/[A-Za-z0-9_-]{43}$/);
    const fetched = await usher.request('GET', `/v1/invitations/${res.body.id}`);
    // The operator's view recomputes the one live link: the same URL the create response carried.
    expect(fetched.body).toMatchObject({ url: res.body.url, urlUnavailable: null });
  });

  it('refuses an email invitation without an address, naming the field', async () => {
    const res = await usher.request('POST', '/v1/invitations', { body: { channel: 'email' } });
    problem(res, 400, 'recipient_required');
    expect(res.body.field).toBe('body.recipient.email');
  });

  it('refuses a provider invitation that names no provider user, naming the field', async () => {
    const res = await usher.request('POST', '/v1/invitations', { body: { channel: 'provider' } });
    problem(res, 400, 'provider_recipient_required');
    expect(res.body.field).toBe('body.recipient.provider');
    problem(
      await usher.request('POST', '/v1/invitations', {
        body: { channel: 'link', recipient: { provider: { provider: 'usher', userId: 'x' } } },
      }),
      400,
      'channel_options_mismatch',
    );
  });

  it('rejects unknown fields and over-long messages with the field path', async () => {
    const unknown = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', colour: 'red' } });
    problem(unknown, 400, 'validation_failed');
    expect(unknown.body.errors).toContainEqual({
      field: 'body.colour',
      code: 'unknown_field',
      message: 'unknown field "colour"',
    });
    const long = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', message: 'x'.repeat(2001) },
    });
    problem(long, 400, 'validation_failed');
    expect(long.body.field).toBe('body.message');
  });

  it('answers malformed JSON with 400 and an oversized body with 413', async () => {
    problem(
      await usher.request('POST', '/v1/invitations', {
        raw: '{"channel":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'malformed_json',
    );
    const huge = JSON.stringify({ channel: 'link', description: 'x'.repeat(300 * 1024) });
    problem(
      await usher.request('POST', '/v1/invitations', { raw: huge, headers: { 'content-type': 'application/json' } }),
      413,
      'body_too_large',
    );
    problem(
      await usher.request('POST', '/v1/invitations', {
        raw: '{"channel":"link"}',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'unsupported_media_type',
    );
  });

  it('rejects a second pending invitation for the same email and target, but not for another target', async () => {
    const first = await invite(usher, { recipient: { email: 'dup@example.com' } });
    const again = await usher.request('POST', '/v1/invitations', { body: { recipient: { email: 'DUP@example.com' } } });
    problem(again, 409, 'invitation_already_pending');
    expect(again.body.existingInvitationId).toBe(first.invitation.id);
    await invite(usher, {
      recipient: { email: 'dup@example.com' },
      target: { type: 'project', iri: 'https://example.com/p/1', name: 'P1' },
    });
  });

  it('invites an address again once its pending invitation lapsed, storing that one as expired first', async () => {
    const email = 'lapsed@example.com';
    const first = await invite(usher, {
      recipient: { email },
      expiresAt: new Date(usher.clock.now().getTime() + 60_000).toISOString(),
    });
    usher.clock.advance(61_000);
    const again = await invite(usher, { recipient: { email } });
    expect(again.invitation.id).not.toBe(first.invitation.id);
    const events = (await usher.request('GET', `/v1/invitations/${first.invitation.id}/events`)).body.data;
    expect(events.at(-1)).toMatchObject({ type: 'invitation.expired', previousStatus: 'pending', status: 'expired' });
    const third = await usher.request('POST', '/v1/invitations', { body: { recipient: { email } } });
    problem(third, 409, 'invitation_already_pending');
    expect(third.body.existingInvitationId).toBe(again.invitation.id);
  });

  it('keeps purpose unique per tenant and finds an invitation by it', async () => {
    const { invitation } = await invite(usher, { purpose: 'onboarding-42' });
    problem(
      await usher.request('POST', '/v1/invitations', { body: { channel: 'link', purpose: 'onboarding-42' } }),
      409,
      'purpose_taken',
    );
    const found = await usher.request('GET', '/v1/invitations/by-purpose/onboarding-42');
    expect(found.status).toBe(200);
    expect(found.body.id).toBe(invitation.id);
    problem(await usher.request('GET', '/v1/invitations/by-purpose/nope'), 404, 'invitation_not_found');
  });

  it('shows the invitee who invites, into what, with which role — and opening it changes nothing', async () => {
    const { invitation, token } = await invite(usher, {
      recipient: { email: 'jane.doe@example.com' },
      target: { type: 'event', iri: 'https://example.com/e/9', name: 'Launch party' },
      role: 'guest',
      message: 'Come!',
    });
    for (let i = 0; i < 3; i++) {
      const view = await usher.request('GET', `/v1/public/invitations/${token}`, { key: null });
      expect(view.status).toBe(200);
      expect(view.body).toMatchObject({
        status: 'pending',
        inviter: { displayName: 'Acme', did: usher.tenant.identity.did },
        target: { type: 'event', name: 'Launch party' },
        role: 'guest',
        message: 'Come!',
        recipientHint: 'j***@example.com',
        expiresAt: invitation.expiresAt,
      });
    }
    const after = await usher.request('GET', `/v1/invitations/${invitation.id}`);
    expect(after.body.updatedAt).toBe(invitation.updatedAt);
    const events = await usher.request('GET', `/v1/invitations/${invitation.id}/events`);
    expect(events.body.data.map((e: any) => e.type)).toEqual(['invitation.created']);
  });

  it('accepts once: a membership with the role, a redemption, events; a second accept is gone', async () => {
    const { invitation, token } = await invite(usher, {
      recipient: { email: 'Bob@Example.com' },
      target: { type: 'project', iri: 'https://example.com/p/accept', name: 'Accept' },
      role: 'contributor',
      rules: ['Financeur'],
    });
    const accepted = await usher.request('POST', `/v1/public/invitations/${token}/accept`, {
      key: null,
      body: { name: 'Bob' },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.invitation.status).toBe('accepted');
    expect(accepted.body.membership).toMatchObject({
      target: { type: 'project', iri: 'https://example.com/p/accept' },
      member: { key: 'email:bob@example.com', email: 'bob@example.com', name: 'Bob' },
      role: 'contributor',
      rules: ['Financeur'],
      invitationId: invitation.id,
    });
    problem(
      await usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null }),
      410,
      'invitation_already_accepted',
    );

    const stored = await usher.request('GET', `/v1/invitations/${invitation.id}`);
    expect(stored.body).toMatchObject({ status: 'accepted', usesCount: 1 });
    const events = (await usher.request('GET', `/v1/invitations/${invitation.id}/events`)).body.data;
    expect(events.map((e: any) => [e.type, e.previousStatus, e.status, e.actor])).toEqual([
      ['invitation.created', null, 'pending', `api_key:${usher.tenant.apiKey.id}`],
      ['invitation.accepted', 'pending', 'accepted', 'invitee'],
    ]);
    expect(events[1].data).toMatchObject({
      redemptionId: accepted.body.redemption.id,
      membershipId: accepted.body.membership.id,
    });
    const memberships = await usher.request('GET', '/v1/memberships?target=https://example.com/p/accept');
    expect(memberships.body.data).toHaveLength(1);
    const one = await usher.request('GET', `/v1/memberships/${accepted.body.membership.id}`);
    expect(one.body.role).toBe('contributor');
  });

  it('grants a member with no permissions when the invitation names no role', async () => {
    const { token } = await invite(usher, { target: { type: 'group', iri: 'https://example.com/g/none', name: 'G' } });
    const accepted = await usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null });
    expect(accepted.body.membership.role).toBeNull();
  });

  it('updates the role of an existing member instead of adding the member twice', async () => {
    const target = { type: 'project', iri: 'https://example.com/p/upgrade', name: 'Upgrade' };
    const first = await invite(usher, { recipient: { email: 'carol@example.com' }, target, role: 'viewer' });
    const granted = await usher.request('POST', `/v1/public/invitations/${first.token}/accept`, { key: null });
    usher.clock.advance(1_000);
    const second = await invite(usher, { recipient: { email: 'carol@example.com' }, target, role: 'admin' });
    const accepted = await usher.request('POST', `/v1/public/invitations/${second.token}/accept`, { key: null });
    expect(accepted.body.membership).toMatchObject({
      id: granted.body.membership.id,
      role: 'admin',
      invitationId: second.invitation.id,
      createdAt: granted.body.membership.createdAt,
    });
    expect(accepted.body.membership.updatedAt).not.toBe(granted.body.membership.updatedAt);
    // The answer is the membership as stored (on PostgreSQL the accept knew it without asking: accept-read.ts).
    const list = await usher.request('GET', `/v1/memberships?target=${encodeURIComponent(target.iri)}`);
    expect(list.body.data).toEqual([accepted.body.membership]);
  });

  it('asks who accepts an open link, then admits them by subject', async () => {
    const { token } = await invite(usher, { channel: 'link', recipient: undefined, usesAllowed: null });
    const anonymous = await usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null });
    problem(anonymous, 400, 'acceptor_required');
    const ok = await usher.request('POST', `/v1/public/invitations/${token}/accept`, {
      key: null,
      body: { subject: 'user-1' },
    });
    expect(ok.body.membership.member.key).toBe('subject:user-1');
    expect(ok.body.invitation.status).toBe('pending');
  });

  it('lets a 3-use link be accepted three times, then reports it exhausted', async () => {
    const { invitation, token } = await invite(usher, { channel: 'link', recipient: undefined, usesAllowed: 3 });
    for (const subject of ['a', 'b', 'c']) {
      expect(
        (await usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null, body: { subject } }))
          .status,
      ).toBe(200);
    }
    problem(
      await usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null, body: { subject: 'd' } }),
      410,
      'invitation_exhausted',
    );
    const stored = await usher.request('GET', `/v1/invitations/${invitation.id}`);
    expect(stored.body).toMatchObject({ status: 'exhausted', usesCount: 3 });
    const types = (await usher.request('GET', `/v1/invitations/${invitation.id}/events`)).body.data.map(
      (e: any) => e.type,
    );
    expect(types).toEqual([
      'invitation.created',
      'invitation.accepted',
      'invitation.accepted',
      'invitation.accepted',
      'invitation.exhausted',
    ]);
  });

  it('declines by the link, after which accepting is refused as declined', async () => {
    const { token } = await invite(usher);
    const declined = await usher.request('POST', `/v1/public/invitations/${token}/decline`, { key: null });
    expect(declined.body.status).toBe('declined');
    problem(
      await usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null }),
      410,
      'invitation_declined',
    );
    problem(
      await usher.request('POST', `/v1/public/invitations/${token}/decline`, { key: null }),
      410,
      'invitation_declined',
    );
  });

  it('refuses to decline a multi-use link so one person cannot close it for everyone', async () => {
    const { token } = await invite(usher, { channel: 'link', recipient: undefined, usesAllowed: 10 });
    problem(
      await usher.request('POST', `/v1/public/invitations/${token}/decline`, { key: null }),
      409,
      'invitation_multi_use',
    );
  });

  it('revokes: the link is gone, and revoking again is a conflict', async () => {
    const { invitation, token } = await invite(usher);
    const revoked = await usher.request('POST', `/v1/invitations/${invitation.id}/revoke`);
    expect(revoked.body.status).toBe('revoked');
    problem(
      await usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null }),
      410,
      'invitation_revoked',
    );
    const again = await usher.request('POST', `/v1/invitations/${invitation.id}/revoke`);
    problem(again, 409, 'invitation_not_pending');
    expect(again.body.invitationStatus).toBe('revoked');
    const view = await usher.request('GET', `/v1/public/invitations/${token}`, { key: null });
    expect(view.body.status).toBe('revoked');
  });

  it("declines on the invitee's behalf through the API", async () => {
    const { invitation } = await invite(usher);
    expect((await usher.request('POST', `/v1/invitations/${invitation.id}/decline`)).body.status).toBe('declined');
  });

  it('resends with a new link: the old one is dead and the expiry starts again', async () => {
    const { invitation, token } = await invite(usher);
    usher.clock.advance(3 * DAY);
    const resent = await usher.request('POST', `/v1/invitations/${invitation.id}/resend`);
    expect(resent.status).toBe(200);
    const newToken = tokenOf(resent.body.url);
    expect(newToken).not.toBe(token);
    expect(Date.parse(resent.body.expiresAt)).toBe(usher.clock.now().getTime() + 7 * DAY);
    problem(await usher.request('GET', `/v1/public/invitations/${token}`, { key: null }), 404, 'invitation_not_found');
    expect((await usher.request('POST', `/v1/public/invitations/${newToken}/accept`, { key: null })).status).toBe(200);
    problem(await usher.request('POST', `/v1/invitations/${invitation.id}/resend`), 409, 'invitation_not_pending');
  });

  it('expires at read time, refuses acceptance with 410, and the sweep stores it with an event', async () => {
    const { invitation, token } = await invite(usher, {
      expiresAt: new Date(usher.clock.now().getTime() + 60_000).toISOString(),
    });
    usher.clock.advance(61_000);
    expect((await usher.request('GET', `/v1/invitations/${invitation.id}`)).body.status).toBe('expired');
    expect((await usher.request('GET', `/v1/public/invitations/${token}`, { key: null })).body.status).toBe('expired');
    problem(
      await usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null }),
      410,
      'invitation_expired',
    );
    const listed = await usher.request('GET', `/v1/invitations?status=expired&limit=200`);
    expect(listed.body.data.map((i: any) => i.id)).toContain(invitation.id);
    const pendingIds = (await usher.request('GET', '/v1/invitations?status=pending&limit=200')).body.data.map(
      (i: any) => i.id,
    );
    expect(pendingIds).not.toContain(invitation.id);

    expect(await usher.invitations.sweepExpired()).toBeGreaterThanOrEqual(1);
    const events = (await usher.request('GET', `/v1/invitations/${invitation.id}/events`)).body.data;
    expect(events.at(-1)).toMatchObject({
      type: 'invitation.expired',
      previousStatus: 'pending',
      status: 'expired',
      actor: 'system',
    });
    expect(await usher.invitations.sweepExpired()).toBe(0);
  });

  it('refuses acceptance before the window opens with 409', async () => {
    const startsAt = new Date(usher.clock.now().getTime() + DAY).toISOString();
    const { invitation, token } = await invite(usher, { startsAt });
    expect(Date.parse(invitation.expiresAt)).toBe(Date.parse(startsAt) + 7 * DAY);
    problem(
      await usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null }),
      409,
      'invitation_not_yet_active',
    );
    expect((await usher.request('GET', `/v1/invitations/${invitation.id}`)).body.status).toBe('pending');
  });

  it('refuses a window that ends in the past or before it starts', async () => {
    const past = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', expiresAt: '2000-01-01T00:00:00Z' },
    });
    problem(past, 400, 'invalid_window');
    expect(past.body.field).toBe('body.expiresAt');
    const now = usher.clock.now().getTime();
    const inverted = await usher.request('POST', '/v1/invitations', {
      body: {
        channel: 'link',
        startsAt: new Date(now + 2 * DAY).toISOString(),
        expiresAt: new Date(now + DAY).toISOString(),
      },
    });
    problem(inverted, 400, 'invalid_window');
  });

  it('updates a pending invitation, and nothing once it is settled', async () => {
    const { invitation, token } = await invite(usher, { channel: 'link', recipient: undefined, usesAllowed: 5 });
    const expiresAt = new Date(usher.clock.now().getTime() + 30 * DAY).toISOString();
    const updated = await usher.request('PATCH', `/v1/invitations/${invitation.id}`, {
      body: {
        label: 'Spring',
        description: 'Spring cohort',
        purpose: 'spring',
        expiresAt,
        usesAllowed: 2,
        metadata: { cohort: 7 },
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      label: 'Spring',
      purpose: 'spring',
      usesAllowed: 2,
      metadata: { cohort: 7 },
      expiresAt,
    });
    await usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null, body: { subject: 'one' } });
    problem(
      await usher.request('PATCH', `/v1/invitations/${invitation.id}`, { body: { usesAllowed: 1 } }),
      409,
      'uses_allowed_below_used',
    );
    await usher.request('POST', `/v1/public/invitations/${token}/accept`, { key: null, body: { subject: 'two' } });
    problem(
      await usher.request('PATCH', `/v1/invitations/${invitation.id}`, { body: { label: 'late' } }),
      409,
      'invitation_not_pending',
    );
  });

  it('answers an unknown invitation with a 404 problem', async () => {
    problem(
      await usher.request('GET', '/v1/invitations/01900000-0000-7000-8000-000000000000'),
      404,
      'invitation_not_found',
    );
    problem(
      await usher.request('GET', `/v1/public/invitations/${'A'.repeat(43)}`, { key: null }),
      404,
      'invitation_not_found',
    );
    problem(await usher.request('GET', '/v1/public/invitations/short', { key: null }), 404, 'invitation_not_found');
  });

  it('refuses every tenant route without a valid key', async () => {
    problem(await usher.request('GET', '/v1/invitations', { key: null }), 401, 'unauthorized');
    problem(await usher.request('GET', '/v1/invitations', { key: 'usk_not-a-real-key' }), 401, 'unauthorized');
  });
});
