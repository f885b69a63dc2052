import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBrowser, expectNoAxeViolations, launchBrowser, screenshot, viewports } from '#support/browser';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { startSmtpServer, type TestSmtpServer } from '#support/smtp';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';

describeWithBrowser('an operator and an invitee, in Chromium', () => {
  let scratch: ScratchDatabase;
  let smtp: TestSmtpServer;
  let usher: RunningUsher;
  let browser: Browser;

  beforeAll(async () => {
    scratch = await createScratchDatabase('sqlite');
    smtp = await startSmtpServer();
    // This suite signs in some twenty times a minute from one address; the per-client sign-in limit has its own
    // suite (client-limits), so it is off here (0), or a fast run meets the 429 page instead of the console.
    usher = await startUsher({
      databaseUrl: scratch.url,
      env: { USHER_SMTP_URL: smtp.url, USHER_CLIENT_LIMIT_SIGN_IN: '0' },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stopAllUshers();
    await smtp?.close();
    await scratch?.drop();
  });

  /** Signs in with the bootstrap key; with `lookAs`, first screenshots and checks the sign-in page under that name. */
  async function signIn(viewport: keyof typeof viewports, lookAs?: string, key = TEST_BOOTSTRAP_KEY) {
    const context = await browser.newContext({ ...viewports[viewport], baseURL: usher.url });
    const page = await context.newPage();
    await page.goto('/console/invitations');
    if (lookAs) {
      await screenshot(page, lookAs);
      await expectNoAxeViolations(page, lookAs);
    }
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Invitations' }).waitFor();
    return { context, page };
  }

  it('signs in, invites by email, the invitee accepts from the email, and the console shows it accepted with its timeline', async () => {
    const { context, page } = await signIn('desktop');
    await page.getByRole('link', { name: 'New invitation' }).click();
    await page.getByLabel('Recipient email').fill('e2e@example.com');
    await page.getByLabel('Recipient name').fill('Eve');
    await page.getByLabel('Into').selectOption('project');
    await page.getByLabel('Target IRI').fill('https://example.com/p/e2e');
    await page.getByLabel('Target name').fill('End to End');
    await page.getByLabel('Role', { exact: true }).fill('contributor');
    await page.getByLabel('Message').fill('Welcome to the project!');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    await page.getByRole('heading', { name: 'Invitation created' }).waitFor();
    await screenshot(page, 'console-created-desktop');
    await expectNoAxeViolations(page, 'console-created-desktop');

    await smtp.waitFor(1);
    const mail = smtp.received.find((m) => m.envelopeTo.includes('e2e@example.com'))!;
    const link = /http:\/\/127\.0\.0\.1:\d+\/i\/[A-Za-z0-9_-]{43}/.exec(mail.parsed.text ?? '')![0];

    const invitee = await browser.newContext(viewports.phone);
    const phone = await invitee.newPage();
    await phone.goto(link);
    await phone.getByRole('heading', { name: /invites you to join End to End as contributor/ }).waitFor();
    await screenshot(phone, 'accept-from-email-phone');
    await expectNoAxeViolations(phone, 'accept-from-email-phone');
    await phone.getByRole('button', { name: 'Accept' }).click();
    await phone.getByRole('heading', { name: 'You are in' }).waitFor();
    await invitee.close();

    await page.getByRole('link', { name: 'Invitations' }).click();
    await page.getByRole('link', { name: 'e2e@example.com' }).click();
    await page.locator('.badge.accepted').first().waitFor({ state: 'visible' });
    const timeline = await page.getByRole('table', { name: 'Timeline' }).textContent();
    expect(timeline).toContain('created');
    expect(timeline).toContain('sent');
    expect(timeline).toContain('pending → accepted');
    await screenshot(page, 'console-invitation-accepted-desktop');
    await expectNoAxeViolations(page, 'console-invitation-accepted-desktop');
    await context.close();
  });

  // Reads the invitation the test above had accepted: the same pages, held to the same checks on a phone.
  it("shows a created link and an invitation's page on a phone, as on a desktop", async () => {
    const { context, page } = await signIn('phone');
    await page.goto('/console/invitations/new');
    await page.getByLabel('Channel').selectOption('link');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    await page.getByRole('heading', { name: 'Invitation created' }).waitFor();
    await screenshot(page, 'console-created-phone');
    await expectNoAxeViolations(page, 'console-created-phone');
    await page.getByRole('link', { name: 'Invitations' }).click();
    await page.getByRole('link', { name: 'e2e@example.com' }).click();
    await page.locator('.badge.accepted').first().waitFor({ state: 'visible' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    await screenshot(page, 'console-invitation-accepted-phone');
    await expectNoAxeViolations(page, 'console-invitation-accepted-phone');
    await context.close();
  });

  it.each(['desktop', 'phone'] as const)(
    "shows readable messages for bad input and keeps the operator's values, on a %s",
    async (viewport) => {
      const { context, page } = await signIn(viewport);
      await page.goto('/console/invitations/new');
      await screenshot(page, `console-new-invitation-${viewport}`);
      await expectNoAxeViolations(page, `console-new-invitation-${viewport}`);
      await page.getByLabel('Recipient email').fill('not an email');
      await page.getByLabel('Into').selectOption('event');
      await page.getByRole('button', { name: 'Create invitation' }).click();
      await page.locator('#f-recipient-email-error').waitFor({ state: 'visible' });
      expect(await page.locator('#f-target-iri-error').textContent()).toBeTruthy();
      expect(await page.getByLabel('Recipient email').inputValue()).toBe('not an email');
      // A screen reader reads the field's hint and its error with it.
      const describedBy = await page.getByLabel('Recipient email').getAttribute('aria-describedby');
      expect(describedBy).toBe('f-recipient-email-hint f-recipient-email-error');
      await screenshot(page, `console-form-errors-${viewport}`);
      await expectNoAxeViolations(page, `console-form-errors-${viewport}`);
      await context.close();
    },
  );

  it('shows a live link with its QR code, downloads it, and resets it only once the operator confirms', async () => {
    for (const viewport of ['desktop', 'phone'] as const) {
      const created = await fetch(`${usher.url}/v1/invitations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'link', label: `Poster ${viewport}`, usesAllowed: null }),
      }).then((r) => r.json() as Promise<{ id: string; url: string }>);
      const { context, page } = await signIn(viewport);
      await page.goto(`/console/invitations/${created.id}`);
      expect((await page.locator('#invitation-url').textContent())?.trim()).toBe(created.url);
      await page.getByRole('img', { name: 'QR code of the invitation link' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(
        1,
      );
      await screenshot(page, `console-invitation-link-${viewport}`);
      await expectNoAxeViolations(page, `console-invitation-link-${viewport}`);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download PNG' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`invitation-${created.id}.png`);
      const bytes = await readFile((await download.path())!);
      expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

      // Unconfirmed, the browser does not send the form: the link stays.
      await page.getByRole('button', { name: 'Reset link' }).click();
      expect((await page.locator('#invitation-url').textContent())?.trim()).toBe(created.url);
      await page.getByLabel(/stops working at once/).check();
      await page.getByRole('button', { name: 'Reset link' }).click();
      await page.waitForFunction(
        (old) => document.getElementById('invitation-url')?.textContent?.trim() !== old,
        created.url,
      );
      const fresh = (await page.locator('#invitation-url').textContent())!.trim();
      expect(fresh).toMatch(/\/i\/[A-Za-z0-9_-]{43}$/);
      expect((await fetch(created.url)).status).toBe(404);
      expect((await fetch(fresh)).status).toBe(200);
      await context.close();
    }
  });

  it('refuses a console form posted without the CSRF token', async () => {
    const { context, page } = await signIn('desktop');
    const response = await page.request.post('/console/invitations', { form: { channel: 'link' } });
    expect(response.status()).toBe(403);
    await context.close();
  });

  it('reads well on a phone and on a desktop', async () => {
    for (const viewport of ['phone', 'desktop'] as const) {
      const { context, page } = await signIn(viewport, `console-sign-in-${viewport}`);
      expect(await page.evaluate(() => document.compatMode)).toBe('CSS1Compat');
      expect(await page.evaluate(() => getComputedStyle(document.body).lineHeight)).not.toBe('normal');
      await screenshot(page, `console-invitations-${viewport}`);
      await expectNoAxeViolations(page, `console-invitations-${viewport}`);
      await page.goto('/console/funnel');
      await screenshot(page, `console-funnel-${viewport}`);
      await expectNoAxeViolations(page, `console-funnel-${viewport}`);
      await page.goto('/console/settings');
      // The first start named the identity after the tenant, so renaming both is offered, ticked.
      expect(await page.getByLabel(/Also rename the identity invitations are sent from/).isChecked()).toBe(true);
      await screenshot(page, `console-settings-${viewport}`);
      await expectNoAxeViolations(page, `console-settings-${viewport}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(1);
      await context.close();
    }
  });

  it("shows a scoped session only what its key may do, and each key's rights on the keys page", async () => {
    const made = await fetch(`${usher.url}/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Support desk',
        scopes: ['invitations:read', 'keys:manage'],
        grantableRoles: ['member', 'viewer'],
        allowedTargets: ['https://example.com/teams/'],
      }),
    }).then((r) => r.json() as Promise<{ key: string }>);
    for (const viewport of ['desktop', 'phone'] as const) {
      const { context, page } = await signIn(viewport, undefined, made.key);
      expect(await page.getByRole('link', { name: 'New invitation' }).count()).toBe(0);
      expect(
        await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Settings' }).count(),
      ).toBe(0);
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'API keys' }).click();
      await page.getByRole('cell', { name: 'https://example.com/teams/' }).waitFor();
      await screenshot(page, `console-keys-scoped-${viewport}`);
      await expectNoAxeViolations(page, `console-keys-scoped-${viewport}`);
      await page.getByRole('link', { name: 'Change the quota of admin' }).click();
      await page.getByLabel('Invitations per day').waitFor();
      await screenshot(page, `console-key-quota-${viewport}`);
      await expectNoAxeViolations(page, `console-key-quota-${viewport}`);
      await page.goBack();
      await page.getByRole('link', { name: 'New API key' }).click();
      expect(await page.getByLabel('webhooks:manage').count()).toBe(0);
      await screenshot(page, `console-new-key-scoped-${viewport}`);
      await expectNoAxeViolations(page, `console-new-key-scoped-${viewport}`);
      await context.close();
    }
  });
  it('lists join requests, approves one and declines one with a reason, then shows the declined', async () => {
    const api = (path: string, body: unknown, key: string | null = TEST_BOOTSTRAP_KEY) =>
      fetch(`${usher.url}${path}`, {
        method: 'POST',
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const link = (await api('/v1/invitations', {
      channel: 'link',
      usesAllowed: 10,
      purpose: 'Choir sign-up',
      role: 'member',
      target: { type: 'group', iri: 'https://example.com/g/choir', name: 'Choir' },
      requireApproval: true,
    })) as { url: string };
    const token = new URL(link.url).pathname.split('/').pop()!;
    for (const viewport of ['desktop', 'phone'] as const) {
      const ask = (body: Record<string, string>) => api(`/v1/public/invitations/${token}/accept`, body, null);
      await ask({ email: `ann-${viewport}@example.com`, name: `Ann ${viewport}` });
      await ask({ did: `did:example:bob-${viewport}`, name: `Bob ${viewport}` });
      const { context, page } = await signIn(viewport);
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Join requests' }).click();
      await page.getByText(`Ann ${viewport}`, { exact: true }).waitFor();
      await screenshot(page, `console-join-requests-${viewport}`);
      await expectNoAxeViolations(page, `console-join-requests-${viewport}`);
      await page.getByRole('button', { name: `Approve Ann ${viewport}` }).click();
      await page.getByRole('status').filter({ hasText: 'Approved' }).waitFor();
      await page.getByLabel(`Why decline Bob ${viewport}`).fill('The choir is full this term');
      await page.getByRole('button', { name: `Decline Bob ${viewport}` }).click();
      await page.getByRole('status').filter({ hasText: 'Declined' }).waitFor();
      expect(await page.getByText(`Ann ${viewport}`, { exact: true }).count()).toBe(0);
      await page.getByRole('link', { name: 'Declined' }).click();
      await page.getByText('The choir is full this term').first().waitFor();
      await screenshot(page, `console-join-requests-declined-${viewport}`);
      await expectNoAxeViolations(page, `console-join-requests-declined-${viewport}`);
      await context.close();
    }
  });
  it('lists the audit trail: the key made over the API, and who made it', async () => {
    for (const viewport of ['desktop', 'phone'] as const) {
      const { context, page } = await signIn(viewport);
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit' }).click();
      await page.getByRole('heading', { name: 'Audit' }).waitFor();
      const row = page.getByRole('row').filter({ hasText: 'key.created' }).first();
      expect(await row.textContent()).toContain('(api)');
      await screenshot(page, `console-audit-${viewport}`);
      await expectNoAxeViolations(page, `console-audit-${viewport}`);
      await context.close();
    }
  });
});
