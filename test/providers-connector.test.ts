import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { baseUrlOf, createUnipileConnector, type UnipileConnectorOptions } from '#providers';

/** One scripted answer of the fake provider. */
interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A real HTTP server on loopback that answers from a script and records what it received. */
async function startFakeProvider() {
  const script: Answer[] = [];
  const received: { method: string; url: string; apiKey: string | undefined; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        apiKey: req.headers['x-api-key'] as string | undefined,
        body,
      });
      const answer = script.shift() ?? {
        status: 500,
        body: { status: 500, type: 'errors/unexpected_error', title: 'unscripted' },
      };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    dsn: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    script,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const providerError = (status: number, type: string) => ({
  status,
  body: { status, type, title: type, detail: `${type} happened` },
});

describe('the Unipile connector against a real HTTP server', () => {
  let fake: Awaited<ReturnType<typeof startFakeProvider>>;
  const connector = (options: Partial<UnipileConnectorOptions> = {}) =>
    createUnipileConnector(
      { dsn: fake.dsn, apiKey: 'key-123', accountId: 'acc-1' },
      { allowPrivateNetwork: true, baseDelayMs: 50, jitter: 0, ...options },
    );

  beforeAll(async () => {
    fake = await startFakeProvider();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.script.length = 0;
    fake.received.length = 0;
  });

  it('resolves a public identifier to the provider user, with the account and the API key', async () => {
    fake.script.push({
      status: 200,
      body: {
        object: 'UserProfile',
        provider: 'LINKEDIN',
        provider_id: 'ACoAAA',
        public_identifier: 'julien-crepieux',
        first_name: 'Julien',
        last_name: 'Crepieux',
      },
    });
    const result = await connector().resolveUser('julien-crepieux');
    expect(result).toEqual({
      ok: true,
      status: 200,
      value: {
        provider: 'LINKEDIN',
        providerId: 'ACoAAA',
        publicIdentifier: 'julien-crepieux',
        firstName: 'Julien',
        lastName: 'Crepieux',
      },
    });
    expect(fake.received).toEqual([
      { method: 'GET', url: '/api/v1/users/julien-crepieux?account_id=acc-1', apiKey: 'key-123', body: '' },
    ]);
  });

  it('sends an invitation with its note and reads the invitation id and usage', async () => {
    fake.script.push({ status: 201, body: { object: 'UserInvitationSent', invitation_id: 'inv-9', usage: 50 } });
    const result = await connector().invite({ providerId: 'ACoAAA', message: 'Hello\nWorld' });
    expect(result).toEqual({ ok: true, status: 201, value: { invitationId: 'inv-9', usage: 50 } });
    expect(fake.received[0]).toMatchObject({ method: 'POST', url: '/api/v1/users/invite?account_id=acc-1' });
    expect(JSON.parse(fake.received[0]!.body)).toEqual({
      provider_id: 'ACoAAA',
      account_id: 'acc-1',
      message: 'Hello\nWorld',
    });
  });

  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    fake.script.push(
      { ...providerError(429, 'errors/too_many_requests'), headers: { 'retry-after': '1' } },
      { status: 200, body: { object: 'UserInvitationSent', invitation_id: 'inv-2' } },
    );
    const started = Date.now();
    const result = await connector().invite({ providerId: 'ACoAAA', message: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(result).toMatchObject({ ok: true, value: { invitationId: 'inv-2', usage: null } });
    expect(fake.received).toHaveLength(2);
    expect(JSON.parse(fake.received[1]!.body)).toEqual({ provider_id: 'ACoAAA', account_id: 'acc-1' });
  });

  it('backs off, doubling, after 5xx answers and succeeds on the third attempt', async () => {
    fake.script.push(providerError(500, 'errors/provider_error'), providerError(503, 'errors/service_unavailable'), {
      status: 200,
      body: { object: 'UserInvitationSent', invitation_id: 'inv-3' },
    });
    const started = Date.now();
    const result = await connector().invite({ providerId: 'ACoAAA', message: null });
    // 50 ms, then 100 ms (no jitter in this test).
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(result).toMatchObject({ ok: true, value: { invitationId: 'inv-3' } });
    expect(fake.received).toHaveLength(3);
  });

  it("gives up after its attempts with a retryable failure carrying the provider's error type", async () => {
    fake.script.push(
      providerError(503, 'errors/provider_error'),
      providerError(503, 'errors/provider_error'),
      providerError(503, 'errors/provider_error'),
    );
    const result = await connector({ maxAttempts: 3 }).invite({ providerId: 'ACoAAA', message: null });
    expect(result).toEqual({
      ok: false,
      status: 503,
      type: 'errors/provider_error',
      detail: 'errors/provider_error happened',
      retryable: true,
      retryAfterMs: null,
    });
    expect(fake.received).toHaveLength(3);
  });

  it('does not wait in place for a long Retry-After: it says how long to wait instead', async () => {
    fake.script.push({ ...providerError(429, 'errors/too_many_requests'), headers: { 'retry-after': '120' } });
    const started = Date.now();
    const result = await connector().invite({ providerId: 'ACoAAA', message: null });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({
      ok: false,
      status: 429,
      type: 'errors/too_many_requests',
      retryable: true,
      retryAfterMs: 120_000,
    });
    expect(fake.received).toHaveLength(1);
  });

  it('takes a 4xx as final: a note too long is refused once, with errors/too_many_characters', async () => {
    fake.script.push(providerError(400, 'errors/too_many_characters'));
    const result = await connector().invite({ providerId: 'ACoAAA', message: 'x'.repeat(301) });
    expect(result).toMatchObject({ ok: false, status: 400, type: 'errors/too_many_characters', retryable: false });
    expect(fake.received).toHaveLength(1);
  });

  it('reads the list of sent invitations and withdraws one', async () => {
    fake.script.push(
      {
        status: 200,
        body: {
          object: 'InvitationList',
          items: [
            {
              object: 'InvitationSent',
              id: 'inv-1',
              invited_user: 'Ann',
              invited_user_id: 'ACo1',
              invited_user_public_id: 'ann',
              date: '2 days ago',
              parsed_datetime: '2026-03-01T00:00:00.000Z',
              invitation_text: 'Hi',
            },
          ],
          cursor: 'next',
        },
      },
      { status: 200, body: { object: 'InvitationCanceled' } },
    );
    const listed = await connector().listSent({ limit: 5, cursor: 'c1' });
    expect(listed).toEqual({
      ok: true,
      status: 200,
      value: {
        items: [
          {
            id: 'inv-1',
            invitedUser: 'Ann',
            invitedUserId: 'ACo1',
            invitedUserPublicId: 'ann',
            date: '2026-03-01T00:00:00.000Z',
            text: 'Hi',
          },
        ],
        cursor: 'next',
      },
    });
    expect(await connector().withdraw!('inv-1')).toEqual({ ok: true, status: 200, value: null });
    expect(fake.received.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /api/v1/users/invite/sent?cursor=c1&limit=5&account_id=acc-1',
      'DELETE /api/v1/users/invite/sent/inv-1?account_id=acc-1',
    ]);
  });

  it('refuses an answer that is not the documented shape, without retrying', async () => {
    fake.script.push({ status: 200, body: { object: 'Something else' } });
    expect(await connector().resolveUser('ann')).toMatchObject({ ok: false, status: 200, retryable: false });
    expect(fake.received).toHaveLength(1);
  });

  it('refuses loopback unless private networks are allowed, and sends nothing', async () => {
    const result = await connector({ allowPrivateNetwork: false }).resolveUser('ann');
    expect(result).toMatchObject({ ok: false, status: null, retryable: false });
    expect(result.ok ? '' : result.detail).toMatch(/refused: 127\.0\.0\.1 is a loopback address/);
    expect(fake.received).toHaveLength(0);
  });

  it('reads a DSN as host:port over https, or as a base URL', () => {
    expect(baseUrlOf('api1.unipile.com:13111')).toBe('https://api1.unipile.com:13111');
    expect(baseUrlOf('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
  });
});
