import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';
import { requestFrom, serveOnLoopback, type LoopbackResponse } from '#support/loopback';

const PROXY = '127.0.0.60';

describeEachStore('limits for anonymous callers', (engine) => {
  const usher = useTestUsher(engine, {
    clientLimits: { trustedProxies: [`${PROXY}/32`], perMinute: { public: 3, signIn: 50, didcomm: 2, inbox: 2 } },
  });
  const server = {} as { url: string; close: () => Promise<void> };
  let token = '';

  beforeAll(async () => {
    Object.assign(server, await serveOnLoopback(usher.app.fetch));
    // Every test starts 30 s into a window, so `t` and Retry-After are 30.
    usher.clock.set(new Date('2026-11-25T10:00:30.000Z'));
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', usesAllowed: 100 } });
    token = new URL(created.body.url).pathname.split('/').pop()!;
  });
  afterAll(() => server.close());

  const view = (from: string, headers?: Record<string, string>) =>
    requestFrom(from, `${server.url}/v1/public/invitations/${token}`, { headers });
  const statuses = async (times: number, send: () => Promise<LoopbackResponse>) => {
    const seen: number[] = [];
    for (let i = 0; i < times; i += 1) seen.push((await send()).status);
    return seen;
  };

  it('refuses one client past its limit with 429 problem+json while another client is served', async () => {
    const first = await view('127.0.0.2');
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"public";q=3;w=60');
    expect(first.headers.ratelimit).toBe('"public";r=2;t=30');
    expect(await statuses(2, () => view('127.0.0.2'))).toEqual([200, 200]);

    const refused = await view('127.0.0.2');
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(refused.text)).toMatchObject({
      status: 429,
      code: 'rate_limited',
      'violated-policies': ['public'],
    });
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.headers.ratelimit).toBe('"public";r=0;t=30');
    // Accepting is the same group: the refused client cannot accept either, and nothing was used.
    const accept = await requestFrom('127.0.0.2', `${server.url}/v1/public/invitations/${token}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(accept.status).toBe(429);
    expect((await usher.request('GET', `/v1/public/invitations/${token}`)).body).toMatchObject({ status: 'pending' });

    const other = await view('127.0.0.3');
    expect(other.status).toBe(200);
    expect(other.headers.ratelimit).toBe('"public";r=2;t=30');

    usher.clock.advance(30_000);
    expect((await view('127.0.0.2')).headers.ratelimit).toBe('"public";r=2;t=60');
    usher.clock.set(new Date('2026-11-25T10:00:30.000Z'));
  });

  it('shows a person over the limit on the accept page a readable page, not JSON', async () => {
    expect(await statuses(3, () => requestFrom('127.0.0.4', `${server.url}/i/${token}`))).toEqual([200, 200, 200]);
    const refused = await requestFrom('127.0.0.4', `${server.url}/i/${token}`);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.headers['ratelimit-policy']).toBe('"public";q=3;w=60');
    expect(refused.text).toContain('Please wait a moment');
    expect(refused.text).toContain('Try again in 30 seconds');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy, so a spoofed one dodges nothing', async () => {
    const spoofed = (i: number) => view('127.0.0.5', { 'x-forwarded-for': `198.51.100.${i}` });
    const seen: number[] = [];
    for (let i = 1; i <= 4; i += 1) seen.push((await spoofed(i)).status);
    expect(seen).toEqual([200, 200, 200, 429]);
  });

  it('counts the client a trusted proxy names: the right-most address that is not a proxy', async () => {
    // The proxy appends the address it saw; what the client wrote before it ("203.0.113.9") is not believed.
    const viaProxy = (client: string) => view(PROXY, { 'x-forwarded-for': `203.0.113.9, ${client}` });
    expect(await statuses(4, () => viaProxy('198.51.100.20'))).toEqual([200, 200, 200, 429]);
    expect((await viaProxy('198.51.100.21')).status).toBe(200);
    // A chain of trusted proxies is walked through: the client is still 198.51.100.20.
    expect((await view(PROXY, { 'x-forwarded-for': `198.51.100.20, ${PROXY}` })).status).toBe(429);
    // The proxy itself, with nothing forwarded, is its own client and was not charged for the others.
    expect((await view(PROXY)).status).toBe(200);
  });

  it('counts an IPv6 client by its /64, so rotating addresses within it dodges nothing', async () => {
    const viaProxy = (client: string) => view(PROXY, { 'x-forwarded-for': client });
    expect(await statuses(3, () => viaProxy('2001:db8:1:2::a'))).toEqual([200, 200, 200]);
    expect((await viaProxy('2001:db8:1:2:ffff::b')).status).toBe(429);
    expect((await viaProxy('2001:db8:1:3::a')).status).toBe(200);
  });

  it('limits DIDComm envelopes and ActivityPub inbox deliveries per client, each in its own group', async () => {
    const didcomm = () =>
      requestFrom('127.0.0.6', `${server.url}/didcomm`, {
        method: 'POST',
        headers: { 'content-type': 'application/didcomm-envelope-enc' },
        body: '{}',
      });
    const first = await didcomm();
    expect(first.status).not.toBe(429);
    expect(first.headers['ratelimit-policy']).toBe('"didcomm";q=2;w=60');
    await didcomm();
    expect((await didcomm()).status).toBe(429);

    const inbox = () =>
      requestFrom('127.0.0.6', `${server.url}/ap/inbox`, {
        method: 'POST',
        headers: { 'content-type': 'application/activity+json' },
        body: '{}',
      });
    const delivered = await inbox();
    expect(delivered.status).not.toBe(429);
    expect(delivered.headers.ratelimit).toBe('"inbox";r=1;t=30');
    await inbox();
    const refused = await inbox();
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'rate_limited', 'violated-policies': ['inbox'] });
  });

  /** The console's sign-in form as a browser sends it: its CSRF cookie and field, then the key. */
  async function signInFrom(from: string, key: string): Promise<LoopbackResponse> {
    const form = await requestFrom(from, `${server.url}/console/login`);
    const cookie = ([] as string[])
      .concat(form.headers['set-cookie'] ?? [])
      .map((line) => line.split(';')[0])
      .join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const body = new URLSearchParams({ _csrf: csrf, next: '/console/invitations', key }).toString();
    return requestFrom(from, `${server.url}/console/login`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  }

  it('locks console sign-in out per client after five failures, twice as long each time; a success resets it', async () => {
    const wrong = 'usher_not-a-key-at-all-0123456789';
    const right = usher.tenant.apiKey.key;
    expect(await statuses(6, () => signInFrom('127.0.0.7', wrong))).toEqual([401, 401, 401, 401, 401, 401]);
    // Locked for 2 s: even the right key is not looked at.
    const locked = await signInFrom('127.0.0.7', right);
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBe('2');
    expect(locked.text).toContain('Too many failed sign-ins from your network. Try again in 2 seconds.');
    // Another client signs in meanwhile.
    expect((await signInFrom('127.0.0.8', right)).status).toBe(303);

    usher.clock.advance(2_000);
    expect((await signInFrom('127.0.0.7', wrong)).status).toBe(401);
    expect((await signInFrom('127.0.0.7', right)).headers['retry-after']).toBe('4');
    usher.clock.advance(4_000);
    expect((await signInFrom('127.0.0.7', right)).status).toBe(303);
    // Counting starts again from nothing.
    expect(await statuses(5, () => signInFrom('127.0.0.7', wrong))).toEqual([401, 401, 401, 401, 401]);
    expect((await signInFrom('127.0.0.7', right)).status).toBe(303);
    usher.clock.set(new Date('2026-11-25T10:00:30.000Z'));
  });

  it('does not count requests that reach the app without a socket (in-process)', async () => {
    for (let i = 0; i < 5; i += 1) {
      const response = await usher.request('GET', `/v1/public/invitations/${token}`, { key: null });
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit')).toBeNull();
    }
  });
});
