import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook, RESPONSE_BODY_LIMIT } from './http-sender';

/** What the test receiver saw: every request by path, with its headers and body. */
const received: Array<{ path: string; headers: IncomingMessage['headers']; body: string }> = [];
let server: Server;
let base: string;
let port: number;

const allow = { timeoutMs: 2_000, allowPrivateNetwork: true } as const;
const deny = { timeoutMs: 2_000, allowPrivateNetwork: false } as const;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/ok') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(5_000));
      if (req.url === '/accepted') return void res.writeHead(204).end();
      if (req.url === '/broken') return void res.writeHead(500).end('database on fire');
      if (req.url === '/moved') return void res.writeHead(302, { location: '/elsewhere' }).end();
      if (req.url === '/slow') return; // never answers
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const hits = (path: string) => received.filter((r) => r.path === path).length;

describe('postWebhook', () => {
  it('delivers the body and headers and keeps the first 2 KiB of a 2xx answer', async () => {
    const res = await postWebhook(`${base}/ok`, '{"hello":"wörld"}', { 'Webhook-Id': 'msg_1' }, allow);
    expect(res).toMatchObject({ ok: true, status: 200, error: null });
    expect(res.body).toBe('x'.repeat(RESPONSE_BODY_LIMIT));
    const request = received.find((r) => r.path === '/ok')!;
    expect(request.body).toBe('{"hello":"wörld"}');
    expect(request.headers).toMatchObject({ 'webhook-id': 'msg_1', 'content-type': 'application/json' });
  });

  it('counts any 2xx as delivered', async () => {
    expect(await postWebhook(`${base}/accepted`, '{}', {}, allow)).toEqual({
      ok: true,
      status: 204,
      body: '',
      error: null,
    });
  });

  it('reports a 500 as a failed delivery with its status and body', async () => {
    expect(await postWebhook(`${base}/broken`, '{}', {}, allow)).toEqual({
      ok: false,
      status: 500,
      body: 'database on fire',
      error: null,
    });
  });

  it('gives up after the timeout without throwing', async () => {
    const started = Date.now();
    const res = await postWebhook(`${base}/slow`, '{}', {}, { timeoutMs: 200, allowPrivateNetwork: true });
    expect(res).toEqual({ ok: false, status: null, body: '', error: 'timeout after 200ms' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('does not follow redirects', async () => {
    const res = await postWebhook(`${base}/moved`, '{}', {}, allow);
    expect(res).toMatchObject({ ok: false, status: 302, error: 'redirect to /elsewhere not followed' });
    expect(hits('/elsewhere')).toBe(0);
  });

  it('reports an unreachable receiver as a result', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const res = await postWebhook(`http://127.0.0.1:${freePort}/`, '{}', {}, allow);
    expect(res).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it.each(['127.0.0.1', 'localhost', '[::1]', '[::ffff:127.0.0.1]', '10.0.0.1', '169.254.169.254'])(
    'refuses %s when private networks are not allowed',
    async (host) => {
      const before = received.length;
      const res = await postWebhook(`http://${host}:${port}/ok`, '{}', {}, deny);
      expect(res).toMatchObject({ ok: false, status: null, body: '' });
      expect(res.error).toMatch(/^refused: .* address, and private network addresses are not allowed$/);
      expect(received.length).toBe(before);
    },
  );

  it('reports a header it cannot send as a result instead of throwing', async () => {
    const res = await postWebhook(`${base}/ok`, '{}', { 'x-bad': 'line\nbreak' }, allow);
    expect(res).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/invalid character/i) });
  });

  it.each([
    ['ftp://127.0.0.1/hook', /only http and https/],
    ['file:///etc/passwd', /only http and https/],
    [`http://user:secret@127.0.0.1/ok`, /credentials/],
    ['not a url', /not a valid URL/],
  ])('refuses %s', async (url, error) => {
    const res = await postWebhook(url, '{}', {}, allow);
    expect(res).toMatchObject({ ok: false, status: null });
    expect(res.error).toMatch(error);
  });
});
