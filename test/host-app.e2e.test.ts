import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeWithBrowser,
  expectNoAxeViolations,
  launchBrowser,
  screenshot,
  viewports,
  type ViewportName,
} from '#support/browser';
import { installSdkIntoExample, startHostApp, typecheckExample } from '#support/host-app';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { startSmtpServer, type TestSmtpServer } from '#support/smtp';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';

// The last resort: nothing this file started outlives it, whatever failed.
afterAll(stopAllUshers);

describeWithBrowser('examples/host-app: a host application inviting through Usher, in Chromium', () => {
  let browser: Browser;
  /** The example's type check, run beside the browser suites and awaited by the last test. */
  let typecheck: Promise<void>;

  beforeAll(async () => {
    // The example imports @usher/sdk by name, as an adopter does: it gets the SDK as built for publishing.
    [, browser] = await Promise.all([installSdkIntoExample(), launchBrowser()]);
    typecheck = typecheckExample();
    typecheck.catch(() => undefined); // reported by its test
  }, 60_000);

  describeEachStore('Alice invites Bob from the app, Bob accepts from his email and lands in the app', (engine) => {
    let scratch: ScratchDatabase;
    let smtp: TestSmtpServer;
    let usher: RunningUsher;
    let app: RunningUsher;
    let appDir: string;
    const contexts: BrowserContext[] = [];
    /** What the accept page posted to the app: the acceptance token and the invitation id. */
    let handedOff: URLSearchParams;
    /** Alice's browser tab, signed in. */
    let alice: Page;

    beforeAll(async () => {
      appDir = await mkdtemp(join(tmpdir(), 'usher-host-app-'));
      [scratch, smtp] = await Promise.all([createScratchDatabase(engine), startSmtpServer()]);
      usher = await startUsher({
        databaseUrl: scratch.url,
        // The app's webhook endpoint and redirect URL are on 127.0.0.1.
        env: { USHER_SMTP_URL: smtp.url, USHER_ALLOW_PRIVATE_NETWORK: 'true' },
      });
      const databasePath = join(appDir, 'app.db');
      app = await startHostApp({ usherUrl: usher.url, apiKey: TEST_BOOTSTRAP_KEY, databasePath });
    });
    afterAll(async () => {
      await Promise.all(contexts.map((context) => context.close()));
      await app?.stop();
      await usher?.stop();
      await smtp?.close();
      await scratch?.drop();
      if (appDir) await rm(appDir, { recursive: true, force: true });
    });

    async function newPage(viewport: ViewportName): Promise<Page> {
      const context = await browser.newContext({ ...viewports[viewport], locale: 'en-US' });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return page;
    }

    /** The same page in the other viewport, signed in as the same person (the session cookie copied). */
    async function sameSessionIn(page: Page, viewport: ViewportName): Promise<Page> {
      const other = await newPage(viewport);
      await other.context().addCookies(await page.context().cookies());
      await other.goto(page.url());
      return other;
    }

    /**
     * Screenshots of a page of the app on desktop and phone, each checked by axe-core. Once, on SQLite: the app's
     * pages are the same whichever store Usher runs on, and the looks are half of each suite's time.
     */
    async function lookAt(page: Page, viewport: ViewportName, name: string): Promise<void> {
      if (engine !== 'sqlite') return;
      const otherViewport = viewport === 'desktop' ? 'phone' : 'desktop';
      const other = await sameSessionIn(page, otherViewport);
      for (const [shown, shownIn] of [
        [page, viewport],
        [other, otherViewport],
      ] as const) {
        await screenshot(shown, `host-app-${name}-${shownIn}`);
        await expectNoAxeViolations(shown, `host-app ${name} (${shownIn})`);
      }
    }

    /** Signs in through the app's "sign in as" form and waits for the team page. */
    async function signIn(page: Page, name: string, email: string): Promise<void> {
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${app.url}/team`);
    }

    const membersTable = async (page: Page) =>
      page
        .locator('table tbody tr')
        .evaluateAll((rows) =>
          rows.map((row) => ['.name', '.email', 'td:last-child'].map((part) => row.querySelector(part)?.textContent)),
        );

    it('signs Alice in, sends Bob an invitation by email naming her, and Bob joins as editor, signed in', async () => {
      alice = await newPage('desktop');
      await alice.goto(app.url);
      expect(new URL(alice.url()).pathname).toBe('/signin');
      if (engine === 'sqlite') await expectNoAxeViolations(alice, 'host-app sign-in');
      await signIn(alice, 'Alice Archer', 'alice@example.test');
      expect(await alice.getByText('You are an owner of this team.').count()).toBe(1);

      await alice.getByLabel('Email', { exact: true }).fill('bob@example.test');
      await alice.getByLabel('Role').selectOption('editor');
      await alice.getByRole('button', { name: 'Send invitation' }).click();
      await alice.waitForURL(/\/team\?invited=/);
      expect(await alice.getByRole('status').innerText()).toBe('Invitation sent to bob@example.test.');

      // The email names the person who invited, the app's user, not the tenant's default identity.
      await smtp.waitFor(1);
      const mail = smtp.received.find((received) => received.envelopeTo.includes('bob@example.test'))!;
      expect(mail.parsed.subject).toContain('Alice Archer');
      expect(mail.parsed.text).toContain('Alice Archer');
      const link = mail.parsed.text?.match(/^(http:\/\/\S+\/i\/\S+)$/m)?.[1];
      expect(link?.startsWith(`${usher.url}/i/`)).toBe(true);

      // Bob opens it on his phone: Usher's accept page, then back to the app by form_post.
      const bob = await newPage('phone');
      await bob.goto(link!);
      const [handOff] = await Promise.all([
        bob.waitForRequest((request) => request.method() === 'POST' && request.url() === `${app.url}/usher/accepted`),
        bob.getByRole('button', { name: 'Accept' }).click(),
      ]);
      handedOff = new URLSearchParams(handOff.postData() ?? '');
      expect(handOff.headers()['content-type']).toBe('application/x-www-form-urlencoded');
      expect(handedOff.get('acceptance_token')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(handedOff.get('invitation_id')).toMatch(/\S/);

      await bob.waitForURL(`${app.url}/team?joined`);
      // Usher's token names him by his address only; the app's own profile page would let him say more.
      expect(await bob.getByRole('status').innerText()).toBe('Welcome to Apollo, bob: you joined as editor.');
      expect(await bob.getByText('Signed in as bob').count()).toBe(1);
      expect(await membersTable(bob)).toEqual([
        ['Alice Archer', 'alice@example.test', 'owner'],
        ['bob', 'bob@example.test', 'editor'],
      ]);
      // An editor is a member, not someone who invites.
      expect(await bob.getByRole('button', { name: 'Send invitation' }).count()).toBe(0);
      await lookAt(bob, 'phone', 'landing');

      // Usher told the app, signed; the app shows what it verified.
      const deadline = Date.now() + 10_000;
      await alice.goto(`${app.url}/team`);
      while (!(await alice.getByText('invitation.accepted').count()) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await alice.reload();
      }
      const events = await alice.locator('ul.events li').allInnerTexts();
      expect(events.find((event) => event.includes('invitation.created'))).toContain(
        'invitation.created: bob@example.test as editor, invited by Alice Archer',
      );
      expect(events.find((event) => event.includes('invitation.accepted'))).toContain('bob@example.test as editor');
      await lookAt(alice, 'desktop', 'team');
    });

    it('refuses a replayed acceptance token, and a token changed by a hand, without adding anyone', async () => {
      const postAccepted = (body: URLSearchParams) =>
        fetch(`${app.url}/usher/accepted`, { method: 'POST', body, redirect: 'manual' });
      const replayed = await postAccepted(handedOff);
      expect(replayed.status).toBe(409);
      expect(replayed.headers.get('set-cookie')).toBeNull();
      const refusal = await newPage('phone');
      await refusal.setContent(await replayed.text());
      expect(await refusal.getByRole('heading', { level: 1 }).textContent()).toBe('Already used');
      if (engine === 'sqlite') await expectNoAxeViolations(refusal, 'host-app replayed acceptance');

      const token = handedOff.get('acceptance_token')!;
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const forgedClaims = JSON.stringify({ ...claims, role: 'admin', jti: 'another' });
      const forgedPayload = Buffer.from(forgedClaims).toString('base64url');
      const forged = new URLSearchParams({
        acceptance_token: `${header}.${forgedPayload}.${signature}`,
        invitation_id: handedOff.get('invitation_id')!,
      });
      const tampered = await postAccepted(forged);
      expect(tampered.status).toBe(400);
      expect(tampered.headers.get('set-cookie')).toBeNull();

      await alice.reload();
      expect((await membersTable(alice)).map((row) => row[2])).toEqual(['owner', 'editor']);
    });

    it('refuses a webhook not signed with its secret (401), shows none of it; one endpoint registered', async () => {
      const body = JSON.stringify({ type: 'invitation.revoked', timestamp: new Date().toISOString(), data: {} });
      const id = 'msg_forged';
      const sent = new Date();
      const wrongSecret = `whsec_${Buffer.from('not the secret of this endpoint!').toString('base64')}`;
      const signature = new Webhook(wrongSecret).sign(id, sent, body);
      const forged = await fetch(`${app.url}/hooks/usher`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(sent.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
      });
      expect(forged.status).toBe(401);
      const json = { 'content-type': 'application/json' };
      const unsigned = await fetch(`${app.url}/hooks/usher`, { method: 'POST', headers: json, body });
      expect(unsigned.status).toBe(401);

      await alice.reload();
      expect(await alice.getByText('invitation.revoked').count()).toBe(0);

      // The endpoint the app registered at start, through the SDK, for every event.
      const authorization = `Bearer ${TEST_BOOTSTRAP_KEY}`;
      const listed = await fetch(`${usher.url}/v1/webhooks`, { headers: { authorization } });
      const endpoints = ((await listed.json()) as { data: unknown[] }).data;
      const hookUrl = `${app.url}/hooks/usher`;
      expect(endpoints).toEqual([expect.objectContaining({ url: hookUrl, events: ['*'], status: 'enabled' })]);
    });
  });

  it('type-checks under NodeNext against the built SDK', () => typecheck, 60_000);
});
