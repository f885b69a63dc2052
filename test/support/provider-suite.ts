/** A fake Unipile on loopback and an in-process Usher whose provider accounts point at it, for the provider suites. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { Engine } from '#db';
import { useTestUsher } from './usher';

const HOUR = 3600_000;

/** A fake Unipile on loopback: answers from a script, records each invitation and each withdrawal it receives. */
export async function startFakeUnipile() {
  type Answer = { status: number; body: unknown; headers?: Record<string, string> };
  const script: Answer[] = [];
  const invites: { url: string; apiKey: string; body: any }[] = [];
  const withdrawals: { url: string; apiKey: string }[] = [];
  // Set to hold the answers to invitations until released: a send caught on its way.
  const hold: { until: Promise<void> | null; arrived: () => void } = { until: null, arrived: () => {} };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', async () => {
      if (req.method === 'POST')
        invites.push({ url: req.url ?? '', apiKey: String(req.headers['x-api-key']), body: JSON.parse(body) });
      if (req.method === 'DELETE') withdrawals.push({ url: req.url ?? '', apiKey: String(req.headers['x-api-key']) });
      const fallback: Answer =
        req.method === 'DELETE'
          ? { status: 200, body: { object: 'InvitationCanceled' } }
          : { status: 201, body: { object: 'UserInvitationSent', invitation_id: `remote-${invites.length}` } };
      const answer = script.shift() ?? fallback;
      if (req.method === 'POST' && hold.until) {
        hold.arrived();
        await hold.until;
      }
      res
        .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        .end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    dsn: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    script,
    invites,
    withdrawals,
    hold,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeUnipile = Awaited<ReturnType<typeof startFakeUnipile>>;

/**
 * The suite's Usher and fake Unipile, with shorthands. Before each test whatever earlier tests
 * left waiting goes, so each test sees only its own sends, withdrawals and answers.
 */
export function useProviderSuite(engine: Engine) {
  const usher = useTestUsher(engine);
  const handle = {} as { fake: FakeUnipile };
  beforeAll(async () => {
    handle.fake = await startFakeUnipile();
  });
  afterAll(() => handle.fake.close());
  const drain = async () => {
    while ((await usher.worker.runOnce()) > 0);
  };
  beforeEach(async () => {
    usher.clock.advance(31 * 24 * HOUR);
    await drain();
    handle.fake.script.length = 0;
    handle.fake.invites.length = 0;
    handle.fake.withdrawals.length = 0;
  });
  return {
    usher,
    get fake() {
      return handle.fake;
    },
    drain,
    async account(limits: Record<string, unknown> = {}, plan = 'free') {
      const created = await usher.request('POST', '/v1/provider-accounts', {
        body: {
          provider: 'linkedin',
          dsn: handle.fake.dsn,
          apiKey: 'secret-unipile-key',
          accountId: 'acc-1',
          plan,
          limits,
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body;
    },
    invite: (accountId: string, userId: string, extra: Record<string, unknown> = {}) =>
      usher.request('POST', '/v1/invitations', {
        body: {
          channel: 'provider',
          recipient: { provider: { provider: 'linkedin', accountId, userId }, name: userId },
          ...extra,
        },
      }),
    revoke: (id: string) => usher.request('POST', `/v1/invitations/${id}/revoke`),
    deliveryOf: async (id: string) => (await usher.request('GET', `/v1/invitations/${id}`)).body.delivery,
    outboxOf: (invitationId: string, topic = 'provider.invite') =>
      usher.store.db
        .selectFrom('outbox')
        .selectAll()
        .where('invitation_id', '=', invitationId)
        .where('topic', '=', topic)
        .executeTakeFirstOrThrow(),
    sendOf: (invitationId: string) =>
      usher.store.db
        .selectFrom('provider_sends')
        .selectAll()
        .where('invitation_id', '=', invitationId)
        .executeTakeFirstOrThrow(),
  };
}
