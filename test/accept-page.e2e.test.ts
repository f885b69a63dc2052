import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
import { startReceiver, type TestReceiver } from '#support/http-receiver';
import { startSmtpServer, type TestSmtpServer } from '#support/smtp';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';
import { tokenOf } from '#support/usher';

// The last resort: nothing this file started outlives it, whatever failed.
afterAll(stopAllUshers);

describeWithBrowser(
  'the accept page in Chromium, served by a real Usher process that mails through a real SMTP server',
  () => {
    let scratch: ScratchDatabase;
    let smtp: TestSmtpServer;
    let host: TestReceiver;
    let usher: RunningUsher;
    let browser: Browser;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      [scratch, smtp, browser, host] = await Promise.all([
        createScratchDatabase('sqlite'),
        startSmtpServer(),
        launchBrowser(),
        startReceiver(),
      ]);
      // Private addresses allowed: the host application the hand-off goes to is on 127.0.0.1, over http.
      usher = await startUsher({
        databaseUrl: scratch.url,
        env: { USHER_SMTP_URL: smtp.url, USHER_ALLOW_PRIVATE_NETWORK: 'true' },
      });
    });
    afterEach(async () => {
      await Promise.all(contexts.splice(0).map((context) => context.close()));
    });
    afterAll(async () => {
      await browser?.close();
      await usher?.stop();
      await smtp?.close();
      await host?.close();
      await scratch?.drop();
    });

    /** One API call with the bootstrap key; the JSON body, after checking the status. */
    async function api(
      method: string,
      path: string,
      body?: unknown,
      expected = method === 'POST' ? [200, 201] : [200],
    ): Promise<any> {
      const response = await fetch(`${usher.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      if (!expected.includes(response.status)) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text);
    }

    const projectIri = (project: string) => `https://example.com/p/${project.toLowerCase().replace(/\W+/g, '-')}`;

    /** An email invitation into its own project, so no two tests share a target or a recipient. */
    async function invite(email: string, project: string, extra: Record<string, unknown> = {}): Promise<any> {
      return api('POST', '/v1/invitations', {
        recipient: { email },
        target: { type: 'project', iri: projectIri(project), name: project },
        role: 'contributor',
        ...extra,
      });
    }

    /** The accept link in the plain-text part of the email the SMTP server received for `email`. */
    async function linkInEmailTo(email: string): Promise<string> {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const mail = smtp.received.find((received) => received.envelopeTo.includes(email));
        if (mail) {
          const link = mail.parsed.text?.match(/^(http:\/\/\S+\/i\/\S+)$/m)?.[1];
          if (!link) throw new Error(`no link in the email to ${email}:\n${mail.parsed.text}`);
          return link;
        }
        if (Date.now() > deadline) throw new Error(`no email to ${email} arrived`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }

    async function newPage(
      viewport: ViewportName = 'desktop',
      options: { javaScriptEnabled?: boolean } = {},
    ): Promise<Page> {
      const context = await browser.newContext({ ...viewports[viewport], locale: 'en-US', ...options });
      contexts.push(context);
      return context.newPage();
    }

    const submit = submitForm;

    const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
    const projectMembers = async (project: string) =>
      (await api('GET', `/v1/memberships?target=${encodeURIComponent(projectIri(project))}`)).data as any[];
    const eventTypes = async (id: string) =>
      ((await api('GET', `/v1/invitations/${id}/events`)).data as { type: string }[]).map((e) => e.type);

    it('shows the invitee who invites them to what, from the link in their email, and accepting it makes them a member', async () => {
      const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
      const created = await invite('ann@example.com', 'Apollo', {
        message: 'Join us on Apollo.\nWe start Monday.',
        expiresAt,
      });
      const inviter = (await api('GET', `/v1/identities/${created.identityId}`)).displayName as string;
      const link = await linkInEmailTo('ann@example.com');
      expect(link.startsWith(`${usher.url}/i/`)).toBe(true);

      const page = await newPage();
      const opened = await page.goto(link);
      expect(opened?.status()).toBe(200);
      expect(await heading(page)).toBe(`${inviter} invites you to join Apollo as contributor`);
      expect(await page.getByRole('blockquote').innerText()).toBe('Join us on Apollo.\nWe start Monday.');
      const expires = `${new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(expiresAt))} UTC`;
      expect(await page.getByText(/^Valid until /).textContent()).toBe(`Valid until ${expires}`);
      expect(await page.getByText(/^Sent to a\*+@example\.com$/).count()).toBe(1);

      // Opening the page is a read: mail scanners open links too.
      const afterOpening = await api('GET', `/v1/invitations/${created.id}`);
      expect(afterOpening.status).toBe('pending');
      expect(afterOpening.usesCount).toBe(0);
      expect(afterOpening.updatedAt).toBe(created.updatedAt);
      // (invitation.sent may land just after the SMTP server has the message, so it is left out.)
      expect((await eventTypes(created.id)).filter((type) => type !== 'invitation.sent')).toEqual([
        'invitation.created',
      ]);
      expect(await projectMembers('Apollo')).toEqual([]);

      const answered = await submit(page, 'Accept');
      expect(answered.status()).toBe(200);
      expect(await heading(page)).toBe('You are in');
      expect(await page.getByText('Your invitation is accepted.').count()).toBe(1);
      const tenant = (await api('GET', '/v1/tenant')).name as string;
      expect(await page.getByText(`You joined Apollo at ${tenant} as contributor.`).count()).toBe(1);
      expect(await page.getByText('There is nothing more to do here: you can close this page.').count()).toBe(1);

      const accepted = await api('GET', `/v1/invitations/${created.id}`);
      expect(accepted.status).toBe('accepted');
      expect(accepted.usesCount).toBe(1);
      const members = await projectMembers('Apollo');
      expect(members).toHaveLength(1);
      expect(members[0]).toMatchObject({
        role: 'contributor',
        invitationId: created.id,
        member: { email: 'ann@example.com' },
      });
    });

    it('declines when the invitee clicks Decline, and nothing else happens: no membership, no acceptance', async () => {
      const created = await invite('dan@example.com', 'Zephyr');
      const page = await newPage();
      await page.goto(created.url);

      const answered = await submit(page, 'Decline');
      expect(answered.status()).toBe(200);
      expect(await heading(page)).toBe('Invitation declined');
      expect(await page.getByText('You declined this invitation. Nothing else will happen.').count()).toBe(1);

      const declined = await api('GET', `/v1/invitations/${created.id}`);
      expect(declined.status).toBe('declined');
      expect(declined.usesCount).toBe(0);
      expect(await projectMembers('Zephyr')).toEqual([]);
      const everyMember = (await api('GET', '/v1/memberships?limit=200')).data as any[];
      expect(everyMember.filter((m) => m.member.email === 'dan@example.com')).toEqual([]);
      expect(await eventTypes(created.id)).not.toContain('invitation.accepted');
      expect(await eventTypes(created.id)).toContain('invitation.declined');

      // The link now says where it stands, with nothing left to click.
      const again = await page.goto(created.url);
      expect(again?.status()).toBe(410);
      expect(await heading(page)).toBe('Invitation declined');
      expect(await page.getByRole('button').count()).toBe(0);
    });

    it('shows a revoked link as withdrawn, without the Accept form, even to a tab opened before the revoke', async () => {
      const created = await invite('rex@example.com', 'Hermes');
      const staleTab = await newPage();
      await staleTab.goto(created.url);
      await api('POST', `/v1/invitations/${created.id}/revoke`);

      const page = await newPage();
      const opened = await page.goto(created.url);
      expect(opened?.status()).toBe(410);
      expect(await heading(page)).toBe('Invitation withdrawn');
      expect(await page.getByText('This invitation was withdrawn by the sender.').count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Accept' }).count()).toBe(0);
      expect(await page.locator('form').count()).toBe(0);

      const answered = await submit(staleTab, 'Accept');
      expect(answered.status()).toBe(410);
      expect(await heading(staleTab)).toBe('Invitation withdrawn');

      const revoked = await api('GET', `/v1/invitations/${created.id}`);
      expect(revoked.status).toBe('revoked');
      expect(revoked.usesCount).toBe(0);
      expect(await projectMembers('Hermes')).toEqual([]);
      const types = await eventTypes(created.id);
      expect(types).toContain('invitation.revoked');
      expect(types.filter((type) => ['invitation.accepted', 'invitation.declined'].includes(type))).toEqual([]);
    });

    it('shows an invitation past its expiry as expired, without the Accept form', async () => {
      const expiresAt = Date.now() + 3_000;
      const created = await invite('eve@example.com', 'Kronos', { expiresAt: new Date(expiresAt).toISOString() });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 100)));

      const page = await newPage();
      const opened = await page.goto(created.url);
      expect(opened?.status()).toBe(410);
      expect(await heading(page)).toBe('Invitation expired');
      expect(await page.getByText('This invitation has expired.').count()).toBe(1);
      const inviter = (await api('GET', `/v1/identities/${created.identityId}`)).displayName as string;
      expect(await page.getByText(`Ask ${inviter} for a new invitation.`).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Accept' }).count()).toBe(0);
      expect((await api('GET', `/v1/invitations/${created.id}`)).status).toBe('expired');
    });

    it('shows an unknown link the neutral "not valid" page with status 404, naming no tenant', async () => {
      const real = tokenOf((await invite('uma@example.com', 'Nemo')).url);
      const unknown = randomBytes(real.length).toString('base64url').slice(0, real.length);
      const page = await newPage();
      const opened = await page.goto(`${usher.url}/i/${unknown}`);
      expect(opened?.status()).toBe(404);
      expect(await heading(page)).toBe('Link not valid');
      expect(
        await page.getByText('This invitation link is not valid. It may have been replaced by a newer one.').count(),
      ).toBe(1);
      const tenant = (await api('GET', '/v1/tenant')).name as string;
      expect(await page.content()).not.toContain(tenant);
      expect(await page.getByRole('button').count()).toBe(0);
    });

    it('keeps the Accept button readable on a light brand colour', async () => {
      const before = (await api('GET', '/v1/tenant')).settings?.branding?.color ?? '#4f46e5';
      // Amber: white text on it is 1.66:1, where WCAG AA asks 4.5:1.
      await api('PATCH', '/v1/tenant', { settings: { branding: { color: '#fbbf24' } } });
      try {
        const created = await invite('amber@example.com', 'Amber');
        const page = await newPage('phone');
        await page.goto(created.url);
        await screenshot(page, 'accept-page-light-brand-phone');
        await expectNoAxeViolations(page, 'accept-page-light-brand-phone');
      } finally {
        await api('PATCH', '/v1/tenant', { settings: { branding: { color: before } } });
      }
    });

    it.each(['phone', 'desktop'] as const)(
      'says on the %s screen what a link asks first: approval, or the holder of a DID',
      async (viewport) => {
        const fits = (page: Page) =>
          page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
        const approval = await api('POST', '/v1/invitations', {
          channel: 'link',
          usesAllowed: 20,
          requireApproval: true,
          target: { type: 'project', iri: projectIri(`Vesta ${viewport}`), name: `Vesta ${viewport}` },
        });
        const page = await newPage(viewport);
        await page.goto(approval.url);
        const tenant = (await api('GET', '/v1/tenant')).name as string;
        await page.getByText(`Joining needs approval: your request goes to ${tenant}`).waitFor();
        expect(await fits(page)).toBe(true);
        await screenshot(page, `accept-page-approval-${viewport}`);
        await expectNoAxeViolations(page, `accept-page-approval-${viewport}`);
        await page.getByLabel('Your email').fill(`asker-${viewport}@example.com`);
        await submit(page, 'Ask to join');
        expect((await api('GET', '/v1/join-requests?status=pending')).data.length).toBeGreaterThan(0);

        const did = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
        const bound = await api('POST', '/v1/invitations', {
          channel: 'link',
          usesAllowed: 1,
          recipient: { did },
          target: { type: 'project', iri: projectIri(`Janus ${viewport}`), name: `Janus ${viewport}` },
        });
        await page.goto(bound.url);
        await page.getByText(`This invitation is for the holder of ${did}`).waitFor();
        expect(await page.getByRole('button', { name: 'Accept' }).count()).toBe(0);
        expect(await fits(page)).toBe(true);
        await screenshot(page, `accept-page-did-bound-${viewport}`);
        await expectNoAxeViolations(page, `accept-page-did-bound-${viewport}`);
      },
    );

    it.each(['phone', 'desktop'] as const)(
      'fits the %s screen, before and after accepting, and saves screenshots of both',
      async (viewport) => {
        const created = await invite(`shot-${viewport}@example.com`, `Atlas ${viewport}`, {
          message: 'We would love to have you on the Atlas team. Bring your ideas; the first meeting is on Thursday.',
        });
        const page = await newPage(viewport);
        await page.goto(created.url);
        const fits = () =>
          page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
        expect(await fits()).toBe(true);
        expect(await page.getByRole('button', { name: 'Accept', exact: true }).isVisible()).toBe(true);
        // Standards mode, and the page's own fonts: an escaped stylesheet once fell back to Times.
        expect(await page.evaluate(() => document.compatMode)).toBe('CSS1Compat');
        expect(await page.evaluate(() => getComputedStyle(document.body).lineHeight)).not.toBe('normal');
        const before = await screenshot(page, `accept-page-${viewport}`);
        await expectNoAxeViolations(page, `accept-page-${viewport}`);

        await submit(page, 'Accept');
        expect(await heading(page)).toBe('You are in');
        expect(await fits()).toBe(true);
        const after = await screenshot(page, `accepted-page-${viewport}`);
        await expectNoAxeViolations(page, `accepted-page-${viewport}`);

        for (const file of [before, after]) expect(statSync(file).size).toBeGreaterThan(1_000);
      },
    );

    describe('the hand-off to the host application (OIDC form_post)', () => {
      const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };
      /** An invitation whose own redirect URL is the test's host application on 127.0.0.1. */
      const handedOff = (email: string, project: string) =>
        invite(email, project, { invitedBy: ADA, redirectUrl: `${host.url.replace('/hooks', '/welcome')}?from=usher` });
      const postsFor = (invitationId: string) =>
        host.received.filter(
          (r) => r.method === 'POST' && new URLSearchParams(r.body).get('invitation_id') === invitationId,
        );

      /** Every URL the browser asked for, to show the token never rode in one. */
      function recordUrls(page: Page): string[] {
        const urls: string[] = [];
        page.on('request', (request) => urls.push(request.url()));
        return urls;
      }

      async function expectHandedOff(invitationId: string, urls: readonly string[]) {
        const [post] = postsFor(invitationId);
        expect(post, 'the host application received no POST').toBeDefined();
        expect(post!.path).toBe('/welcome?from=usher');
        expect(post!.headers['content-type']).toBe('application/x-www-form-urlencoded');
        expect(post!.headers.referer).toBeUndefined();
        const fields = new URLSearchParams(post!.body);
        const token = fields.get('acceptance_token')!;
        expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
        const jwks = createLocalJWKSet(await (await fetch(`${usher.url}/.well-known/jwks.json`)).json());
        const { payload } = await jwtVerify(token, jwks, { issuer: usher.url });
        expect(payload).toMatchObject({ invitation: invitationId, invited_by: { id: null, ...ADA } });
        for (const url of [...urls, ...host.received.map((r) => r.path)]) expect(url).not.toContain(token);
      }

      it('lands the browser on the redirect URL with the token in a POSTed form, in no URL it visits', async () => {
        const created = await handedOff('hand-off@example.com', 'Handoff');
        const page = await newPage();
        const urls = recordUrls(page);
        await page.goto(created.url);
        expect(await heading(page)).toBe('Ada Lovelace invites you to join Handoff as contributor');
        await Promise.all([
          page.waitForURL(/\/welcome\?from=usher$/),
          page.getByRole('button', { name: 'Accept', exact: true }).click(),
        ]);
        expect(await page.textContent('body')).toBe('ok');
        await expectHandedOff(created.id, urls);
      });

      it.each(['desktop', 'phone'] as const)(
        'serves a hand-off page axe finds nothing wrong with (%s)',
        async (viewport) => {
          const created = await handedOff(`hand-off-axe-${viewport}@example.com`, `Axe ${viewport}`);
          const page = await newPage(viewport);
          // The page as served, minus the one line that would leave it before axe could look: axe runs in
          // the page's JavaScript, and a context without any (the test below) cannot run it.
          await page.route(/\/accept$/, async (route) => {
            const response = await route.fetch();
            const body = (await response.text()).replace(/<script>[^<]*<\/script>/, '');
            await route.fulfill({ response, body });
          });
          await page.goto(created.url);
          await submit(page, 'Accept');
          expect(await heading(page)).toBe('Invitation accepted');
          await expectNoAxeViolations(page, `hand-off-page-${viewport}`);
          expect(postsFor(created.id)).toEqual([]);
        },
      );

      it.each(['desktop', 'phone'] as const)(
        'hands off without script too, by the visible button (%s), and saves the page',
        async (viewport) => {
          const created = await handedOff(`no-script-${viewport}@example.com`, `Noscript ${viewport}`);
          const page = await newPage(viewport, { javaScriptEnabled: false });
          const urls = recordUrls(page);
          await page.goto(created.url);
          await submit(page, 'Accept');
          const tenant = (await api('GET', '/v1/tenant')).name as string;
          expect(await heading(page)).toBe('Invitation accepted');
          expect(postsFor(created.id)).toEqual([]);
          const shot = await screenshot(page, `hand-off-page-${viewport}`);
          expect(statSync(shot).size).toBeGreaterThan(1_000);
          // (axe runs in the page's JavaScript, which this context has none of: the test above checks this page.)
          await Promise.all([
            page.waitForURL(/\/welcome\?from=usher$/),
            page.getByRole('button', { name: `Continue to ${tenant}` }).click(),
          ]);
          await expectHandedOff(created.id, urls);
        },
      );

      it.each(['desktop', 'phone'] as const)(
        'names the tenant and the sender on spent links, with what to do (%s)',
        async (viewport) => {
          const revoked = await invite(`state-revoked-${viewport}@example.com`, `Revoked ${viewport}`, {
            invitedBy: ADA,
          });
          await api('POST', `/v1/invitations/${revoked.id}/revoke`);
          const used = await invite(`state-used-${viewport}@example.com`, `Used ${viewport}`, { invitedBy: ADA });
          await api('POST', `/v1/public/invitations/${tokenOf(used.url)}/accept`, {});
          const tenant = (await api('GET', '/v1/tenant')).name as string;
          const page = await newPage(viewport);
          for (const [created, name, title] of [
            [revoked, 'revoked', 'Invitation withdrawn'],
            [used, 'already-accepted', 'Already accepted'],
          ] as const) {
            expect((await page.goto(created.url))?.status()).toBe(410);
            expect(await heading(page)).toBe(title);
            expect(await page.getByText(`Invitation from Ada Lovelace at ${tenant}.`).count()).toBe(1);
            const mailto = await page.getByRole('link', { name: 'Write to Ada Lovelace' }).getAttribute('href');
            expect(mailto).toMatch(/^mailto:ada@example\.com\?subject=/);
            await screenshot(page, `state-page-${name}-${viewport}`);
            await expectNoAxeViolations(page, `state-page-${name}-${viewport}`);
          }
        },
      );
    });
  },
);
