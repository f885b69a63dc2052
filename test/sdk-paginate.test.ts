import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsherClient, paginate, unwrap, UsherError, type UsherClient } from '#sdk';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';

afterAll(stopAllUshers);

describe('the SDK lists as async iterators and throws typed problems, against a running Usher', () => {
  let scratch: ScratchDatabase;
  let usher: RunningUsher;
  let client: UsherClient;
  const requested: string[] = [];
  const target = { type: 'project', iri: 'https://example.com/p/pages', name: 'Pages' } as const;

  beforeAll(async () => {
    scratch = await createScratchDatabase('sqlite');
    usher = await startUsher({ databaseUrl: scratch.url, env: { USHER_BOOTSTRAP_API_KEY: TEST_BOOTSTRAP_KEY } });
    const fetch = (request: Request) => {
      requested.push(new URL(request.url).search);
      return globalThis.fetch(request);
    };
    client = createUsherClient({ baseUrl: usher.url, apiKey: TEST_BOOTSTRAP_KEY, fetch });
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      await unwrap(client.POST('/v1/invitations', { body: { recipient: { email: `${name}@example.com` }, target } }));
    }
  }, 60_000);
  afterAll(async () => {
    await usher?.stop();
    await scratch?.drop();
  });

  const pages = () => paginate((cursor) => client.GET('/v1/invitations', { params: { query: { limit: 2, cursor } } }));

  it('follows nextCursor through every page, once each, and stops fetching when the loop stops', async () => {
    requested.length = 0;
    const emails: string[] = [];
    for await (const invitation of pages()) emails.push(invitation.recipient.email!);
    expect(emails.sort()).toEqual(['a', 'b', 'c', 'd', 'e'].map((name) => `${name}@example.com`));
    expect(requested).toHaveLength(3);
    expect(requested.filter((search) => search.includes('cursor='))).toHaveLength(2);

    requested.length = 0;
    for await (const invitation of pages()) if (invitation) break;
    expect(requested).toHaveLength(1);
  });

  it('throws an UsherError carrying the RFC 9457 body, its code and field', async () => {
    const bad = client.POST('/v1/invitations', { body: { recipient: { email: 'not-an-email' }, target } });
    const error = await unwrap(bad).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsherError);
    const problem = error as UsherError;
    expect(problem.status).toBe(400);
    expect(problem.problem).toMatchObject({ status: 400, code: problem.code });
    expect(problem.field).toMatch(/email/);
  });
});
