import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { describeWithBrowser, expectNoAxeViolations, launchBrowser, screenshot, viewports } from '#support/browser';
import { serveOnLoopback } from '#support/loopback';
import { useTestUsher } from '#support/usher';

describeWithBrowser('the page a person over the anonymous limit sees, in Chromium', () => {
  const usher = useTestUsher('sqlite', {
    clientLimits: { trustedProxies: [], perMinute: { public: 2, signIn: 10, didcomm: 10, inbox: 10 } },
  });
  const server = {} as { url: string; close: () => Promise<void> };
  let browser: Browser;
  beforeAll(async () => {
    Object.assign(server, await serveOnLoopback(usher.app.fetch));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server.close?.();
  });

  for (const viewport of ['desktop', 'phone'] as const) {
    it(`reads as a page on a ${viewport}, with the wait, and passes axe`, async () => {
      // A window of its own for each viewport: the count is per client, and Chromium is one client.
      usher.clock.set(new Date(viewport === 'desktop' ? '2026-11-25T10:00:20.000Z' : '2026-11-25T10:05:20.000Z'));
      const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
      const url = `${server.url}${new URL(created.body.url).pathname}`;
      const context = await browser.newContext({ ...viewports[viewport], locale: 'en-US' });
      try {
        const page = await context.newPage();
        expect((await page.goto(url))!.status()).toBe(200);
        expect((await page.reload())!.status()).toBe(200);
        const refused = await page.reload();
        expect(refused!.status()).toBe(429);
        expect(await refused!.headerValue('retry-after')).toBe('40');
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Please wait a moment');
        expect(await page.textContent('body')).toContain('Try again in 40 seconds');
        await screenshot(page, `rate-limited-page-${viewport}`);
        await expectNoAxeViolations(page, `rate-limited-page-${viewport}`);
      } finally {
        await context.close();
      }
    });
  }
});
