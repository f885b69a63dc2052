import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsherClient, unwrap, UsherError, type UsherClient } from '#sdk';
import { renderSdkFiles } from '../packages/sdk/scripts/render';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';

afterAll(stopAllUshers);

describe('the generated SDK', () => {
  it('is current: regenerating from the code changes nothing', async () => {
    const files = await renderSdkFiles();
    expect(Object.keys(files)).toHaveLength(2);
    for (const [path, text] of Object.entries(files)) {
      expect(await readFile(path, 'utf8'), `${path} is stale: run npm run generate:sdk`).toBe(text);
    }
  }, 60_000);
});

describe('the SDK against a running Usher process', () => {
  let scratch: ScratchDatabase;
  let usher: RunningUsher;
  let client: UsherClient;
  const apollo = { type: 'project', iri: 'https://example.com/p/apollo', name: 'Apollo' } as const;

  beforeAll(async () => {
    scratch = await createScratchDatabase('sqlite');
    usher = await startUsher({ databaseUrl: scratch.url, env: { USHER_BOOTSTRAP_API_KEY: TEST_BOOTSTRAP_KEY } });
    client = createUsherClient({ baseUrl: `${usher.url}/`, apiKey: TEST_BOOTSTRAP_KEY });
  }, 30_000);
  afterAll(async () => {
    await usher?.stop();
    await scratch?.drop();
  });

  it('creates, lists by cursor, revokes, and turns problems into UsherError with their code', async () => {
    const created = await unwrap(
      client.POST('/v1/invitations', {
        body: { recipient: { email: 'ann@example.com', name: 'Ann' }, target: apollo, role: 'contributor' },
        params: { header: { 'idempotency-key': 'sdk-ann' } },
      }),
    );
    expect(created).toMatchObject({ status: 'pending', role: 'contributor', recipient: { email: 'ann@example.com' } });
    expect(created.url).toMatch(/\/i\//);

    for (let i = 0; i < 4; i += 1)
      await unwrap(client.POST('/v1/invitations', { body: { channel: 'link', label: `door ${i}` } }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await unwrap(client.GET('/v1/invitations', { params: { query: { limit: 2, cursor } } }));
      seen.push(...page.data.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);

    const revoked = await unwrap(client.POST('/v1/invitations/{id}/revoke', { params: { path: { id: created.id } } }));
    expect(revoked.status).toBe('revoked');
    const again = await unwrap(
      client.POST('/v1/invitations/{id}/revoke', { params: { path: { id: created.id } } }),
    ).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(UsherError);
    expect(again).toMatchObject({ status: 409, code: 'invitation_not_pending' });

    const branching = await client.GET('/v1/invitations/{id}', { params: { path: { id: 'nope' } } });
    expect(branching.data).toBeUndefined();
    expect(branching.error).toMatchObject({ code: 'invitation_not_found', status: 404 });
  });

  it('sends a bulk call and reads per-item results', async () => {
    const bulk = await unwrap(
      client.POST('/v1/invitations/bulk', {
        body: {
          defaults: { target: apollo, role: 'viewer' },
          items: [{ recipient: { email: 'bo@example.com' } }, { recipient: { email: 'oops' } }],
        },
      }),
    );
    expect(bulk.summary).toEqual({ created: 1, duplicate: 0, invalid: 1 });
    expect(bulk.results[1]).toMatchObject({ outcome: 'invalid', problem: { field: 'body.items.1.recipient.email' } });
  });

  it('reaches the public routes without a key, and refuses a bad key with 401', async () => {
    const link = await unwrap(client.POST('/v1/invitations', { body: { channel: 'link', message: 'Come in' } }));
    const anonymous = createUsherClient({ baseUrl: usher.url });
    const view = await unwrap(
      anonymous.GET('/v1/public/invitations/{token}', { params: { path: { token: link.url!.split('/i/')[1]! } } }),
    );
    expect(view).toMatchObject({ status: 'pending', message: 'Come in' });
    const denied = await createUsherClient({ baseUrl: usher.url, apiKey: 'wrong-key-0123456789abcdefgh' }).GET(
      '/v1/invitations',
    );
    expect(denied.response.status).toBe(401);
  });
});
