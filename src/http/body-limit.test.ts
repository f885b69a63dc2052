import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { limitBody } from './body-limit';

// Over real HTTP, as served: in-process requests carry no Content-Length, so only a socket shows both paths.
let server: ReturnType<typeof serve>;
let port = 0;
beforeAll(async () => {
  const app = new Hono();
  app.use('*', limitBody(16));
  app.post('/echo', async (c) => c.json(await c.req.json()));
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function post(body: string, chunked: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(Buffer.byteLength(body)) }),
    };
    const req = request({ host: '127.0.0.1', port, path: '/echo', method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    // Chunked: sent in pieces, so the limit is met while streaming, not from a header.
    if (chunked) for (const piece of body.match(/.{1,5}/g) ?? []) req.write(piece);
    else req.write(body);
    req.end();
  });
}

it('lets a body within the limit through, declared or chunked', async () => {
  for (const chunked of [false, true]) {
    const answer = await post('{"a":"0123456"}', chunked);
    expect(answer).toEqual({ status: 200, body: '{"a":"0123456"}' });
  }
});

it('refuses a body over the limit with a 413 problem, whether its length is declared or it streams in chunks', async () => {
  for (const chunked of [false, true]) {
    const answer = await post('{"a":"0123456789abcdef"}', chunked);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'body_too_large', detail: 'at most 16 bytes' });
  }
});
