import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { engines } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';

/**
 * The round trips a request makes to PostgreSQL, counted as writes to its sockets, not timed: each wakes a backend and
 * costs both sides a write, the unit of cost on PostgreSQL (docs/benchmarks.md: a create's two writes were 27% of
 * Usher's CPU). A change that adds one to a create, an accept or a list page fails here and says which.
 */
const postgresOnly = engines.includes('postgres') ? describe : describe.skip;

/** Socket writes made while `work` runs: node hands a socket's bytes to the kernel through _write or _writev. */
async function writesOf(work: () => Promise<unknown>): Promise<number> {
  const proto = Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
  const originals = { _write: proto._write, _writev: proto._writev };
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    proto[method] = function (this: Socket, ...args: unknown[]) {
      writes += 1;
      return originals[method].apply(this, args);
    };
  }
  try {
    await work();
  } finally {
    Object.assign(proto, originals);
  }
  return writes;
}

postgresOnly('round trips to PostgreSQL a request', () => {
  // A minute's memory: the key, the inviter and the signing key are not read again during the test.
  const usher = useTestUsher('postgres', { configCacheMs: 60_000 });
  const REQUESTS = 10;
  let member = 0;
  const link = async () =>
    tokenOf((await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } })).body.url);
  const ops = {
    'link create': link,
    'email create': () =>
      usher.request('POST', '/v1/invitations', {
        body: { channel: 'email', recipient: { email: `person-${member++}@example.org` } },
      }),
    accept: async () => {
      const token = tokens.pop()!;
      const accepted = await usher.request('POST', `/v1/public/invitations/${token}/accept`, {
        key: null,
        body: { subject: `member-${member++}` },
      });
      expect(accepted.status).toBe(200);
    },
    // A shareable link: each accept a new member (the membership read with the lock says there is no seat to give
    // back), then a member who has one accepting again (its redemption read: one write more).
    'shareable accept': async () => {
      const accepted = await usher.request('POST', `/v1/public/invitations/${shareable}/accept`, {
        key: null,
        body: { subject: `member-${member++}` },
      });
      expect(accepted.body.existingMembership).toBe(false);
    },
    'seat given back': async () => {
      const again = await usher.request('POST', `/v1/public/invitations/${shareable}/accept`, {
        key: null,
        body: { subject: 'returning' },
      });
      expect(again.body.existingMembership).toBe(true);
    },
    'list page': () => usher.request('GET', '/v1/invitations?limit=100'),
    'public view': () => usher.request('GET', `/v1/public/invitations/${tokens.at(-1)}`, { key: null }),
  };
  const tokens: string[] = [];
  let shareable = '';

  it('a link create is one write, an email create two, an accept two (three to give a seat back), a list page and a public view one', async () => {
    // Warm: the key's once-a-minute touch, the tenant's signing key (its first accept makes it, and a key made there is
    // not remembered: the second reads it and remembers), open connections.
    for (let i = 0; i < 3 * REQUESTS; i++) tokens.push(await link());
    const multiUse = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', usesAllowed: 1000 } });
    shareable = tokenOf(multiUse.body.url);
    await usher.request('POST', `/v1/public/invitations/${shareable}/accept`, {
      key: null,
      body: { subject: 'returning' },
    });
    for (const op of [...Object.values(ops), ...Object.values(ops)]) await op();
    const perRequest: Record<string, number> = {};
    for (const [name, op] of Object.entries(ops)) {
      const writes = await writesOf(async () => {
        for (let i = 0; i < REQUESTS; i++) await op();
      });
      perRequest[name] = writes;
    }
    // A create takes its number from the process's block of 32: one of the ten may refill it, a write more.
    expect(perRequest['link create']).toBeGreaterThanOrEqual(REQUESTS);
    expect(perRequest['link create']).toBeLessThanOrEqual(REQUESTS + 1);
    expect(perRequest['email create']).toBeGreaterThanOrEqual(2 * REQUESTS);
    expect(perRequest['email create']).toBeLessThanOrEqual(2 * REQUESTS + 1);
    expect(perRequest).toMatchObject({
      accept: 2 * REQUESTS,
      'shareable accept': 2 * REQUESTS,
      'seat given back': 3 * REQUESTS,
      'list page': REQUESTS,
      'public view': REQUESTS,
    });
  });
});
