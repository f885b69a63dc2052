import { describe, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher, type TestUsher } from '#support/usher';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const cookiesOf = (res: Response) => res.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');

/** A signed-in console: its cookies and the session's CSRF token. */
async function signIn(usher: TestUsher): Promise<{ cookie: string; csrf: string }> {
  const login = await usher.app.request('/console/login');
  const loginCookie = cookiesOf(login);
  const form = new URLSearchParams({ _csrf: csrfOf(await login.text()), key: usher.tenant.apiKey.key });
  const res = await usher.app.request('/console/login', { method: 'POST', headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  expect(res.status).toBe(303);
  const cookie = cookiesOf(res);
  const page = await usher.app.request('/console/invitations', { headers: { cookie } });
  return { cookie, csrf: csrfOf(await page.text()) };
}

/** Row counts of the tables a refused request could have written to. */
async function counts(usher: TestUsher): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['invitations', 'invitation_events', 'contacts', 'webhook_endpoints', 'redemptions', 'provider_accounts'] as const) {
    const row = await usher.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

// Broken the ways a parser meets: no boundary at all, a boundary the body never uses, a part cut short.
const BROKEN_MULTIPART = [
  { type: 'multipart/form-data', body: 'name=x' },
  { type: 'multipart/form-data; boundary=zzz', body: '--other\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--other--' },
  { type: 'multipart/form-data; boundary=zzz', body: '--zzz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nt' },
];

describeEachStore('bad input never answers 500', (engine) => {
  const usher = useTestUsher(engine);

  it('refuses a form body that cannot be parsed on sign-in, the accept page and console forms, and changes nothing', async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
    const token = tokenOf(created.body.url);
    const { cookie } = await signIn(usher);
    const before = await counts(usher);
    for (const path of ['/console/login', `/i/${token}/accept`, `/i/${token}/decline`, '/console/contacts', '/console/webhooks', '/console/settings', '/console/logout']) {
      for (const broken of BROKEN_MULTIPART) {
        const res = await usher.request('POST', path, { key: null, headers: { cookie, 'content-type': broken.type }, raw: broken.body });
        expect(res.status, `${path} ${broken.type}`).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'malformed_form', field: 'body' });
      }
    }
    expect(await counts(usher)).toEqual(before);
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body.status).toBe('pending');
    // The session survived: sign-out was refused, not half done.
    expect((await usher.app.request('/console/invitations', { headers: { cookie } })).status).toBe(200);
  });

  it('refuses a JSON body holding bytes that are not UTF-8, and keeps U+FFFD that was sent as UTF-8', async () => {
    const before = await counts(usher);
    const utf8 = (text: string) => new TextEncoder().encode(text);
    const withByte = (prefix: string, bytes: number[], suffix: string) => new Uint8Array([...utf8(prefix), ...bytes, ...utf8(suffix)]);
    for (const [path, raw] of [
      ['/v1/invitations', withByte('{"channel":"link","label":"a', [0xff], 'b"}')],
      ['/v1/invitations', withByte('{"channel":"link","label":"', [0xc3], '"}')],
      ['/v1/contacts', withByte('{"email":"c@example.com","name":"', [0xed, 0xa0, 0x80], '"}')],
      ['/v1/invitations/bulk', withByte('{"items":[{"channel":"link","label":"', [0xf0, 0x90, 0x80], '!"}]}')],
    ] as const) {
      const res = await usher.request('POST', path, { headers: { 'content-type': 'application/json' }, raw });
      expect(res.status, path).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_encoding', field: 'body' });
    }
    expect(await counts(usher)).toEqual(before);
    const kept = await usher.request('POST', '/v1/invitations', { headers: { 'content-type': 'application/json' }, raw: utf8('{"channel":"link","label":"a\uFFFDb"}') });
    expect(kept.status).toBe(201);
    expect(kept.body.label).toBe('a\uFFFDb');
  });

  it('refuses a locale Intl rejects on an invitation, a bulk item and the tenant settings, naming the field', async () => {
    const before = await counts(usher);
    const create = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', locale: 'zz-!!' } });
    expect(create.status).toBe(400);
    expect(create.body).toMatchObject({ code: 'validation_failed', field: 'body.locale' });
    const underscore = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', locale: 'en_US' } });
    expect(underscore.body.field).toBe('body.locale');
    const bulk = await usher.request('POST', '/v1/invitations/bulk', { body: { items: [{ channel: 'link', locale: 'zz-!!' }] } });
    expect(bulk.body.results[0]).toMatchObject({ outcome: 'invalid', problem: { code: 'validation_failed', field: 'body.items.0.locale' } });
    const defaults = await usher.request('POST', '/v1/invitations/bulk', { body: { defaults: { locale: 'zz-!!' }, items: [{ channel: 'link' }] } });
    expect(defaults.status).toBe(400);
    expect(defaults.body.field).toBe('body.defaults.locale');
    const settings = await usher.request('PATCH', '/v1/tenant', { body: { settings: { locale: 'zz-!!' } } });
    expect(settings.status).toBe(400);
    expect(settings.body.field).toBe('body.settings.locale');
    expect(await counts(usher)).toEqual(before);
    expect((await usher.request('GET', '/v1/tenant')).body.settings.locale).toBe('en');
    expect((await usher.request('POST', '/v1/invitations', { body: { channel: 'link', locale: 'fr-CA' } })).status).toBe(201);
  });

  it('renders the accept page of an invitation whose stored locale, or tenant locale, Intl rejects', async () => {
    const tenant = await usher.createTenant('Stored before the check');
    const created = await usher.request('POST', '/v1/invitations', { key: tenant.apiKey.key, body: { channel: 'link', usesAllowed: null } });
    const token = tokenOf(created.body.url);
    const { db } = usher.store;
    await db.updateTable('invitations').set({ locale: 'zz-!!' }).where('id', '=', created.body.id).execute();
    const page = await usher.app.request(`/i/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('lang="en"');
    await db.updateTable('invitations').set({ locale: null }).where('id', '=', created.body.id).execute();
    const settings = JSON.parse((await db.selectFrom('tenants').select('settings').where('id', '=', tenant.tenant.id).executeTakeFirstOrThrow()).settings);
    await db.updateTable('tenants').set({ settings: JSON.stringify({ ...settings, locale: 'zz-!!' }) }).where('id', '=', tenant.tenant.id).execute();
    expect((await usher.app.request(`/i/${token}`)).status).toBe(200);
    const accepted = await usher.app.request(`/i/${token}/accept`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40example.com' });
    expect(accepted.status).toBe(200);
    expect((await usher.app.request(`/i/${token}/decline`, { method: 'POST' })).status).toBeLessThan(500);
  });

  it('allows http branding and redirect URLs where private networks are allowed, never javascript: or data:', async () => {
    for (const url of ['javascript:alert(1)', 'data:image/svg+xml,<svg/>', 'ftp://example.com/logo.png']) {
      const logo = await usher.request('PATCH', '/v1/tenant', { body: { settings: { branding: { logoUrl: url } } } });
      expect(logo.status, url).toBe(400);
      expect(logo.body.field).toBe('body.settings.branding.logoUrl');
      expect((await usher.request('PATCH', '/v1/tenant', { body: { settings: { redirectUrl: url } } })).body.field).toBe('body.settings.redirectUrl');
    }
    const local = await usher.request('PATCH', '/v1/tenant', { body: { settings: { branding: { logoUrl: 'http://localhost:8080/logo.png' }, redirectUrl: 'http://localhost:3000/welcome' } } });
    expect(local.status).toBe(200);
  });
});

describeEachStore('URLs and addresses where private networks are not allowed', (engine) => {
  const usher = useTestUsher(engine, { allowPrivateNetwork: false });

  it('accepts only https branding and redirect URLs, on the API and the console alike', async () => {
    for (const url of ['http://example.com/logo.png', 'javascript:alert(1)', 'data:image/png;base64,AAAA']) {
      const logo = await usher.request('PATCH', '/v1/tenant', { body: { settings: { branding: { logoUrl: url } } } });
      expect(logo.status, url).toBe(400);
      expect(logo.body).toMatchObject({ code: 'validation_failed', field: 'body.settings.branding.logoUrl' });
      const redirect = await usher.request('PATCH', '/v1/tenant', { body: { settings: { redirectUrl: url } } });
      expect(redirect.body.field).toBe('body.settings.redirectUrl');
    }
    const { cookie, csrf } = await signIn(usher);
    const form = { _csrf: csrf, name: 'Acme', defaultExpiryDays: '7', locale: 'en', color: '#112233', logoUrl: 'javascript:alert(1)', redirectUrl: '', reminderHours: '', emailTemplates: '' };
    const refused = await usher.app.request('/console/settings', { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('an https URL');
    expect((await usher.request('GET', '/v1/tenant')).body.settings.branding.logoUrl).toBeNull();
    const ok = await usher.request('PATCH', '/v1/tenant', { body: { settings: { branding: { logoUrl: 'https://cdn.example.com/logo.png' }, redirectUrl: 'https://app.example.com/welcome' } } });
    expect(ok.status).toBe(200);
  });

  it('does not render a javascript: logo or follow a javascript: redirect stored before schemes were checked', async () => {
    const tenant = await usher.createTenant('Old settings');
    const { db } = usher.store;
    const settings = JSON.parse((await db.selectFrom('tenants').select('settings').where('id', '=', tenant.tenant.id).executeTakeFirstOrThrow()).settings);
    const stored = { ...settings, branding: { ...settings.branding, logoUrl: 'javascript:alert(1)' }, redirectUrl: 'javascript:alert(2)' };
    await db.updateTable('tenants').set({ settings: JSON.stringify(stored) }).where('id', '=', tenant.tenant.id).execute();
    const created = await usher.request('POST', '/v1/invitations', { key: tenant.apiKey.key, body: { channel: 'link' } });
    const token = tokenOf(created.body.url);
    const page = await usher.app.request(`/i/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain('javascript:');
    const accepted = await usher.app.request(`/i/${token}/accept`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=b%40example.com' });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('location')).toBeNull();
  });

  describe('provider accounts', () => {
    const base = { provider: 'linkedin', apiKey: 'k', accountId: 'a' };

    it('refuses at save a DSN the address policy would refuse on every call, naming it, and stores nothing', async () => {
      const before = await counts(usher);
      for (const dsn of ['127.0.0.1:13111', 'http://10.1.2.3/api', 'https://[::1]:8443', 'localhost:3000', 'http://api.localhost', 'https://[::ffff:192.168.0.1]']) {
        const res = await usher.request('POST', '/v1/provider-accounts', { body: { ...base, dsn } });
        expect(res.status, dsn).toBe(422);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'provider_address_refused', field: 'body.dsn' });
      }
      expect(await counts(usher)).toEqual(before);
      expect((await usher.request('POST', '/v1/provider-accounts', { body: { ...base, dsn: 'api1.unipile.com:13111' } })).status).toBe(201);
    });

    it('answers look-ups of an account stored with a refused DSN with a 4xx naming it, not 502', async () => {
      const created = await usher.request('POST', '/v1/provider-accounts', { body: { ...base, dsn: 'api2.unipile.com:13111' } });
      await usher.store.db.updateTable('provider_accounts').set({ dsn: '127.0.0.1:9' }).where('id', '=', created.body.id).execute();
      for (const path of [`/v1/provider-accounts/${created.body.id}/users/someone`, `/v1/provider-accounts/${created.body.id}/sent`]) {
        const res = await usher.request('GET', path);
        expect(res.status, path).toBe(422);
        expect(res.body).toMatchObject({ code: 'provider_address_refused', field: 'path.id' });
      }
    });
  });
});
