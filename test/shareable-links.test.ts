import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUsher } from '#usher';
import { hashSecret, newSecret } from '#common/secrets';
import { createSmtpMailer } from '#delivery';
import { describeEachStore } from '#support/stores';
import { startSmtpServer, type TestSmtpServer } from '#support/smtp';
import { expectedModules, modulesOfPng, modulesOfSvg } from '#support/qr';
import { PUBLIC_URL, tokenOf, useTestUsher, type TestUsher } from '#support/usher';

const LINK = /http:\/\/usher\.test\/i\/[A-Za-z0-9_-]{43}/;

/** The accept page's answer for a link: its status and whether it shows the invitation (not a state page). */
async function openPage(usher: TestUsher, url: string): Promise<{ status: number; text: string }> {
  const response = await usher.request('GET', new URL(url).pathname, { key: null });
  return { status: response.status, text: String(response.body) };
}

describeEachStore('shareable links: one live link per invitation, derived from the server secret', (engine) => {
  const smtp = {} as { server: TestSmtpServer };
  beforeAll(async () => {
    smtp.server = await startSmtpServer();
  });
  afterAll(async () => smtp.server.close());
  const usher = useTestUsher(engine, { mailer: () => createSmtpMailer(smtp.server.url, { maxConnections: 2 }) });
  const drain = async () => {
    while ((await usher.worker.runOnce()) > 0) {
      // until nothing is due
    }
  };
  /** A second server on the same data with its own secret (a copy of the file, or a process configured apart). */
  const serverWithAnotherSecret = () =>
    createUsher({
      db: usher.store.db,
      engine: usher.engine,
      clock: usher.clock,
      publicUrl: PUBLIC_URL,
      version: 'test',
      mailer: createSmtpMailer(smtp.server.url),
      fromAddress: 'no-reply@usher.test',
      allowPrivateNetwork: true,
      logError: (error) => console.error(error),
      linkSecret: newSecret(),
    });
  const linksTo = (address: string) =>
    smtp.server.received.filter((m) => m.envelopeTo.includes(address)).map((m) => LINK.exec(m.parsed.text ?? '')?.[0]);

  it('shows a link invitation its URL again, and reset-link moves it on, killing the old one at once', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed: null, label: 'Poster' },
    });
    expect(created.body.url).toMatch(LINK);
    const shown = await usher.request('GET', `/v1/invitations/${created.body.id}`);
    expect(shown.body).toMatchObject({ url: created.body.url, urlUnavailable: null, invitationUrl: null });
    // Opening the page twice consumes nothing.
    expect((await openPage(usher, created.body.url)).status).toBe(200);
    expect((await openPage(usher, created.body.url)).status).toBe(200);
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body).toMatchObject({
      status: 'pending',
      usesCount: 0,
    });

    const reset = await usher.request('POST', `/v1/invitations/${created.body.id}/reset-link`);
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body.url).toMatch(LINK);
    expect(reset.body.url).not.toBe(created.body.url);
    expect((await openPage(usher, created.body.url)).status).toBe(404);
    expect((await openPage(usher, reset.body.url)).status).toBe(200);
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body.url).toBe(reset.body.url);
    const events = (await usher.request('GET', `/v1/invitations/${created.body.id}/events`)).body.data;
    expect(events.at(-1)).toMatchObject({ type: 'invitation.updated', data: { fields: ['link'] } });
    const accepted = await usher.request('POST', `/v1/public/invitations/${tokenOf(reset.body.url)}/accept`, {
      key: null,
      body: { subject: 'visitor-1' },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  });

  it('refuses to resend a link invitation (no one to send to) and to reset a closed one', async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
    const resent = await usher.request('POST', `/v1/invitations/${created.body.id}/resend`);
    expect(resent.status).toBe(409);
    expect(resent.body).toMatchObject({ code: 'link_needs_no_resend', field: 'path.id' });
    await usher.request('POST', `/v1/invitations/${created.body.id}/revoke`);
    const reset = await usher.request('POST', `/v1/invitations/${created.body.id}/reset-link`);
    expect(reset.status).toBe(409);
    expect(reset.body.code).toBe('invitation_not_pending');
    expect(reset.headers.get('content-type')).toContain('application/problem+json');
    // Revoked: no URL for the operator, and the link itself still shows the revoked page.
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body).toMatchObject({
      url: null,
      urlUnavailable: 'not_pending',
    });
    expect((await openPage(usher, created.body.url)).status).toBe(410);
    const qr = await usher.request('GET', `/v1/invitations/${created.body.id}/qr.png`);
    expect(qr.status).toBe(410);
    expect(qr.body.code).toBe('link_gone');
  });

  it('draws the live URL as a PNG and an SVG QR code, module for module', async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
    const expected = expectedModules(created.body.url);
    const png = await usher.app.request(`/v1/invitations/${created.body.id}/qr.png?size=300`, {
      headers: { authorization: `Bearer ${usher.tenant.apiKey.key}` },
    });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const read = modulesOfPng(bytes, expected.size);
    expect(read.width).toBe(read.height);
    expect(read.width).toBeGreaterThan(300 - (expected.size + 2));
    expect(read.width).toBeLessThanOrEqual(300);
    expect(read.dark).toEqual(expected.dark);

    const svg = await usher.app.request(`/v1/invitations/${created.body.id}/qr.svg`, {
      headers: { authorization: `Bearer ${usher.tenant.apiKey.key}` },
    });
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    const text = await svg.text();
    expect(text).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="512" height="512" [^>]*>.*<\/svg>\s*$/s,
    );
    const drawn = modulesOfSvg(text, expected.size);
    expect(drawn.viewBox).toBe(`0 0 ${expected.size + 2} ${expected.size + 2}`);
    expect(drawn.dark).toEqual(expected.dark);

    for (const size of ['10', '5000', 'big']) {
      const refused = await usher.request('GET', `/v1/invitations/${created.body.id}/qr.png?size=${size}`);
      expect(refused.status, size).toBe(400);
      expect(refused.body.field).toBe('query.size');
    }
    const didcomm = await usher.request('POST', '/v1/invitations', { body: { channel: 'didcomm' } });
    expect(didcomm.status, JSON.stringify(didcomm.body)).toBe(201);
    expect((await usher.request('GET', `/v1/invitations/${didcomm.body.id}/qr.svg`)).body.code).toBe(
      'link_channel_only',
    );
  });

  it('mails the same URL the create response showed, in the invitation and its reminder; resend moves it on', async () => {
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { reminderBeforeExpirySeconds: 86_400 } } });
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'same-link@example.com' } },
    });
    await drain();
    usher.clock.advance(6 * 86_400_000 + 60_000);
    await drain();
    expect(linksTo('same-link@example.com')).toEqual([created.body.url, created.body.url]);
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body.url).toBe(created.body.url);

    const resent = await usher.request('POST', `/v1/invitations/${created.body.id}/resend`);
    await drain();
    expect(resent.body.url).not.toBe(created.body.url);
    expect(linksTo('same-link@example.com')).toEqual([created.body.url, created.body.url, resent.body.url]);
    expect((await openPage(usher, created.body.url)).status).toBe(404);
    expect((await openPage(usher, resent.body.url)).status).toBe(200);
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { reminderBeforeExpirySeconds: null } } });
  });

  it('opens nothing from the database alone: another secret cannot show the URL, only a presented token opens', async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
    // What a copy of the database holds about this invitation's link: a hash, a generation, a fingerprint.
    const rows = await usher.store.db
      .selectFrom('invitation_tokens')
      .selectAll()
      .where('invitation_id', '=', created.body.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(tokenOf(created.body.url));
    for (const row of rows) {
      for (const guess of [
        row.token_hash,
        row.token_hash.slice(0, 43),
        row.secret_id!,
        Buffer.from(row.token_hash, 'hex').toString('base64url').slice(0, 43),
      ]) {
        expect((await usher.request('GET', `/i/${guess}`, { key: null })).status, guess).toBe(404);
      }
    }

    const other = serverWithAnotherSecret();
    const auth = { authorization: `Bearer ${usher.tenant.apiKey.key}` };
    const seen = await other.app.request(`/v1/invitations/${created.body.id}`, { headers: auth });
    expect(await seen.json()).toMatchObject({ url: null, urlUnavailable: 'secret_changed' });
    const qr = await other.app.request(`/v1/invitations/${created.body.id}/qr.svg`, { headers: auth });
    expect(qr.status).toBe(409);
    expect(await qr.json()).toMatchObject({ code: 'link_unrecoverable', urlUnavailable: 'secret_changed' });
    // The token itself, presented, still opens the page there: the lookup is by its hash.
    expect((await other.app.request(new URL(created.body.url).pathname)).status).toBe(200);

    // Reset on the other server fixes it there; the first now says honestly that it cannot recompute.
    const reset = await other.app.request(`/v1/invitations/${created.body.id}/reset-link`, {
      method: 'POST',
      headers: auth,
    });
    const { url } = (await reset.json()) as { url: string };
    const recovered = await other.app.request(`/v1/invitations/${created.body.id}`, { headers: auth });
    expect(((await recovered.json()) as { url: string }).url).toBe(url);
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body).toMatchObject({
      url: null,
      urlUnavailable: 'secret_changed',
    });
    expect((await openPage(usher, url)).status).toBe(200);
    expect((await openPage(usher, created.body.url)).status).toBe(404);
  });

  it('mails no link a worker with another secret would get wrong: the email fails, saying why', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'other-secret@example.com' } },
    });
    const other = serverWithAnotherSecret();
    while ((await other.worker.runOnce()) > 0) {
      // until nothing is due
    }
    expect(linksTo('other-secret@example.com')).toEqual([]);
    const state = (await usher.request('GET', `/v1/invitations/${created.body.id}`)).body.delivery.email;
    expect(state).toMatchObject({ state: 'failed', reason: expect.stringContaining('another link secret') });
  });

  it('says a link minted before derived links cannot be shown, mails a derived one, and keeps the old one working', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'from-before@example.com' } },
    });
    // As migration 0017 leaves a row written before it: a random token's hash, no generation, no secret fingerprint.
    const oldToken = newSecret();
    await usher.store.db
      .updateTable('invitation_tokens')
      .set({ token_hash: hashSecret(oldToken), generation: null, secret_id: null })
      .where('invitation_id', '=', created.body.id)
      .execute();
    const oldUrl = `${PUBLIC_URL}/i/${oldToken}`;
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body).toMatchObject({
      url: null,
      urlUnavailable: 'minted_before_recovery',
    });
    await drain();
    const [mailed] = linksTo('from-before@example.com');
    expect(mailed).toMatch(LINK);
    expect(mailed).not.toBe(oldUrl);
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body).toMatchObject({
      url: mailed,
      urlUnavailable: null,
    });
    // The old link went out before the upgrade: it keeps working beside the new one until a reset.
    expect((await openPage(usher, oldUrl)).status).toBe(200);
    expect((await openPage(usher, mailed!)).status).toBe(200);
    await usher.request('POST', `/v1/invitations/${created.body.id}/reset-link`);
    expect((await openPage(usher, oldUrl)).status).toBe(404);
  });
});
