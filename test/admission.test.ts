import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '#db';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { createScratchDatabase, engines, type ScratchDatabase } from '#support/stores';

/** A webhook endpoint that holds each request until the test lets it answer: a request to Usher that takes its time. */
async function startHoldingEndpoint() {
  const held: (() => void)[] = [];
  let arrived: () => void = () => {};
  const server: Server = createServer((req, res) => {
    req.resume();
    held.push(() => res.writeHead(200).end('ok'));
    arrived();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    /** Resolves once a request is being held. */
    nextArrival: () => new Promise<void>((resolve) => (arrived = resolve)),
    release: () => held.splice(0).forEach((answer) => answer()),
    close: () => new Promise<void>((resolve) => (held.splice(0).forEach((a) => a()), server.close(() => resolve()))),
  };
}

/** A request to the process, with when it was answered (ms after it was sent). */
async function timed(base: string, path: string, method = 'GET') {
  const sent = performance.now();
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}` },
    signal: AbortSignal.timeout(15_000),
  });
  const body = await response.text();
  return { status: response.status, afterMs: performance.now() - sent, body };
}

afterAll(stopAllUshers);

describe('a process working on one request at a time', () => {
  let scratch: ScratchDatabase | undefined;
  let endpoint: Awaited<ReturnType<typeof startHoldingEndpoint>> | undefined;

  afterEach(async () => {
    await endpoint?.close();
    await stopAllUshers();
    await scratch?.drop();
  });

  async function start(
    engine: Engine = 'sqlite',
    limit: Record<string, string> = { USHER_MAX_CONCURRENT_REQUESTS: '1' },
  ): Promise<{ usher: RunningUsher; pingPath: string }> {
    scratch = await createScratchDatabase(engine);
    endpoint = await startHoldingEndpoint();
    const usher = await startUsher({
      databaseUrl: scratch.url,
      env: { ...limit, USHER_ALLOW_PRIVATE_NETWORK: 'true' },
    });
    const made = await fetch(`${usher.url}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: endpoint.url, events: ['*'] }),
    });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as { id: string };
    return { usher, pingPath: `/v1/webhooks/${id}/ping` };
  }

  /** A ping holds the process's one turn: the list waits for it, what a load balancer asks does not. */
  async function holdsTheSecondRequest(engine: Engine, limit: Record<string, string>): Promise<void> {
    const { usher, pingPath } = await start(engine, limit);
    const arrived = endpoint!.nextArrival();
    const ping = timed(usher.url, pingPath, 'POST');
    await arrived;
    let listAnswered = false;
    const list = timed(usher.url, '/v1/invitations').finally(() => (listAnswered = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listAnswered).toBe(false);
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const answer = await timed(usher.url, path);
      expect(answer.status).toBe(200);
      // Not after the second a waiting request is let in by.
      expect(answer.afterMs).toBeLessThan(900);
      if (path === '/metrics') expect(answer.body).toMatch(/^usher_http_requests_waiting 1$/m);
    }
    endpoint!.release();
    expect((await ping).status).toBe(200);
    expect((await list).status).toBe(200);
  }

  it('holds a second request until the first is answered; /healthz, /readyz and /metrics answer at once', () =>
    holdsTheSecondRequest('sqlite', { USHER_MAX_CONCURRENT_REQUESTS: '1' }));

  it.skipIf(!engines.includes('postgres'))(
    'on PostgreSQL works on as many requests as its pool has connections, unless told otherwise',
    () => holdsTheSecondRequest('postgres', { USHER_POSTGRES_POOL_SIZE: '1' }),
  );

  it('lets a request in past the limit once it has waited a second', async () => {
    const { usher, pingPath } = await start();
    const arrived = endpoint!.nextArrival();
    const ping = timed(usher.url, pingPath, 'POST');
    await arrived;
    // The ping is still held: the list gets in only by having waited its second.
    const list = await timed(usher.url, '/v1/invitations');
    expect(list.status).toBe(200);
    expect(list.afterMs).toBeGreaterThanOrEqual(900);
    expect((await timed(usher.url, '/metrics')).body).toMatch(/^usher_http_requests_let_in_late_total 1$/m);
    endpoint!.release();
    expect((await ping).status).toBe(200);
  });
});
