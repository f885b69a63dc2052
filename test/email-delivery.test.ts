import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSmtpMailer } from '#delivery';
import { describeEachStore } from '#support/stores';
import { startSmtpServer, type TestSmtpServer } from '#support/smtp';
import { tokenOf, useTestUsher } from '#support/usher';

describeEachStore('email delivery through the outbox into a real SMTP server', (engine) => {
  const smtp = {} as { server: TestSmtpServer };
  beforeAll(async () => {
    smtp.server = await startSmtpServer({ rejectRecipient: (address) => address.startsWith('bounce') });
  });
  afterAll(async () => smtp.server.close());
  const usher = useTestUsher(engine, { mailer: () => createSmtpMailer(smtp.server.url, { maxConnections: 2 }) });

  const drain = async () => {
    while ((await usher.worker.runOnce()) > 0) {
      // keep going until nothing is due
    }
  };
  const mailTo = (address: string) => smtp.server.received.filter((m) => m.envelopeTo.includes(address));

  it('sends a rendered invitation, both parts, whose link opens the invitation', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: {
        recipient: { email: 'ann@example.com', name: 'Ann' },
        role: 'editor',
        message: 'Join <us>!',
        target: { type: 'project', iri: 'https://example.com/p/a', name: 'Apollo' },
      },
    });
    await drain();
    const [mail] = mailTo('ann@example.com');
    expect(mail).toBeDefined();
    const { parsed } = mail!;
    expect(parsed.subject).toContain('Apollo');
    expect(parsed.from?.text).toContain('Acme');
    expect(parsed.messageId).toMatch(/@usher\.test>$/);
    expect(parsed.text).toContain('editor');
    expect(parsed.text).toContain('Join <us>!');
    expect(parsed.html).toContain('Join &lt;us&gt;!');
    const link = /http:\/\/usher\.test\/i\/[A-Za-z0-9_-]{43}/.exec(parsed.text ?? '')?.[0];
    expect(link).toBeDefined();
    expect(parsed.html).toContain(link);
    // One live link per invitation: the email carries the one the create response showed.
    expect(link).toBe(created.body.url);
    const view = await usher.request('GET', `/v1/public/invitations/${tokenOf(link!)}`, { key: null });
    expect(view.body).toMatchObject({ status: 'pending', role: 'editor', target: { name: 'Apollo' } });
    const deliveries = await usher.request('GET', `/v1/invitations/${created.body.id}/deliveries`);
    expect(deliveries.body.summary.email.state).toBe('sent');
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body.delivery.email.state).toBe('sent');
    expect(deliveries.body.data[0].log[0]).toMatchObject({ attempt: 1, outcome: 'sent', responseCode: 250 });
    const events = (await usher.request('GET', `/v1/invitations/${created.body.id}/events`)).body.data.map(
      (e: any) => e.type,
    );
    expect(events).toEqual(['invitation.created', 'invitation.sent']);
  });

  it("names the host application's user who invites, in subject and both bodies, and fills the template placeholders", async () => {
    const invitedBy = { name: 'Ada Lovelace', email: 'ada@example.com' };
    const target = { type: 'project', iri: 'https://example.com/p/apollo-ada', name: 'Apollo' };
    await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'by-ada@example.com' }, invitedBy, target },
    });
    await drain();
    const { parsed } = mailTo('by-ada@example.com')[0]!;
    expect(parsed.subject).toBe('Ada Lovelace invites you to join Apollo');
    expect(parsed.text).toContain('Ada Lovelace has invited you to join Apollo');
    expect(parsed.html).toContain('Ada Lovelace');
    // A reply goes to Ada, not to the no-reply From address.
    expect(parsed.replyTo?.value).toEqual([{ name: 'Ada Lovelace', address: 'ada@example.com' }]);

    const subject = '{{inviterName}} ({{inviterEmail}}) for {{identityName}}: {{targetName}}';
    await usher.request('PATCH', '/v1/tenant', {
      body: { settings: { emailTemplates: { en: { invitation: { subject } } } } },
    });
    await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'by-ada-2@example.com' }, invitedBy, target: { ...target, iri: `${target.iri}-2` } },
    });
    await drain();
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { emailTemplates: {} } } });
    expect(mailTo('by-ada-2@example.com')[0]!.parsed.subject).toBe(
      `Ada Lovelace (ada@example.com) for ${usher.tenant.identity.displayName}: Apollo`,
    );
  });

  it('writes French when the invitation asks for it', async () => {
    await usher.request('POST', '/v1/invitations', {
      body: {
        recipient: { email: 'amelie@example.fr' },
        locale: 'fr-FR',
        target: { type: 'event', iri: 'https://example.com/e/1', name: 'Gala' },
      },
    });
    await drain();
    const { parsed } = mailTo('amelie@example.fr')[0]!;
    expect(parsed.subject).toContain('vous invite');
    expect(parsed.text).toMatch(/janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre/);
    expect(parsed.html).toContain('lang="fr"');
  });

  it('delivers every message once after the SMTP server was down for a while, recording each attempt', async () => {
    await smtp.server.down();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (await usher.request('POST', '/v1/invitations', { body: { recipient: { email: `outage${i}@example.com` } } }))
          .body.id,
      );
    }
    await usher.worker.runOnce();
    await usher.worker.runOnce();
    const during = await usher.request('GET', `/v1/invitations/${ids[0]}/deliveries`);
    // An outage shows on the invitation: retrying, why, and how many attempts so far.
    expect(during.body.summary.email).toMatchObject({
      state: 'retrying',
      attempts: 2,
      reason: during.body.data[0].log[1].error,
    });
    expect(during.body.data[0].log.map((a: any) => a.outcome)).toEqual(['failed', 'failed']);
    expect(during.body.data[0].log[0].error).toMatch(/ECONNREFUSED|connect/i);
    await smtp.server.up();
    await drain();
    for (let i = 0; i < 5; i++) expect(mailTo(`outage${i}@example.com`)).toHaveLength(1);
    const after = await usher.request('GET', `/v1/invitations/${ids[0]}/deliveries`);
    expect(after.body.data[0].log.map((a: any) => a.outcome)).toEqual(['failed', 'failed', 'sent']);
  });

  it('marks a permanently rejected address failed with the reason, and lets it be retried by hand', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'bounce@example.com' } },
    });
    await drain();
    const deliveries = await usher.request('GET', `/v1/invitations/${created.body.id}/deliveries`);
    expect(deliveries.body.summary.email).toMatchObject({ state: 'failed' });
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body.delivery.email.reason).toMatch(
      /550/,
    );
    expect(deliveries.body.summary.email.reason).toMatch(/550/);
    expect(deliveries.body.data[0].log).toHaveLength(1);
    const events = (await usher.request('GET', `/v1/invitations/${created.body.id}/events`)).body.data;
    expect(events.at(-1)).toMatchObject({ type: 'invitation.delivery_failed', status: 'pending' });
    const retried = await usher.request('POST', `/v1/deliveries/${deliveries.body.data[0].id}/retry`);
    expect(retried.body.state).toBe('queued');
    expect((await usher.request('POST', `/v1/deliveries/${deliveries.body.data[0].id}/retry`)).body.code).toBe(
      'delivery_not_failed',
    );
  });

  it('sends nothing for an invitation revoked before the worker got to it', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'late@example.com' } },
    });
    await usher.request('POST', `/v1/invitations/${created.body.id}/revoke`);
    await drain();
    expect(mailTo('late@example.com')).toHaveLength(0);
    const deliveries = await usher.request('GET', `/v1/invitations/${created.body.id}/deliveries`);
    expect(deliveries.body.summary.email.state).toBe('skipped');
  });

  it('resends through the same path: a new email, and every earlier link is dead', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'again@example.com' } },
    });
    await drain();
    const firstLink = /\/i\/([A-Za-z0-9_-]{43})/.exec(mailTo('again@example.com')[0]!.parsed.text ?? '')![1]!;
    await usher.request('POST', `/v1/invitations/${created.body.id}/resend`);
    await drain();
    const mails = mailTo('again@example.com');
    expect(mails).toHaveLength(2);
    const secondLink = /\/i\/([A-Za-z0-9_-]{43})/.exec(mails[1]!.parsed.text ?? '')![1]!;
    expect((await usher.request('GET', `/v1/public/invitations/${firstLink}`, { key: null })).status).toBe(404);
    expect((await usher.request('GET', `/v1/public/invitations/${secondLink}`, { key: null })).status).toBe(200);
  });

  it('sends a reminder before expiry, and none once the invitation is accepted', async () => {
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { reminderBeforeExpirySeconds: 86_400 } } });
    const pending = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'remind@example.com' } },
    });
    const accepted = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'done@example.com' } },
    });
    await drain();
    await usher.request('POST', `/v1/public/invitations/${tokenOf(accepted.body.url)}/accept`, { key: null });
    usher.clock.advance(6 * 86_400_000 + 60_000);
    await drain();
    const reminders = mailTo('remind@example.com');
    expect(reminders).toHaveLength(2);
    expect(reminders[1]!.parsed.subject).toMatch(/remind/i);
    expect(mailTo('done@example.com')).toHaveLength(1);
    const summary = (await usher.request('GET', `/v1/invitations/${accepted.body.id}/deliveries`)).body.summary;
    expect(summary.reminder.state).toBe('skipped');
    expect(pending.status).toBe(201);
    await usher.request('PATCH', '/v1/tenant', { body: { settings: { reminderBeforeExpirySeconds: null } } });
  });
});

describeEachStore('the local mailbox when no SMTP server is configured', (engine) => {
  const usher = useTestUsher(engine);

  it('keeps the invitation email where the API shows it', async () => {
    await usher.request('POST', '/v1/invitations', { body: { recipient: { email: 'local@example.com' } } });
    await usher.worker.runOnce();
    const mailbox = await usher.request('GET', '/v1/mailbox');
    expect(mailbox.body.data).toHaveLength(1);
    expect(mailbox.body.data[0]).toMatchObject({ to: 'local@example.com' });
    expect(mailbox.body.data[0].html).toContain('http://usher.test/i/');
    const other = await usher.createTenant('Other');
    expect((await usher.request('GET', '/v1/mailbox', { key: other.apiKey.key })).body.data).toEqual([]);
  });
});
