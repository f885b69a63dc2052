import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUsherClient, unwrap, type UsherClient } from '#sdk';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';

afterAll(stopAllUshers);

/** What the proxy does to the next request: forward it, forward it and then cut the connection, or refuse it. */
type Fault = 'cut-after-forwarding' | { status: number; retryAfter?: string };

// A real HTTP proxy between the SDK and a real Usher, failing on purpose: the retry logic meets real sockets.
describe('the SDK retries through a failing proxy in front of a running Usher', () => {
  let scratch: ScratchDatabase;
  let usher: RunningUsher;
  let proxy: Server;
  let client: UsherClient;
  const faults: Fault[] = [];
  const seen: { method: string; path: string; key: string | undefined }[] = [];
  const target = { type: 'project', iri: 'https://example.com/p/retry', name: 'Retry' } as const;

  beforeAll(async () => {
    scratch = await createScratchDatabase('sqlite');
    usher = await startUsher({ databaseUrl: scratch.url, env: { USHER_BOOTSTRAP_API_KEY: TEST_BOOTSTRAP_KEY } });
    proxy = createServer(async (request, response) => {
      const body = await read(request);
      const key = request.headers['idempotency-key'];
      seen.push({ method: request.method!, path: request.url!, key: typeof key === 'string' ? key : undefined });
      const fault = faults.shift();
      if (typeof fault === 'object') {
        response.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}).end();
        return;
      }
      const headers = Object.entries(request.headers).filter(([name]) => name !== 'host' && name !== 'connection');
      const answer = await fetch(`${usher.url}${request.url}`, {
        method: request.method,
        headers: headers as [string, string][],
        ...(body.length > 0 ? { body } : {}),
      });
      const text = await answer.text();
      // The server did the work; the client never hears of it.
      if (fault === 'cut-after-forwarding') return void request.socket.destroy();
      const contentType = answer.headers.get('content-type') ?? 'text/plain';
      response.writeHead(answer.status, { 'content-type': contentType }).end(text);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    client = createUsherClient({ baseUrl: url, apiKey: TEST_BOOTSTRAP_KEY, retry: { baseDelayMs: 50 } });
  }, 30_000);
  beforeEach(() => {
    faults.length = 0;
    seen.length = 0;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    await usher?.stop();
    await scratch?.drop();
  });

  it('retries a create whose connection was cut after Usher made it, with one key: one invitation', async () => {
    faults.push('cut-after-forwarding');
    const created = await unwrap(
      client.POST('/v1/invitations', { body: { recipient: { email: 'cut@example.com' }, target, role: 'viewer' } }),
    );
    expect(seen).toHaveLength(2);
    expect(seen[0]!.key).toMatch(/\S/);
    expect(seen[1]!.key).toBe(seen[0]!.key);
    const listed = await unwrap(client.GET('/v1/invitations', { params: { query: { limit: 200 } } }));
    expect(listed.data.filter((item) => item.recipient.email === 'cut@example.com').map((item) => item.id)).toEqual([
      created.id,
    ]);
  });

  it('waits as Retry-After says before retrying a read', async () => {
    faults.push({ status: 503, retryAfter: '1' });
    const started = Date.now();
    await unwrap(client.GET('/v1/invitations', { params: { query: { limit: 1 } } }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(seen.map((request) => request.method)).toEqual(['GET', 'GET']);
  });

  it('does not retry a POST that is not an idempotent create on a 5xx, nor anything with retry: false', async () => {
    faults.push({ status: 502 }, { status: 502 });
    const revoke = await client.POST('/v1/invitations/{id}/revoke', { params: { path: { id: 'inv_x' } } });
    expect(revoke.response.status).toBe(502);
    const port = (proxy.address() as AddressInfo).port;
    const once = createUsherClient({ baseUrl: `http://127.0.0.1:${port}`, retry: false });
    const read = await once.GET('/v1/invitations', {});
    expect(read.response.status).toBe(502);
    expect(seen).toHaveLength(2);
  });
});

function read(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8'))).on('error', reject);
  });
}
