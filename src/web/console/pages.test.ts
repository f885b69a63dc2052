import { Hono } from 'hono';
import { unrestrictedRights } from '#common/rights';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookPinger } from '#delivery/webhooks/ping';
import { createWebhookHandler } from '#delivery/webhooks/webhook-handler';
import {
  createContact,
  getInviter,
  getTenant,
  listApiKeys,
  listContacts,
  listIdentities,
  updateTenant,
  type CreatedTenant,
} from '#tenants';
import { createEndpoint, listEndpoints } from '#delivery/webhooks/index';
import { startReceiver, type TestReceiver } from '#support/http-receiver';
import { PUBLIC_URL, useTestUsher } from '#support/usher';
import { createContactPages } from './contacts-pages';
import type { ConsoleDeps } from './deps';
import { createIdentityPages } from './identities-pages';
import { createKeyPages } from './keys-pages';
import { createMailboxPage } from './mailbox-page';
import type { ConsoleEnv } from './middleware';
import { createSettingsPages } from './settings-pages';
import { createWebhookPages } from './webhooks-pages';

describe('the console pages for contacts, identities, webhooks, keys, settings and the mailbox', () => {
  const usher = useTestUsher('sqlite');
  let app: Hono<ConsoleEnv>;
  let receiver: TestReceiver;
  let other: CreatedTenant;
  const tenantId = () => usher.tenant.tenant.id;

  beforeAll(async () => {
    const { db } = usher.store;
    const clock = usher.clock;
    const pinger = createWebhookPinger({
      db,
      clock,
      handler: createWebhookHandler({ db, clock, allowPrivateNetwork: true }),
    });
    const { invitations } = usher;
    const deps: ConsoleDeps = { db, clock, publicUrl: PUBLIC_URL, invitations, pinger, allowPrivateNetwork: true };
    app = new Hono<ConsoleEnv>();
    // The lead's session guard and CSRF check are tested elsewhere; here the session is simply there.
    app.use('/console/*', async (c, next) => {
      c.set('session', {
        tenantId: tenantId(),
        apiKeyId: usher.tenant.apiKey.id,
        operator: false,
        rights: unrestrictedRights(),
        csrfToken: 't',
      });
      await next();
    });
    for (const create of [
      createContactPages,
      createIdentityPages,
      createWebhookPages,
      createKeyPages,
      createSettingsPages,
      createMailboxPage,
    ])
      app.route('/', create(deps));
    receiver = await startReceiver();
    other = await usher.createTenant('Other');
  });
  afterAll(() => receiver?.close());

  const get = (path: string) => app.request(path);
  const post = (path: string, fields: Record<string, string | string[]> = {}) => {
    const body = new URLSearchParams({ _csrf: 't' });
    for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v);
    return app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  };

  it('renders every list and form page with the CSRF token in its forms', async () => {
    for (const path of [
      '/console/contacts',
      '/console/contacts/new',
      '/console/identities',
      '/console/identities/new',
      '/console/webhooks',
      '/console/webhooks/new',
      '/console/keys',
      '/console/keys/new',
      '/console/settings',
      '/console/mailbox',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).toContain('Acme');
      if (path.endsWith('/new') || path === '/console/settings') expect(html, path).toContain('name="_csrf" value="t"');
    }
  });

  describe('contacts', () => {
    it('refuses a contact with a bad email and DID, with a message by each field, and stores nothing', async () => {
      const before = (await listContacts(usher.store.db, tenantId(), { limit: 200 })).data.length;
      const res = await post('/console/contacts', { name: 'Ana', email: 'not-an-email', did: 'nope', tags: 'a, b' });
      const html = await res.text();
      expect(res.status).toBe(400);
      expect(html).toContain('id="f-email-error"');
      expect(html).toContain('Invalid email address');
      expect(html).toContain('a DID such as did:key:');
      expect(html).toContain('aria-describedby="f-did-hint f-did-error"');
      expect(html).toContain('value="not-an-email"');
      expect((await listContacts(usher.store.db, tenantId(), { limit: 200 })).data.length).toBe(before);
    });

    it('creates a contact with comma-separated tags, then lists it and finds it by tag', async () => {
      const res = await post('/console/contacts', {
        name: 'Bea',
        email: 'bea@example.com',
        did: '',
        actorIri: 'https://social.example/users/bea',
        tags: 'board, partner,',
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/console/contacts?notice=created');
      const list = await (await get('/console/contacts?notice=created')).text();
      expect(list).toContain('Contact saved.');
      expect(list).toContain('bea@example.com');
      expect(list).toContain('board, partner');
      expect(await (await get('/console/contacts?tag=partner')).text()).toContain('bea@example.com');
      expect(await (await get('/console/contacts?tag=nobody')).text()).not.toContain('bea@example.com');
      expect(await (await get('/console/contacts?email=BEA@example.com')).text()).toContain('bea@example.com');
    });

    it('pages through contacts with a Next page link that keeps the filter', async () => {
      for (let i = 0; i < 26; i++)
        await createContact(
          usher.store.db,
          tenantId(),
          { email: `p${i}@example.com`, tags: ['paged'] },
          usher.clock.now(),
        );
      const first = await (await get('/console/contacts?tag=paged')).text();
      const next = /href="(\/console\/contacts\?tag=paged&amp;cursor=[^"]+)">Next page/.exec(first)?.[1];
      expect(next).toBeDefined();
      const second = await (await get(next!.replace(/&amp;/g, '&'))).text();
      expect(second).toContain('p25@example.com');
      expect(second).not.toContain('p0@example.com');
      expect(second).not.toContain('Next page');
    });

    it("deletes a contact, and treats another tenant's contact as not found", async () => {
      const mine = await createContact(usher.store.db, tenantId(), { email: 'gone@example.com' }, usher.clock.now());
      const theirs = await createContact(
        usher.store.db,
        other.tenant.id,
        { email: 'theirs@example.com' },
        usher.clock.now(),
      );
      expect((await post(`/console/contacts/${theirs.id}/delete`)).status).toBe(404);
      expect((await listContacts(usher.store.db, other.tenant.id, { limit: 10 })).data).toHaveLength(1);
      const res = await post(`/console/contacts/${mine.id}/delete`);
      expect(res.headers.get('location')).toBe('/console/contacts?notice=deleted');
      expect(await (await get('/console/contacts?email=gone@example.com')).text()).toContain('No contact matches.');
    });
  });

  describe('identities', () => {
    it('refuses a badly formed handle with the rule as its message, and creates nothing', async () => {
      const before = (await listIdentities(usher.store.db, tenantId())).length;
      const res = await post('/console/identities', { displayName: 'Events team', handle: 'Not A Handle' });
      const html = await res.text();
      expect(res.status).toBe(400);
      expect(html).toContain('id="f-handle-error"');
      expect(html).toContain('lower-case letters, digits');
      expect((await listIdentities(usher.store.db, tenantId())).length).toBe(before);
    });

    it('creates an identity, lists it with its DID, and disables then enables it', async () => {
      expect(
        (await post('/console/identities', { displayName: 'Events team', handle: 'events-team-pages' })).status,
      ).toBe(303);
      const identity = (await listIdentities(usher.store.db, tenantId())).find(
        (i) => i.handle === 'events-team-pages',
      )!;
      const list = await (await get('/console/identities')).text();
      expect(list).toContain(identity.did);
      expect(list).toContain('(default)');
      expect((await post(`/console/identities/${identity.id}/disable`)).headers.get('location')).toBe(
        '/console/identities?notice=disabled',
      );
      expect((await listIdentities(usher.store.db, tenantId())).find((i) => i.id === identity.id)!.status).toBe(
        'disabled',
      );
      await post(`/console/identities/${identity.id}/enable`);
      expect((await listIdentities(usher.store.db, tenantId())).find((i) => i.id === identity.id)!.status).toBe(
        'active',
      );
    });

    it("shows the service's refusal when the default identity is disabled, and a handle already taken", async () => {
      const res = await post(`/console/identities/${usher.tenant.identity.id}/disable`);
      expect(res.status).toBe(409);
      expect(await res.text()).toContain('The default identity cannot be disabled');
      expect((await listIdentities(usher.store.db, tenantId()))[0]!.status).toBe('active');
      const taken = await post('/console/identities', { displayName: 'Copy', handle: usher.tenant.identity.handle });
      expect(taken.status).toBe(409);
      expect(await taken.text()).toContain('That identity handle is taken');
    });

    it("treats another tenant's identity as not found", async () => {
      expect((await post(`/console/identities/${other.identity.id}/disable`)).status).toBe(404);
    });
  });

  describe('webhooks', () => {
    it('refuses a bad URL and an empty event choice with readable messages, and creates nothing', async () => {
      const res = await post('/console/webhooks', { url: 'ftp://nope', description: 'x' });
      const html = await res.text();
      expect(res.status).toBe(400);
      expect(html).toContain('an absolute http(s) URL without credentials');
      expect(html).toContain('Choose at least one event, or all events.');
      expect(html).toContain('aria-describedby="f-events-error"');
      expect(await listEndpoints(usher.store.db, tenantId())).toHaveLength(0);
    });

    it('creates an endpoint for chosen events and shows its secret once, never on the list or detail pages', async () => {
      const res = await post('/console/webhooks', {
        url: receiver.url,
        events: ['invitation.accepted', 'invitation.declined'],
      });
      const html = await res.text();
      expect(res.status).toBe(200);
      const secret = /whsec_[A-Za-z0-9+/=]+/.exec(html)?.[0];
      expect(secret).toBeDefined();
      expect(html).toContain('shown only this once');
      const [endpoint] = await listEndpoints(usher.store.db, tenantId());
      expect(endpoint!.events).toEqual(['invitation.accepted', 'invitation.declined']);
      expect(await (await get('/console/webhooks')).text()).not.toContain(secret!);
      const detail = await (await get(`/console/webhooks/${endpoint!.id}`)).text();
      expect(detail).not.toContain(secret!);
      expect(detail).not.toContain('whsec_');
    });

    it('sends a test ping to a real receiver and shows its state and response code, then logs it', async () => {
      const [endpoint] = await listEndpoints(usher.store.db, tenantId());
      const res = await post(`/console/webhooks/${endpoint!.id}/ping`);
      expect(res.status).toBe(303);
      expect(receiver.received.at(-1)!.body).toContain('webhook.ping');
      const detail = await (await get(res.headers.get('location')!)).text();
      expect(detail).toContain('Test ping: sent, response 200');
      expect(detail).toContain('webhook.ping');
      receiver.respondWith(500);
      const failed = await (
        await get((await post(`/console/webhooks/${endpoint!.id}/ping`)).headers.get('location')!)
      ).text();
      expect(failed).toContain('Test ping: failed, response 500');
      receiver.respondWith(200);
    });

    it('re-enables a disabled endpoint, and offers Re-enable only while it is disabled', async () => {
      const [endpoint] = await listEndpoints(usher.store.db, tenantId());
      await usher.store.db
        .updateTable('webhook_endpoints')
        .set({ status: 'disabled', failure_streak: 20 })
        .where('id', '=', endpoint!.id)
        .execute();
      expect(await (await get(`/console/webhooks/${endpoint!.id}`)).text()).toContain('Re-enable');
      const res = await post(`/console/webhooks/${endpoint!.id}/enable`);
      const detail = await (await get(res.headers.get('location')!)).text();
      expect(detail).toContain('Endpoint re-enabled');
      expect(detail).not.toContain('Re-enable</button>');
      expect((await listEndpoints(usher.store.db, tenantId()))[0]!.failureStreak).toBe(0);
    });

    it('rotates the secret and shows the new one once', async () => {
      const [endpoint] = await listEndpoints(usher.store.db, tenantId());
      const first = /whsec_[A-Za-z0-9+/=]+/.exec(
        await (await post(`/console/webhooks/${endpoint!.id}/rotate-secret`)).text(),
      )?.[0];
      const second = /whsec_[A-Za-z0-9+/=]+/.exec(
        await (await post(`/console/webhooks/${endpoint!.id}/rotate-secret`)).text(),
      )?.[0];
      expect(first).toBeDefined();
      expect(second).not.toBe(first);
      expect(await (await get(`/console/webhooks/${endpoint!.id}`)).text()).not.toContain('whsec_');
    });

    it("treats another tenant's endpoint as not found for every page and action", async () => {
      const theirs = await createEndpoint(
        usher.store.db,
        other.tenant.id,
        { url: receiver.url, events: ['*'] },
        usher.clock.now(),
      );
      const received = receiver.received.length;
      expect((await get(`/console/webhooks/${theirs.id}`)).status).toBe(404);
      for (const action of ['ping', 'enable', 'rotate-secret', 'delete'])
        expect((await post(`/console/webhooks/${theirs.id}/${action}`)).status, action).toBe(404);
      expect(receiver.received.length).toBe(received);
      expect(await listEndpoints(usher.store.db, other.tenant.id)).toHaveLength(1);
    });

    it('deletes an endpoint', async () => {
      const [endpoint] = await listEndpoints(usher.store.db, tenantId());
      expect((await post(`/console/webhooks/${endpoint!.id}/delete`)).headers.get('location')).toBe(
        '/console/webhooks?notice=deleted',
      );
      expect(await listEndpoints(usher.store.db, tenantId())).toHaveLength(0);
    });
  });

  describe('API keys', () => {
    it('refuses a key without a name, and creates nothing', async () => {
      const before = (await listApiKeys(usher.store.db, tenantId())).length;
      const res = await post('/console/keys', { name: '   ' });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('id="f-name-error"');
      expect((await listApiKeys(usher.store.db, tenantId())).length).toBe(before);
    });

    it('creates a key and shows it once, never on the list', async () => {
      const html = await (await post('/console/keys', { name: 'CRM sync' })).text();
      const key = /usk_[A-Za-z0-9_-]+/.exec(html)?.[0];
      expect(key).toBeDefined();
      expect(html).toContain('shown only this once');
      const list = await (await get('/console/keys')).text();
      expect(list).toContain('CRM sync');
      expect(list).toContain(`${key!.slice(0, 10)}…`);
      expect(list).not.toContain(key!);
    });

    it("sets another key's invitation quota, returns it to the tenant's default, and refuses a bad count", async () => {
      await post('/console/keys', { name: 'Quota desk' });
      const crm = (await listApiKeys(usher.store.db, tenantId())).find((k) => k.name === 'Quota desk')!;
      const quotaOf = async () =>
        (await listApiKeys(usher.store.db, tenantId())).find((k) => k.id === crm.id)!.inviteQuota;
      expect(await (await get(`/console/keys/${crm.id}/quota`)).text()).toContain('Invitations per day');
      const saved = await post(`/console/keys/${crm.id}/quota`, { perHour: '', perDay: '40' });
      expect(saved.headers.get('location')).toBe('/console/keys?notice=quota');
      expect(await quotaOf()).toEqual({ perHour: null, perDay: 40 });
      expect(await (await get('/console/keys?notice=quota')).text()).toContain('no limit/hour, 40/day');
      const bad = await post(`/console/keys/${crm.id}/quota`, { perHour: 'lots', perDay: '' });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('id="f-perHour-error"');
      expect(await quotaOf()).toEqual({ perHour: null, perDay: 40 });
      const own = await post(`/console/keys/${usher.tenant.apiKey.id}/quota`, { perHour: '1', perDay: '' });
      expect(own.status).toBe(403);
      await post(`/console/keys/${crm.id}/quota`, { perHour: '', perDay: '' });
      expect(await quotaOf()).toBeNull();
    });

    it("revokes another key, but shows the service's refusal for the session's own key", async () => {
      const crm = (await listApiKeys(usher.store.db, tenantId())).find((k) => k.name === 'CRM sync')!;
      expect((await post(`/console/keys/${crm.id}/revoke`)).headers.get('location')).toBe(
        '/console/keys?notice=revoked',
      );
      expect((await listApiKeys(usher.store.db, tenantId())).find((k) => k.id === crm.id)!.revokedAt).not.toBeNull();
      const own = await post(`/console/keys/${usher.tenant.apiKey.id}/revoke`);
      expect(own.status).toBe(409);
      expect(await own.text()).toContain('A key cannot revoke itself');
      expect((await post(`/console/keys/${other.apiKey.id}/revoke`)).status).toBe(404);
      expect((await listApiKeys(usher.store.db, other.tenant.id))[0]!.revokedAt).toBeNull();
    });
  });

  describe('settings', () => {
    const valid = {
      name: 'Acme',
      defaultExpiryDays: '14',
      locale: 'fr',
      color: '#112233',
      logoUrl: '',
      redirectUrl: 'https://acme.example/welcome',
      reminderHours: '24',
      emailTemplates: '',
    };

    it('saves the settings, converting days and hours to seconds, and says so', async () => {
      const res = await post('/console/settings', {
        ...valid,
        emailTemplates: '{"fr": {"invitation": {"subject": "{{inviterName}} vous invite"}}}',
      });
      expect(res.headers.get('location')).toBe('/console/settings?notice=saved');
      const { settings } = await getTenant(usher.store.db, tenantId());
      expect(settings.defaultExpirySeconds).toBe(14 * 86_400);
      expect(settings.reminderBeforeExpirySeconds).toBe(24 * 3_600);
      expect(settings.locale).toBe('fr');
      expect(settings.branding).toEqual({ color: '#112233', logoUrl: null });
      expect(settings.emailTemplates).toEqual({ fr: { invitation: { subject: '{{inviterName}} vous invite' } } });
      const html = await (await get('/console/settings?notice=saved')).text();
      expect(html).toContain('Settings saved.');
      expect(html).toContain('value="14"');
      expect(html).toContain('vous invite');
    });

    it("offers to rename the identity invitations are sent from, checked while it carries the tenant's name", async () => {
      const { db } = usher.store;
      const identityName = async () => (await getInviter(db, tenantId(), undefined)).identity.displayName;
      await updateTenant(db, tenantId(), { name: await identityName() }, usher.clock.now());
      const checkbox =
        /<input type="checkbox" id="f-renameDefaultIdentity" name="renameDefaultIdentity"( checked="")?\/>/;
      const form = await (await get('/console/settings')).text();
      expect(form).toContain('Also rename the identity invitations are sent from');
      expect(checkbox.exec(form)?.[1]).toBe(' checked=""');
      await post('/console/settings', { ...valid, name: 'Apollo Labs', renameDefaultIdentity: 'on' });
      expect(await identityName()).toBe('Apollo Labs');
      // Unticked: the tenant alone is renamed, and the box is no longer ticked for the next rename.
      await post('/console/settings', { ...valid, name: 'Apollo Labs Ltd' });
      expect(await identityName()).toBe('Apollo Labs');
      expect(checkbox.exec(await (await get('/console/settings')).text())?.[1]).toBeUndefined();
    });

    it("saves the default invitation quotas (empty: no limit), keeping named inviters' own", async () => {
      const inviters = { 'user-9': { perHour: 1, perDay: 2 } };
      await updateTenant(usher.store.db, tenantId(), { settings: { inviteQuotas: { inviters } } }, usher.clock.now());
      const quotas = { keyPerHour: '10', keyPerDay: '', inviterPerHour: '', inviterPerDay: '5' };
      const res = await post('/console/settings', { ...valid, ...quotas });
      expect(res.headers.get('location')).toBe('/console/settings?notice=saved');
      expect((await getTenant(usher.store.db, tenantId())).settings.inviteQuotas).toEqual({
        perKey: { perHour: 10, perDay: null },
        perInviter: { perHour: null, perDay: 5 },
        inviters,
      });
      expect(await (await get('/console/settings')).text()).toMatch(
        /id="f-keyPerHour" name="keyPerHour"[^>]*value="10"/,
      );
      const before = await getTenant(usher.store.db, tenantId());
      const refused = await post('/console/settings', { ...valid, ...quotas, keyPerDay: '2.5' });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('Enter a whole number, or leave empty for no limit.');
      const tooMany = await post('/console/settings', { ...valid, ...quotas, inviterPerHour: '99999999' });
      expect(tooMany.status).toBe(400);
      expect(await tooMany.text()).toContain('aria-describedby="f-inviterPerHour-error"');
      expect(await getTenant(usher.store.db, tenantId())).toEqual(before);
    });

    it('reads an empty reminder as none', async () => {
      await post('/console/settings', { ...valid, reminderHours: '' });
      expect((await getTenant(usher.store.db, tenantId())).settings.reminderBeforeExpirySeconds).toBeNull();
    });

    it('refuses broken JSON, an unknown placeholder and an out-of-range expiry readably, and changes nothing', async () => {
      const before = await getTenant(usher.store.db, tenantId());
      const broken = await post('/console/settings', { ...valid, name: 'Renamed', emailTemplates: '{"fr": ' });
      expect(broken.status).toBe(400);
      expect(await broken.text()).toContain('This is not valid JSON');
      const unknown = await post('/console/settings', {
        ...valid,
        defaultExpiryDays: '5000',
        emailTemplates: '{"fr": {"reminder": {"text": "Hi {{nobody}}"}}}',
      });
      const html = await unknown.text();
      expect(unknown.status).toBe(400);
      expect(html).toContain('at fr.reminder.text: Unknown placeholder {{nobody}}');
      expect(html).toContain('Must be between 1 minute and 3650 days.');
      expect(html).toContain('aria-describedby="f-emailTemplates-error"');
      expect(await getTenant(usher.store.db, tenantId())).toEqual(before);
    });
  });

  describe('mailbox', () => {
    it('lists kept messages and shows one with its text, and its HTML only inside a sandboxed frame', async () => {
      await usher.request('POST', '/v1/invitations', {
        body: { recipient: { email: 'mailbox@example.com' }, message: '<script>alert(1)</script>' },
      });
      await usher.worker.runOnce();
      const list = await (await get('/console/mailbox')).text();
      expect(list).toContain('no SMTP server is configured');
      expect(list).toContain('mailbox@example.com');
      const id = /href="\/console\/mailbox\/([0-9a-f-]{36})"/.exec(list)![1]!;
      const html = await (await get(`/console/mailbox/${id}`)).text();
      expect(html).toContain('<iframe sandbox="" srcdoc="');
      expect(html).toContain('<pre');
      expect(html).toMatch(/href="http:\/\/usher\.test\/i\/[A-Za-z0-9_-]+"/);
      // The email's markup appears only escaped, inside the srcdoc attribute.
      expect(html.match(/<html/g)).toHaveLength(1);
      expect(html).not.toContain('<script>alert(1)</script>');
    });

    it("treats another tenant's message as not found", async () => {
      await usher.request('POST', '/v1/invitations', {
        key: other.apiKey.key,
        body: { recipient: { email: 'elsewhere@example.com' } },
      });
      await usher.worker.runOnce();
      const theirs = await usher.store.db
        .selectFrom('mailbox')
        .select('id')
        .where('tenant_id', '=', other.tenant.id)
        .executeTakeFirstOrThrow();
      expect((await get(`/console/mailbox/${theirs.id}`)).status).toBe(404);
      expect(await (await get('/console/mailbox')).text()).not.toContain('elsewhere@example.com');
    });
  });
});
