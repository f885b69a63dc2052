import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';

const DAY = 86_400_000;

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describeEachStore('the page behind an invitation link', (engine) => {
  const usher = useTestUsher(engine);

  it('shows inviter, target, role, message and expiry, and opening it changes nothing', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: {
        recipient: { email: 'page@example.com' },
        role: 'editor',
        message: 'See you <there>',
        target: { type: 'project', iri: 'https://example.com/p/web', name: 'Web' },
      },
    });
    const path = `/i/${tokenOf(created.body.url)}`;
    const page = await usher.app.request(path, { headers: { 'accept-language': 'fr-FR,fr;q=0.9' } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Acme invites you to join Web as editor');
    expect(html).toContain('See you &lt;there&gt;');
    expect(html).toContain('p***@example.com');
    expect(html).toMatch(/Valid until \d+ \S+ \d{4}/); // French long date, e.g. "29 novembre 2026"
    expect(html).toContain('<html lang="fr-FR">');
    expect(html).toContain(`action="${path}/accept"`);
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body.status).toBe('pending');
  });

  it('accepts and declines by POST, and then shows where the invitation stands', async () => {
    const first = await usher.request('POST', '/v1/invitations', { body: { recipient: { email: 'yes@example.com' } } });
    const accepted = await usher.app.request(`/i/${tokenOf(first.body.url)}/accept`, form({}));
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toContain('You are in');
    const again = await usher.app.request(`/i/${tokenOf(first.body.url)}`);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('Already accepted');

    const second = await usher.request('POST', '/v1/invitations', { body: { recipient: { email: 'no@example.com' } } });
    const declined = await usher.app.request(`/i/${tokenOf(second.body.url)}/decline`, form({}));
    expect(await declined.text()).toContain('You declined this invitation');
    expect((await usher.request('GET', `/v1/invitations/${second.body.id}`)).body.status).toBe('declined');
  });

  it("asks an open link's visitor who they are before admitting them", async () => {
    const link = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', usesAllowed: null } });
    const path = `/i/${tokenOf(link.body.url)}`;
    expect(await (await usher.app.request(path)).text()).toContain('name="email"');
    const missing = await usher.app.request(`${path}/accept`, form({}));
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('Please give your email address');
    const ok = await usher.app.request(`${path}/accept`, form({ name: 'Dee', email: 'dee@example.com' }));
    expect(ok.status).toBe(200);
    const members = (await usher.request('GET', '/v1/memberships?limit=200')).body.data;
    expect(members.some((m: any) => m.member.key === 'email:dee@example.com' && m.member.name === 'Dee')).toBe(true);
  });

  it('shows the same neutral page for an unknown link, whatever it looks like', async () => {
    for (const token of ['nope', 'A'.repeat(43)]) {
      const res = await usher.app.request(`/i/${token}`);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain('This invitation link is not valid');
    }
  });
});

describeEachStore("the accept page's extras", (engine) => {
  const usher = useTestUsher(engine);

  it('shows a QR code of a shareable link, and none for an email invitation', async () => {
    const link = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', usesAllowed: null } });
    expect(await (await usher.app.request(`/i/${tokenOf(link.body.url)}`)).text()).toContain('<svg');
    const email = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'noqr@example.com' } },
    });
    expect(await (await usher.app.request(`/i/${tokenOf(email.body.url)}`)).text()).not.toContain('<svg');
  });

  it('says a link needs approval before the visitor asks, and the view says so too', async () => {
    const link = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed: 5, requireApproval: true },
    });
    const token = tokenOf(link.body.url);
    const html = await (await usher.app.request(`/i/${token}`)).text();
    expect(html).toContain('Joining needs approval: your request goes to Acme');
    expect(html).toContain('Ask to join');
    const view = await usher.request('GET', `/v1/public/invitations/${token}`, { key: null });
    expect(view.body).toMatchObject({ requireApproval: true, recipientDid: null });
  });

  it('sends the holder of a DID-bound invitation to their agent instead of a form that can only fail', async () => {
    const did = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    const bound = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed: 1, recipient: { did } },
    });
    expect(bound.status, JSON.stringify(bound.body)).toBe(201);
    const path = `/i/${tokenOf(bound.body.url)}`;
    const html = await (await usher.app.request(path)).text();
    expect(html).toContain(`This invitation is for the holder of <code>${did}</code>`);
    expect(html).not.toContain(`action="${path}/accept"`);
    expect(html).not.toContain('name="email"');
    expect(html).toContain(`action="${path}/decline"`);
    // A forged form post is told the same, on the page, and admits no one.
    const forged = await usher.app.request(`${path}/accept`, form({ email: 'x@example.com' }));
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('accept it from your agent or wallet');
    expect((await usher.request('GET', `/v1/invitations/${bound.body.id}`)).body.status).toBe('pending');
  });

  it('says when an invitation opens instead of offering a button that would refuse', async () => {
    const startsAt = new Date(usher.clock.now().getTime() + 86_400_000).toISOString();
    const later = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'soon@example.com' }, startsAt },
    });
    const html = await (await usher.app.request(`/i/${tokenOf(later.body.url)}`)).text();
    expect(html).toContain('This invitation opens on');
    expect(html).not.toContain('action="/i/');
  });
});

describeEachStore('the accept page names who invites and what the invitee can do', (engine) => {
  const usher = useTestUsher(engine);
  const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };

  it("says the host application's user invites, and after accepting names what was joined and what comes next", async () => {
    const target = { type: 'project', iri: 'https://example.com/p/apollo', name: 'Apollo' };
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'ada-page@example.com' }, invitedBy: ADA, target, role: 'editor' },
    });
    const path = `/i/${tokenOf(created.body.url)}`;
    expect(await (await usher.app.request(path)).text()).toContain('Ada Lovelace invites you to join Apollo as editor');
    const accepted = await (await usher.app.request(`${path}/accept`, form({}))).text();
    expect(accepted).toContain('You joined Apollo at Acme as editor.');
    expect(accepted).toContain('you can close this page');
  });

  it('names the tenant and the sender on a used link, with a mailto: on an invitation mailed to one person', async () => {
    const mailed = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'ada-state@example.com' }, invitedBy: ADA },
    });
    await usher.request('POST', `/v1/invitations/${mailed.body.id}/revoke`);
    const revoked = await usher.app.request(`/i/${tokenOf(mailed.body.url)}`);
    expect(revoked.status).toBe(410);
    const html = await revoked.text();
    expect(html).toContain('Invitation withdrawn');
    expect(html).toContain('Invitation from Ada Lovelace at Acme.');
    expect(html).toContain('If you think this is a mistake, ask Ada Lovelace.');
    expect(html).toContain('href="mailto:ada@example.com?subject=A%20new%20invitation%20to%20Acme"');
    // The same on a refused POST, which used to know nothing of the invitation.
    const refused = await (await usher.app.request(`/i/${tokenOf(mailed.body.url)}/accept`, form({}))).text();
    expect(refused).toContain('Invitation from Ada Lovelace at Acme.');

    const shared = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed: 1, invitedBy: ADA },
    });
    await usher.request('POST', `/v1/invitations/${shared.body.id}/revoke`);
    const open = await (await usher.app.request(`/i/${tokenOf(shared.body.url)}`)).text();
    expect(open).toContain('ask Ada Lovelace');
    expect(open).not.toContain('mailto:');
  });

  it('names the identity when no sender was given, and nobody on an unknown link', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'exp-state@example.com' } },
    });
    usher.clock.advance(8 * DAY);
    const expired = await (await usher.app.request(`/i/${tokenOf(created.body.url)}`)).text();
    expect(expired).toContain('Invitation expired');
    expect(expired).toContain('Ask Acme for a new invitation.');
    const unknown = await (await usher.app.request('/i/not-a-link')).text();
    expect(unknown).toContain('Ask the person who sent it to you for a new link.');
    expect(unknown).not.toContain('Acme');
  });
});
