import { Hono } from 'hono';
import { unrestrictedRights } from '#common/rights';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWebhookPinger } from '#delivery/webhooks/ping';
import { createWebhookHandler } from '#delivery/webhooks/webhook-handler';
import { PUBLIC_URL, tokenOf, useTestUsher } from '#support/usher';
import type { ConsoleDeps } from './deps';
import { createLinkPages } from './link-pages';
import type { ConsoleEnv } from './middleware';

describe('the console link routes: reset with confirmation, QR downloads', () => {
  const usher = useTestUsher('sqlite');
  let app: Hono<ConsoleEnv>;

  beforeAll(() => {
    const { db } = usher.store;
    const pinger = createWebhookPinger({
      db,
      clock: usher.clock,
      handler: createWebhookHandler({ db, clock: usher.clock, allowPrivateNetwork: true }),
    });
    const deps: ConsoleDeps = {
      db,
      clock: usher.clock,
      publicUrl: PUBLIC_URL,
      invitations: usher.invitations,
      pinger,
      allowPrivateNetwork: true,
    };
    app = new Hono<ConsoleEnv>();
    // The session guard and CSRF check are tested elsewhere; here the session is simply there.
    app.use('/console/*', async (c, next) => {
      c.set('session', {
        tenantId: usher.tenant.tenant.id,
        apiKeyId: usher.tenant.apiKey.id,
        operator: false,
        rights: unrestrictedRights(),
        csrfToken: 't',
      });
      await next();
    });
    app.route('/', createLinkPages(deps));
  });

  const post = (path: string, fields: Record<string, string>) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: 't', ...fields }).toString(),
    });
  const opens = async (url: string) =>
    (await usher.request('GET', `/v1/public/invitations/${tokenOf(url)}`, { key: null })).status;

  it('resets nothing without the confirmation, and moves to a new link with it', async () => {
    const created = (await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } })).body;
    const refused = await post(`/console/invitations/${created.id}/reset-link`, {});
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Confirm that the current link stops working');
    expect(await opens(created.url)).toBe(200);
    const reset = await post(`/console/invitations/${created.id}/reset-link`, { confirm: 'yes' });
    expect(reset.status).toBe(303);
    expect(await opens(created.url)).toBe(404);
    expect(await opens((await usher.request('GET', `/v1/invitations/${created.id}`)).body.url)).toBe(200);
  });

  it('downloads the QR code as an attachment, and says why when there is no live link', async () => {
    const created = (await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } })).body;
    const svg = await app.request(`/console/invitations/${created.id}/qr.svg`);
    expect(svg.headers.get('content-disposition')).toBe(`attachment; filename="invitation-${created.id}.svg"`);
    expect(await svg.text()).toMatch(/^<svg /);
    await usher.request('POST', `/v1/invitations/${created.id}/revoke`);
    const gone = await app.request(`/console/invitations/${created.id}/qr.png`);
    expect(gone.status).toBe(409);
    expect(await gone.text()).toContain('no longer open');
  });
});
