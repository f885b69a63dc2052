import { describe, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';
import { consoleBrowser as browser, csrfOf, signedInConsole } from '#support/console-browser';

describeEachStore('the operator console', (engine) => {
  const usher = useTestUsher(engine);

  const signedIn = (key = usher.tenant.apiKey.key) => signedInConsole(usher.app, key);

  it('sends visitors without a session to sign in, and refuses a wrong key', async () => {
    const b = browser(usher.app);
    const res = await b.get('/console/invitations');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/login?next=%2Fconsole%2Finvitations');
    const login = await b.get('/console/login');
    const wrong = await b.post('/console/login', { _csrf: csrfOf(await login.text()), key: 'usk_wrong' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('not valid');
  });

  it('signs in with an API key into an HttpOnly, SameSite session cookie', async () => {
    const b = browser(usher.app);
    const login = await b.get('/console/login');
    const res = await b.post('/console/login', { _csrf: csrfOf(await login.text()), key: usher.tenant.apiKey.key });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('usher_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect((await b.get('/console/invitations')).status).toBe(200);
  });

  it('refuses a sign-in form without its double-submit token', async () => {
    const b = browser(usher.app);
    const res = await b.post('/console/login', { key: usher.tenant.apiKey.key });
    expect(res.status).toBe(403);
  });

  it('creates an invitation, shows the link once with a QR code, and lists it', async () => {
    const { b, csrf } = await signedIn();
    const created = await b.post('/console/invitations', {
      _csrf: csrf,
      channel: 'link',
      'target.type': 'tenant',
      usesAllowed: '10',
      label: 'Poster link',
    });
    const html = await created.text();
    expect(created.status).toBe(200);
    expect(html).toMatch(/http:\/\/usher\.test\/i\/[A-Za-z0-9_-]{43}/);
    expect(html).toContain('<svg');
    const list = await (await b.get('/console/invitations?channel=link')).text();
    expect(list).toContain('Poster link');
  });

  it('filters the list as the API does: by target and created day', async () => {
    const { b } = await signedIn();
    await usher.request('POST', '/v1/invitations', {
      body: {
        channel: 'link',
        label: 'In Apollo',
        target: { type: 'project', iri: 'https://example.com/p/apollo', name: 'Apollo' },
      },
    });
    const today = usher.clock.now().toISOString().slice(0, 10);
    const byTarget = await (
      await b.get(`/console/invitations?target=${encodeURIComponent('https://example.com/p/apollo')}`)
    ).text();
    expect(byTarget).toContain('In Apollo');
    expect(byTarget).not.toContain('Poster link');
    expect(
      await (
        await b.get(
          `/console/invitations?from=${today}&to=${today}&target=${encodeURIComponent('https://example.com/p/apollo')}`,
        )
      ).text(),
    ).toContain('In Apollo');
    expect(await (await b.get(`/console/invitations?from=2000-01-01&to=2000-01-02`)).text()).toContain(
      'No invitation matches',
    );
  });

  it('refuses bad input with readable messages per field, and creates nothing', async () => {
    const { b, csrf } = await signedIn();
    const before = (await usher.request('GET', '/v1/invitations?limit=200')).body.data.length;
    const res = await b.post('/console/invitations', {
      _csrf: csrf,
      channel: 'email',
      'recipient.email': 'not-an-email',
      'target.type': 'project',
      'target.iri': 'nope',
    });
    const html = await res.text();
    expect(res.status).toBe(400);
    expect(html).toContain('id="f-recipient-email-error"');
    expect(html).toContain('id="f-target-iri-error"');
    expect(html).toContain('aria-invalid="true"');
    expect((await usher.request('GET', '/v1/invitations?limit=200')).body.data.length).toBe(before);
  });

  it('refuses a form post without the CSRF token and changes nothing', async () => {
    const { b } = await signedIn();
    const before = (await usher.request('GET', '/v1/invitations?limit=200')).body.data.length;
    const res = await b.post('/console/invitations', { channel: 'link' });
    expect(res.status).toBe(403);
    expect((await b.post('/console/invitations', { _csrf: 'forged', channel: 'link' })).status).toBe(403);
    expect((await usher.request('GET', '/v1/invitations?limit=200')).body.data.length).toBe(before);
  });

  it('shows an invitation with its timeline, revokes it, and the funnel counts it', async () => {
    const { b, csrf } = await signedIn();
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'console@example.com' } },
    });
    await usher.worker.runOnce();
    const detail = await (await b.get(`/console/invitations/${created.body.id}`)).text();
    expect(detail).toContain('console@example.com');
    expect(detail).toContain('created');
    expect(detail).toContain('email.invitation');
    const revoked = await b.post(`/console/invitations/${created.body.id}/revoke`, { _csrf: csrf });
    expect(revoked.status).toBe(303);
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body.status).toBe('revoked');
    const funnel = await (await b.get('/console/funnel?days=7')).text();
    expect(funnel).toContain('Delivered');
  });

  it('shows who invited in the list and on the detail page', async () => {
    const { b } = await signedIn();
    const invitedBy = { id: 'u-7', name: 'Ada Lovelace', email: 'ada@example.com' };
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'console-ada@example.com' }, invitedBy },
    });
    expect(await (await b.get('/console/invitations')).text()).toContain('invited by Ada Lovelace');
    const detail = await (await b.get(`/console/invitations/${created.body.id}`)).text();
    expect(detail).toContain('Ada Lovelace &lt;ada@example.com&gt; (id u-7)');
  });

  it('ends the session on sign-out', async () => {
    const { b, csrf } = await signedIn();
    await b.post('/console/logout', { _csrf: csrf });
    expect((await b.get('/console/invitations')).status).toBe(303);
  });

  describe('a session has the rights of its key', () => {
    const keyWith = async (body: Record<string, unknown>) =>
      (await usher.request('POST', '/v1/api-keys', { body })).body.key as string;
    const count = async () => (await usher.request('GET', '/v1/invitations?limit=100')).body.data.length as number;

    it('hides what a read-only key cannot do, and refuses a forged POST with 403', async () => {
      const { b, csrf } = await signedIn(await keyWith({ name: 'console reader', scopes: ['invitations:read'] }));
      const list = await (await b.get('/console/invitations')).text();
      expect(list).toContain('<h1>Invitations</h1>');
      expect(list).not.toContain('New invitation');
      expect(list).not.toContain('href="/console/keys"');
      expect(list).not.toContain('href="/console/settings"');
      const before = await count();
      const forged = await b.post('/console/invitations', { _csrf: csrf, channel: 'link', 'target.type': 'tenant' });
      expect(forged.status).toBe(403);
      expect(await forged.text()).toContain('invitations:write');
      expect(await count()).toBe(before);
      expect((await b.get('/console/keys')).status).toBe(403);
      expect((await b.post('/console/keys', { _csrf: csrf, name: 'escalate' })).status).toBe(403);
    });

    it('lists pending join requests, decides them as the session, and hides the buttons or the page by scope', async () => {
      const link = await usher.request('POST', '/v1/invitations', {
        body: { channel: 'link', usesAllowed: 5, purpose: 'Book club door', requireApproval: true },
      });
      expect(link.status, JSON.stringify(link.body)).toBe(201);
      const ask = async (body: Record<string, string>) => {
        const url = `/v1/public/invitations/${tokenOf(link.body.url)}/accept`;
        const res = await usher.request('POST', url, { key: null, body });
        expect(res.status, JSON.stringify(res.body)).toBe(202);
        return res.body.joinRequest.id as string;
      };
      const ann = await ask({ email: 'ann@example.com', name: 'Ann Asker' });
      const bob = await ask({ did: 'did:example:bob', subject: 'user-42' });

      const reader = await signedIn(await keyWith({ name: 'join reader', scopes: ['invitations:read'] }));
      const seen = await (await reader.b.get('/console/join-requests')).text();
      expect(seen).toContain('href="/console/join-requests"');
      expect(seen).toContain('Ann Asker');
      expect(seen).toContain('did:example:bob');
      expect(seen).toContain('subject user-42');
      expect(seen).toContain('Book club door');
      expect(seen).not.toContain(`/console/join-requests/${ann}/approve`);
      const forged = await reader.b.post(`/console/join-requests/${ann}/approve`, { _csrf: reader.csrf });
      expect(forged.status).toBe(403);
      expect(await forged.text()).toContain('invitations:write');
      const other = await signedIn(await keyWith({ name: 'hooks only', scopes: ['webhooks:manage'] }));
      expect(await (await other.b.get('/console/webhooks')).text()).not.toContain('href="/console/join-requests"');
      expect((await other.b.get('/console/join-requests')).status).toBe(403);

      const { b, csrf } = await signedIn();
      const list = await (await b.get('/console/join-requests')).text();
      expect(list).toContain(`/console/join-requests/${ann}/approve`);
      const approved = await b.post(`/console/join-requests/${ann}/approve`, { _csrf: csrf });
      expect(approved.status).toBe(303);
      const declined = await b.post(`/console/join-requests/${bob}/decline`, { _csrf: csrf, reason: 'Members only' });
      expect(declined.status).toBe(303);
      expect((await usher.request('GET', `/v1/join-requests/${ann}`)).body).toMatchObject({ status: 'approved' });
      expect((await usher.request('GET', `/v1/join-requests/${bob}`)).body).toMatchObject({
        status: 'declined',
        reason: 'Members only',
      });
      expect((await usher.request('GET', `/v1/invitations/${link.body.id}`)).body).toMatchObject({ usesCount: 1 });
      const again = await b.post(`/console/join-requests/${ann}/decline`, { _csrf: csrf });
      expect(again.status).toBe(409);
      expect(await again.text()).toContain('approved');
      expect(await (await b.get('/console/join-requests')).text()).toContain('No pending join requests');
      const decided = await (await b.get('/console/join-requests?status=declined')).text();
      expect(decided).toContain('Members only');
      expect(decided).not.toContain('Ann Asker');

      const audit = await usher.request('GET', '/v1/audit-events');
      const decisions = audit.body.data.filter((e: { action: string }) => e.action === 'join_request.decided');
      expect(decisions.map((e: { subjectId: string; actor: { surface: string } }) => [e.subjectId, e.actor])).toEqual([
        [bob, expect.objectContaining({ keyId: usher.tenant.apiKey.id, surface: 'console' })],
        [ann, expect.objectContaining({ keyId: usher.tenant.apiKey.id, surface: 'console' })],
      ]);
    });

    it("lets a key manager make narrower keys only, and shows each key's rights", async () => {
      const { b, csrf } = await signedIn(
        await keyWith({
          name: 'console keys',
          scopes: ['keys:manage', 'invitations:read'],
          grantableRoles: ['member'],
        }),
      );
      const form = await (await b.get('/console/keys/new')).text();
      expect(form).toContain('value="keys:manage"');
      expect(form).not.toContain('value="webhooks:manage"');
      const wider = await b.post('/console/keys', {
        _csrf: csrf,
        name: 'wider',
        scopes: 'webhooks:manage',
        grantableRoles: 'member',
      });
      expect(wider.status).toBe(403);
      expect(await wider.text()).toContain('webhooks:manage');
      const made = await b.post('/console/keys', {
        _csrf: csrf,
        name: 'narrow',
        scopes: 'invitations:read',
        grantableRoles: 'member',
      });
      expect(made.status).toBe(200);
      const keys = await (await b.get('/console/keys')).text();
      expect(keys).toMatch(/narrow<\/td><td class="mono">[^<]+<\/td><td>invitations:read<\/td><td>member<\/td>/);
    });
  });
});

describeEachStore('answering an invitation another server sent, in the console', (engine) => {
  const usher = useTestUsher(engine);

  it('offers Accept, Maybe and Decline on an incoming invitation, and the answer is queued for its channel', async () => {
    const incoming = await usher.store.db.transaction().execute((trx) =>
      usher.invitations.recordIncoming(
        trx,
        {
          tenantId: usher.tenant.tenant.id,
          identityId: usher.tenant.identity.id,
          channel: 'activitypub',
          from: { actorIri: 'https://remote.example/users/yorre', name: 'Yorre' },
          target: { type: 'project', iri: 'https://remote.example/projects/1', name: 'Remote project' },
          payload: JSON.stringify({
            id: 'https://remote.example/invites/1',
            type: 'Invite',
            actor: 'https://remote.example/users/yorre',
          }),
        },
        { kind: 'remote', iri: 'https://remote.example/users/yorre' },
        false,
      ),
    );
    const b = browser(usher.app);
    const login = await b.get('/console/login');
    await b.post('/console/login', { _csrf: csrfOf(await login.text()), key: usher.tenant.apiKey.key });
    const detail = await (await b.get(`/console/invitations/${incoming.id}`)).text();
    for (const label of ['>Accept<', '>Maybe<', '>Decline<']) expect(detail).toContain(label);
    expect(detail).not.toContain('Revoke');

    const maybe = await b.post(`/console/invitations/${incoming.id}/answer`, {
      _csrf: csrfOf(detail),
      answer: 'tentative',
    });
    expect(maybe.status).toBe(303);
    const after = await (await b.get(`/console/invitations/${incoming.id}`)).text();
    expect(after).not.toContain('>Maybe<');
    expect(
      (await b.post(`/console/invitations/${incoming.id}/answer`, { _csrf: csrfOf(after), answer: 'accept' })).status,
    ).toBe(303);
    expect((await usher.request('GET', `/v1/invitations/${incoming.id}`)).body.status).toBe('accepted');
    // The TentativeAccept and the Accept wait in the outbox for the remote server.
    const queued = await usher.store.db
      .selectFrom('outbox')
      .select(['topic', 'payload'])
      .where('invitation_id', '=', incoming.id)
      .execute();
    expect(queued.map((row) => JSON.parse(row.payload).activity.type).sort()).toEqual(['Accept', 'TentativeAccept']);
    // Without the session's CSRF token, nothing is answered.
    expect((await b.post(`/console/invitations/${incoming.id}/answer`, { answer: 'decline' })).status).toBe(403);
  });
});
