import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  describeWithBrowser,
  expectNoAxeViolations,
  launchBrowser,
  screenshot,
  viewports,
  type ViewportName,
} from '#support/browser';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';

afterAll(stopAllUshers);

/** Serves `html` at the root of another origin (another port on 127.0.0.1) until `close`. */
async function serveOtherOrigin(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describeWithBrowser('security headers in Chromium: the pages work under their policies and cannot be framed', () => {
  let scratch: ScratchDatabase;
  let usher: RunningUsher;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // No SMTP: invitation emails land in the mailbox, whose console page shows them in a sandboxed frame.
    [scratch, browser] = await Promise.all([createScratchDatabase('sqlite'), launchBrowser()]);
    usher = await startUsher({ databaseUrl: scratch.url, env: { USHER_ALLOW_PRIVATE_NETWORK: 'false' } });
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await usher?.stop();
    await scratch?.drop();
  });

  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${usher.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  }

  /** A page that records every CSP violation it meets, as events and as console errors. */
  async function watchedPage(viewport: ViewportName = 'desktop'): Promise<{ page: Page; violations: string[] }> {
    const context = await browser.newContext({ ...viewports[viewport], baseURL: usher.url, locale: 'en-US' });
    contexts.push(context);
    const violations: string[] = [];
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: usher.url });
    await context.exposeBinding('reportViolation', (_source, text: string) => violations.push(text));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) =>
        (window as unknown as { reportViolation(text: string): void }).reportViolation(
          `${event.violatedDirective} ${event.blockedURI}`,
        ),
      );
    });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    return { page, violations };
  }

  it('runs the accept page, with a logo from another https origin and a QR code, with no CSP violation', async () => {
    await api('PATCH', '/v1/tenant', {
      settings: { branding: { logoUrl: 'https://logo.example/acme.png', color: '#0f766e' } },
    });
    const created = await api('POST', '/v1/invitations', { channel: 'link' });
    // The open form (name, email), the logo and the QR code: held to axe-core too, under the policy, on both screens.
    const phone = await watchedPage('phone');
    await phone.page.goto(created.url);
    await screenshot(phone.page, 'accept-open-link-phone');
    await expectNoAxeViolations(phone.page, 'accept-open-link-phone');
    expect(phone.violations).toEqual([]);
    const { page, violations } = await watchedPage();
    const opened = await page.goto(created.url);
    expect(opened?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.locator('.qr svg').waitFor();
    // The stylesheet applied: the brand bar has the tenant's colour.
    expect(await page.locator('.bar').evaluate((bar) => getComputedStyle(bar).backgroundColor)).toBe(
      'rgb(15, 118, 110)',
    );
    expect(await page.locator('img.logo').getAttribute('src')).toBe('https://logo.example/acme.png');
    await screenshot(page, 'accept-open-link-desktop');
    await expectNoAxeViolations(page, 'accept-open-link-desktop');
    await page.getByLabel('Your email').fill('ann@example.com');
    await Promise.all([page.waitForURL(/\/accept$/), page.getByRole('button', { name: 'Accept' }).click()]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('You are in');
    expect(violations).toEqual([]);
  });

  it('runs the console: its copy button, the funnel and the mailbox, with no CSP violation', async () => {
    await api('POST', '/v1/invitations', { recipient: { email: 'mia@example.com' } });
    const { page, violations } = await watchedPage();
    await page.goto('/console/invitations');
    await page.getByLabel('API key').fill(TEST_BOOTSTRAP_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Invitations' }).waitFor();

    await page.goto('/console/invitations/new');
    await page.getByLabel('Channel').selectOption('link');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    await page.getByRole('heading', { name: 'Invitation created' }).waitFor();
    // The inline script, allowed by its hash, ran: the button copied the link.
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/\/i\/[A-Za-z0-9_-]{43}$/);

    await page.goto('/console/funnel');
    await page.getByRole('heading', { name: 'Funnel' }).waitFor();

    const deadline = Date.now() + 10_000;
    let mail: any[] = [];
    while (mail.length === 0 && Date.now() < deadline) {
      mail = (await api('GET', '/v1/mailbox')).data;
      if (mail.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await page.goto(`/console/mailbox/${mail[0].id}`);
    const frame = page.frameLocator('iframe[sandbox]');
    await frame.getByText('mia@example.com').or(frame.getByRole('link').first()).first().waitFor();
    // The email itself is checked in its frame, as its recipients' mail clients would show it.
    await screenshot(page, 'console-mailbox-message-desktop');
    await expectNoAxeViolations(page, 'console-mailbox-message-desktop');
    expect(violations).toEqual([]);
    const phone = await watchedPage('phone');
    await phone.page.context().addCookies(await page.context().cookies());
    await phone.page.goto(`/console/mailbox/${mail[0].id}`);
    await phone.page.frameLocator('iframe[sandbox]').getByRole('link').first().waitFor();
    await screenshot(phone.page, 'console-mailbox-message-phone');
    await expectNoAxeViolations(phone.page, 'console-mailbox-message-phone');
    expect(phone.violations).toEqual([]);
  });

  it('renders the API reference from its own script, with no CSP violation', async () => {
    const { page, violations } = await watchedPage();
    const opened = await page.goto('/docs');
    expect(opened?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.getByText('Invitations into tenants').first().waitFor({ timeout: 20_000 });
    // Let late scripts run and report: until no request for half a second, or 10 s at most. Not Playwright's
    // 'networkidle', which fails outright on a loaded machine when Scalar keeps fetching (CI saw it time out).
    let lastRequest = Date.now();
    page.on('request', () => (lastRequest = Date.now()));
    const settleBy = Date.now() + 10_000;
    while (Date.now() - lastRequest < 500 && Date.now() < settleBy) await page.waitForTimeout(100);
    // zod (inside Scalar) probes for eval with `new Function("")` in a try and does without:
    // that refusal is the policy working, and the page rendered above all the same.
    expect(violations.filter((text) => !/^script-src eval$|unsafe-eval/.test(text))).toEqual([]);
  });

  it('refuses to be framed by a page of another origin', async () => {
    const created = await api('POST', '/v1/invitations', { channel: 'link' });
    // /healthz is framed as a control: it shows that the other page can frame Usher at all.
    const other = await serveOtherOrigin(
      `<!doctype html><title>Win a prize</title><iframe id="bait" src="${created.url}"></iframe><iframe id="control" src="${usher.url}/healthz"></iframe>`,
    );
    try {
      const { page } = await watchedPage();
      // goto waits for the load event, which waits for the frames.
      await page.goto(other.url);
      const frame = async (id: string) => (await (await page.$(`iframe#${id}`))!.contentFrame())!;
      expect((await frame('control')).url()).toBe(`${usher.url}/healthz`);
      expect(await (await frame('control')).content()).toContain('"status":"ok"');
      const bait = await frame('bait');
      // The frame holds Chromium's error page, not the invitation.
      expect(bait.url()).toBe('chrome-error://chromewebdata/');
      expect(await bait.locator('form').count()).toBe(0);
      expect(await bait.getByRole('button', { name: 'Accept' }).count()).toBe(0);
    } finally {
      await other.close();
    }
  });
});
