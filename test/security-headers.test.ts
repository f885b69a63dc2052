import { describe, expect, it } from 'vitest';
import { scriptHash } from '#http/security-headers';
import { HAND_OFF_SCRIPT, webPagePolicies } from '#web';
import { tokenOf, useTestUsher, type TestUsher } from '#support/usher';

const HSTS = 'max-age=31536000; includeSubDomains';

function expectEveryResponseHeaders(headers: Headers, https: boolean) {
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('strict-transport-security')).toBe(https ? HSTS : null);
}

/** The directives of a policy, by name. */
function directives(policy: string | null): Record<string, string> {
  const parts = (policy ?? '').split(';').map((part) => part.trim().split(/\s+/));
  return Object.fromEntries(parts.map(([name, ...values]) => [name!, values.join(' ')]));
}

function checks(usher: TestUsher, https: boolean) {
  it('sends nosniff and no-referrer, and HSTS only over https, on API answers, refusals and errors', async () => {
    const answers = [
      await usher.request('GET', '/healthz', { key: null }),
      await usher.request('GET', '/v1/invitations'),
      await usher.request('GET', '/v1/invitations', { key: null }),
      await usher.request('POST', '/v1/invitations', { body: { recipient: { email: 'not an email' } } }),
      await usher.request('GET', '/no/such/route', { key: null }),
      await usher.request('GET', '/openapi.json', { key: null }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 401, 400, 404, 200]);
    for (const answer of answers) {
      expectEveryResponseHeaders(answer.headers, https);
      // JSON is not a page: no policy to frame or to run.
      expect(answer.headers.get('content-security-policy')).toBeNull();
    }
  });

  it("sends the accept page with a policy that runs only the hand-off's one line, by hash, and can never be framed", async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
    for (const path of [`/i/${tokenOf(created.body.url)}`, '/i/not-a-token']) {
      const page = await usher.request('GET', path, { key: null });
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expectEveryResponseHeaders(page.headers, https);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      const csp = directives(page.headers.get('content-security-policy'));
      expect(csp).toMatchObject({ 'default-src': "'self'", 'frame-ancestors': "'none'", 'base-uri': "'none'" });
      expect(csp['script-src']).toBe(scriptHash(HAND_OFF_SCRIPT));
      expect(csp['img-src']).toContain('https:');
      expect(csp['style-src']).toBe("'self' 'unsafe-inline'");
    }
  });

  it("sends console pages with a policy that runs only the console's own script, by hash", async () => {
    for (const path of ['/console/login', '/console/invitations']) {
      const page = await usher.request('GET', path, { key: null });
      expectEveryResponseHeaders(page.headers, https);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      const csp = directives(page.headers.get('content-security-policy'));
      expect(csp).toMatchObject({ 'default-src': "'self'", 'form-action': "'self'", 'frame-ancestors': "'none'" });
      expect(csp['script-src']).toMatch(/^'sha256-[A-Za-z0-9+/]{43}='$/);
    }
  });

  it('sends the API reference with its own policy: its script from this server, no eval', async () => {
    const page = await usher.request('GET', '/docs', { key: null });
    expectEveryResponseHeaders(page.headers, https);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const csp = directives(page.headers.get('content-security-policy'));
    expect(csp['script-src']).toMatch(/^'self' 'sha256-[A-Za-z0-9+/]{43}='$/);
    expect(csp).toMatchObject({ 'connect-src': "'self'", 'frame-ancestors': "'none'" });
  });
}

describe('security headers, public URL over http', () => {
  checks(useTestUsher('sqlite'), false);
});

describe('security headers, public URL over https', () => {
  checks(useTestUsher('sqlite', { publicUrl: 'https://usher.example' }), true);
});

describe('page policies', () => {
  it('load images and lead forms over https only, unless private addresses (and so http) are allowed', () => {
    const strict = webPagePolicies({ allowHttp: false }).find((policy) => policy.prefix === '/i/')!;
    expect(directives(strict.directives)).toMatchObject({ 'img-src': "'self' https:", 'form-action': "'self' https:" });
    const local = webPagePolicies({ allowHttp: true }).find((policy) => policy.prefix === '/i/')!;
    expect(directives(local.directives)).toMatchObject({
      'img-src': "'self' https: http:",
      'form-action': "'self' https: http:",
    });
  });
});
