import { describe, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher, type TestUsher } from '#support/usher';

const FORM = 'application/x-www-form-urlencoded';
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');

/** Posts a url-encoded form to a page, as a browser would. */
function postForm(usher: TestUsher, path: string, fields: Record<string, string>, cookie = ''): Promise<Response> {
  const body = new URLSearchParams(fields).toString();
  return Promise.resolve(usher.app.request(path, { method: 'POST', headers: { cookie, 'content-type': FORM }, body }));
}

/** A signed-in console: its cookies and the session's CSRF token. */
async function signIn(usher: TestUsher): Promise<{ cookie: string; csrf: string }> {
  const login = await usher.app.request('/console/login');
  const fields = { _csrf: csrfOf(await login.text()), key: usher.tenant.apiKey.key };
  const res = await postForm(usher, '/console/login', fields, cookiesOf(login));
  expect(res.status).toBe(303);
  const cookie = cookiesOf(res);
  const page = await usher.app.request('/console/invitations', { headers: { cookie } });
  return { cookie, csrf: csrfOf(await page.text()) };
}

const COUNTED = [
  ...['invitations', 'invitation_events', 'contacts'],
  ...['webhook_endpoints', 'redemptions', 'provider_accounts'],
] as const;

/** Row counts of the tables a refused request could have written to. */
async function counts(usher: TestUsher): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of COUNTED) {
    const query = usher.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
    out[table] = Number((await query.executeTakeFirstOrThrow()).n);
  }
  return out;
}

/** Changes a tenant's stored settings behind the API's back, as rows written before a check look. */
async function storeSettings(usher: TestUsher, tenantId: string, change: (settings: any) => unknown): Promise<void> {
  const { db } = usher.store;
  const row = await db.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirstOrThrow();
  const settings = JSON.stringify(change(JSON.parse(row.settings)));
  await db.updateTable('tenants').set({ settings }).where('id', '=', tenantId).execute();
}

const patchSettings = (usher: TestUsher, settings: unknown) =>
  usher.request('PATCH', '/v1/tenant', { body: { settings } });

// Broken the ways a parser meets: no boundary at all, a boundary the body never uses, a part cut short.
const BROKEN_MULTIPART = [
  { type: 'multipart/form-data', body: 'name=x' },
  { type: 'multipart/form-data; boundary=zzz', body: '--other\r\nContent-Disposition: form-data; name="a"\r\n\r\nb' },
  { type: 'multipart/form-data; boundary=zzz', body: '--zzz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nt' },
];

describeEachStore('bad input never answers 500', (engine) => {
  const usher = useTestUsher(engine);

  it('refuses a form body it cannot parse on sign-in, the accept page and console forms', async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
    const token = tokenOf(created.body.url);
    const { cookie } = await signIn(usher);
    const before = await counts(usher);
    const pages = [
      ...['/console/login', `/i/${token}/accept`, `/i/${token}/decline`],
      ...['/console/contacts', '/console/webhooks', '/console/settings', '/console/logout'],
    ];
    for (const path of pages) {
      for (const broken of BROKEN_MULTIPART) {
        const headers = { cookie, 'content-type': broken.type };
        const res = await usher.request('POST', path, { key: null, headers, raw: broken.body });
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

  it('refuses a JSON body holding bytes that are not UTF-8, and keeps U+FFFD sent as UTF-8', async () => {
    const before = await counts(usher);
    const utf8 = (text: string) => new TextEncoder().encode(text);
    const withBytes = (prefix: string, bytes: number[], suffix: string) =>
      new Uint8Array([...utf8(prefix), ...bytes, ...utf8(suffix)]);
    const json = { 'content-type': 'application/json' };
    for (const [path, raw] of [
      ['/v1/invitations', withBytes('{"channel":"link","label":"a', [0xff], 'b"}')],
      ['/v1/invitations', withBytes('{"channel":"link","label":"', [0xc3], '"}')],
      ['/v1/contacts', withBytes('{"email":"c@example.com","name":"', [0xed, 0xa0, 0x80], '"}')],
      ['/v1/invitations/bulk', withBytes('{"items":[{"channel":"link","label":"', [0xf0, 0x90, 0x80], '!"}]}')],
    ] as const) {
      const res = await usher.request('POST', path, { headers: json, raw });
      expect(res.status, path).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_encoding', field: 'body' });
    }
    expect(await counts(usher)).toEqual(before);
    const raw = utf8('{"channel":"link","label":"a\uFFFDb"}');
    const kept = await usher.request('POST', '/v1/invitations', { headers: json, raw });
    expect(kept.status).toBe(201);
    expect(kept.body.label).toBe('a\uFFFDb');
  });

  it('refuses a locale Intl rejects on invitations, bulk items and tenant settings, naming the field', async () => {
    const before = await counts(usher);
    const create = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', locale: 'zz-!!' } });
    expect(create.status).toBe(400);
    expect(create.body).toMatchObject({ code: 'validation_failed', field: 'body.locale' });
    const underscore = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', locale: 'en_US' } });
    expect(underscore.body.field).toBe('body.locale');
    const items = [{ channel: 'link', locale: 'zz-!!' }];
    const bulk = await usher.request('POST', '/v1/invitations/bulk', { body: { items } });
    const problem = { code: 'validation_failed', field: 'body.items.0.locale' };
    expect(bulk.body.results[0]).toMatchObject({ outcome: 'invalid', problem });
    const badDefaults = { defaults: { locale: 'zz-!!' }, items: [{ channel: 'link' }] };
    const defaults = await usher.request('POST', '/v1/invitations/bulk', { body: badDefaults });
    expect(defaults.status).toBe(400);
    expect(defaults.body.field).toBe('body.defaults.locale');
    const settings = await patchSettings(usher, { locale: 'zz-!!' });
    expect(settings.status).toBe(400);
    expect(settings.body.field).toBe('body.settings.locale');
    expect(await counts(usher)).toEqual(before);
    expect((await usher.request('GET', '/v1/tenant')).body.settings.locale).toBe('en');
    const fine = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', locale: 'fr-CA' } });
    expect(fine.status).toBe(201);
  });

  it('renders the accept page of an invitation whose stored locale, or tenant locale, Intl rejects', async () => {
    const tenant = await usher.createTenant('Stored before the check');
    const body = { channel: 'link', usesAllowed: null };
    const created = await usher.request('POST', '/v1/invitations', { key: tenant.apiKey.key, body });
    const token = tokenOf(created.body.url);
    const invitation = usher.store.db.updateTable('invitations').where('id', '=', created.body.id);
    await invitation.set({ locale: 'zz-!!' }).execute();
    const page = await usher.app.request(`/i/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('lang="en"');
    await invitation.set({ locale: null }).execute();
    await storeSettings(usher, tenant.tenant.id, (settings) => ({ ...settings, locale: 'zz-!!' }));
    expect((await usher.app.request(`/i/${token}`)).status).toBe(200);
    expect((await postForm(usher, `/i/${token}/accept`, { email: 'a@example.com' })).status).toBe(200);
    expect((await usher.app.request(`/i/${token}/decline`, { method: 'POST' })).status).toBeLessThan(500);
  });

  it('allows http branding and redirect URLs where private networks are, never javascript: or data:', async () => {
    for (const url of ['javascript:alert(1)', 'data:image/svg+xml,<svg/>', 'ftp://example.com/logo.png']) {
      const logo = await patchSettings(usher, { branding: { logoUrl: url } });
      expect(logo.status, url).toBe(400);
      expect(logo.body.field).toBe('body.settings.branding.logoUrl');
      expect((await patchSettings(usher, { redirectUrl: url })).body.field).toBe('body.settings.redirectUrl');
    }
    const local = { branding: { logoUrl: 'http://localhost:8080/l.png' }, redirectUrl: 'http://localhost:3000/w' };
    expect((await patchSettings(usher, local)).status).toBe(200);
  });
});

describeEachStore('URLs and addresses where private networks are not allowed', (engine) => {
  const usher = useTestUsher(engine, { allowPrivateNetwork: false });

  it('accepts only https branding and redirect URLs, on the API and the console alike', async () => {
    for (const url of ['http://example.com/logo.png', 'javascript:alert(1)', 'data:image/png;base64,AAAA']) {
      const logo = await patchSettings(usher, { branding: { logoUrl: url } });
      expect(logo.status, url).toBe(400);
      expect(logo.body).toMatchObject({ code: 'validation_failed', field: 'body.settings.branding.logoUrl' });
      expect((await patchSettings(usher, { redirectUrl: url })).body.field).toBe('body.settings.redirectUrl');
    }
    const { cookie, csrf } = await signIn(usher);
    const form = { _csrf: csrf, name: 'Acme', defaultExpiryDays: '7', locale: 'en', color: '#112233' };
    const bad = { ...form, logoUrl: 'javascript:alert(1)', redirectUrl: '' };
    const refused = await postForm(usher, '/console/settings', bad, cookie);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('an https URL');
    expect((await usher.request('GET', '/v1/tenant')).body.settings.branding.logoUrl).toBeNull();
    const https = { branding: { logoUrl: 'https://cdn.example.com/l.png' }, redirectUrl: 'https://app.example.com/w' };
    expect((await patchSettings(usher, https)).status).toBe(200);
  });

  it("refuses an invitation's redirect URL that is not https, storing nothing", async () => {
    const before = await counts(usher);
    // "HTTP:" is http too: URL lowercases the scheme, and the stored URL is where the accept page sends the invitee.
    for (const url of [
      'http://app.example.com/join',
      'HTTP://app.example.com/join',
      'javascript:alert(1)',
      'data:text/html,x',
    ]) {
      const res = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', redirectUrl: url } });
      expect(res.status, url).toBe(400);
      expect(res.body.field, url).toBe('body.redirectUrl');
      if (url.startsWith('http')) expect(res.body.code, url).toBe('redirect_url_not_https');
    }
    expect(await counts(usher)).toEqual(before);
    const https = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', redirectUrl: 'https://app.example.com/j' },
    });
    expect(https.status).toBe(201);
  });

  it('neither renders a javascript: logo nor follows a javascript: redirect stored before the check', async () => {
    const tenant = await usher.createTenant('Old settings');
    await storeSettings(usher, tenant.tenant.id, (settings) => ({
      ...settings,
      branding: { ...settings.branding, logoUrl: 'javascript:alert(1)' },
      redirectUrl: 'javascript:alert(2)',
    }));
    const body = { channel: 'link' };
    const created = await usher.request('POST', '/v1/invitations', { key: tenant.apiKey.key, body });
    const token = tokenOf(created.body.url);
    const page = await usher.app.request(`/i/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain('javascript:');
    const accepted = await postForm(usher, `/i/${token}/accept`, { email: 'b@example.com' });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('location')).toBeNull();
  });

  describe('provider accounts', () => {
    const base = { provider: 'linkedin', apiKey: 'k', accountId: 'a' };
    const PRIVATE = ['127.0.0.1:13111', 'http://10.1.2.3/api', 'https://[::1]:8443', 'localhost:3000', 'a.localhost'];

    it('refuses at save a DSN the address policy refuses on every call, naming it, storing nothing', async () => {
      const before = await counts(usher);
      for (const dsn of [...PRIVATE, 'https://[::ffff:192.168.0.1]']) {
        const res = await usher.request('POST', '/v1/provider-accounts', { body: { ...base, dsn } });
        expect(res.status, dsn).toBe(422);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'provider_address_refused', field: 'body.dsn' });
      }
      expect(await counts(usher)).toEqual(before);
      const body = { ...base, dsn: 'api1.unipile.com:13111' };
      const fine = await usher.request('POST', '/v1/provider-accounts', { body });
      expect(fine.status).toBe(201);
    });

    it('answers look-ups through an account stored with a refused DSN with a 4xx naming it, not 502', async () => {
      const body = { ...base, dsn: 'api2.unipile.com:13111' };
      const created = await usher.request('POST', '/v1/provider-accounts', { body });
      const { db } = usher.store;
      const stored = db.updateTable('provider_accounts').where('id', '=', created.body.id);
      await stored.set({ dsn: '127.0.0.1:9' }).execute();
      const account = `/v1/provider-accounts/${created.body.id}`;
      for (const path of [`${account}/users/someone`, `${account}/sent`]) {
        const res = await usher.request('GET', path);
        expect(res.status, path).toBe(422);
        expect(res.body).toMatchObject({ code: 'provider_address_refused', field: 'path.id' });
      }
    });
  });
});
