import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  describeWithBrowser,
  expectNoAxeViolations,
  launchBrowser,
  screenshot,
  submitForm,
  viewports,
  type ViewportName,
} from '#support/browser';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { startSmtpServer, type TestSmtpServer } from '#support/smtp';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';

// The last resort: nothing this file started outlives it, whatever failed.
afterAll(stopAllUshers);

describeWithBrowser('the accept page of a link with allowed domains: address, mailed code, accepted', () => {
  let scratch: ScratchDatabase;
  let smtp: TestSmtpServer;
  let usher: RunningUsher;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [scratch, smtp, browser] = await Promise.all([createScratchDatabase('sqlite'), startSmtpServer(), launchBrowser()]);
    usher = await startUsher({ databaseUrl: scratch.url, env: { USHER_SMTP_URL: smtp.url } });
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await usher?.stop();
    await smtp?.close();
    await scratch?.drop();
  });

  async function createLink(project: string): Promise<{ id: string; url: string }> {
    const response = await fetch(`${usher.url}/v1/invitations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'link',
        usesAllowed: 10,
        role: 'member',
        allowedDomains: ['example.com'],
        target: { type: 'project', iri: `https://example.com/p/${project}`, name: project },
      }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; url: string };
  }

  /** The six digits of the newest mail the SMTP server received for `email`. */
  async function codeMailedTo(email: string): Promise<string> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const mail = smtp.received.filter((received) => received.envelopeTo.includes(email)).at(-1);
      const code = mail?.parsed.text?.match(/\b(\d{6})\b/)?.[1];
      if (code) return code;
      if (Date.now() > deadline) throw new Error(`no code mailed to ${email}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function newPage(viewport: ViewportName): Promise<Page> {
    const context = await browser.newContext({ ...viewports[viewport], locale: 'en-US' });
    contexts.push(context);
    return context.newPage();
  }

  const submit = submitForm;

  for (const viewport of ['desktop', 'phone'] as const) {
    it(`asks for the address, refuses another domain, mails a code and accepts with it (${viewport})`, async () => {
      const link = await createLink(`domains-${viewport}`);
      const page = await newPage(viewport);
      await page.goto(link.url);
      expect(await page.getByText('Open to addresses at example.com').isVisible()).toBe(true);
      await screenshot(page, `allowed-domains-address-${viewport}`);
      await expectNoAxeViolations(page, `allowed-domains-address-${viewport}`);

      await page.getByLabel('Your email').fill('eve@evil.example');
      expect((await submit(page, 'Email me a code')).status()).toBe(403);
      expect(await page.getByRole('alert').textContent()).toContain('other email domains');
      await screenshot(page, `allowed-domains-refused-${viewport}`);
      await expectNoAxeViolations(page, `allowed-domains-refused-${viewport}`);

      const address = `ann-${viewport}@example.com`;
      await page.getByLabel('Your name').fill('Ann');
      await page.getByLabel('Your email').fill(address);
      expect((await submit(page, 'Email me a code')).status()).toBe(200);
      expect(await page.getByRole('status').textContent()).toContain(`We sent a code to ${address}`);
      await screenshot(page, `allowed-domains-code-${viewport}`);
      await expectNoAxeViolations(page, `allowed-domains-code-${viewport}`);
      const code = await codeMailedTo(address);

      await page.getByLabel('The code we emailed you').fill(code === '000000' ? '111111' : '000000');
      expect((await submit(page, 'Accept')).status()).toBe(403);
      expect(await page.getByRole('alert').textContent()).toContain('not right');
      await page.getByLabel('The code we emailed you').fill(code);
      expect((await submit(page, 'Accept')).status()).toBe(200);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('You are in');
      await screenshot(page, `allowed-domains-accepted-${viewport}`);
      await expectNoAxeViolations(page, `allowed-domains-accepted-${viewport}`);
    });
  }
});
