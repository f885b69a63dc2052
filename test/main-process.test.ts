import { createServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { runUsherToExit, startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';
import { tokenOf } from '#support/usher';

interface Reply {
  readonly status: number;
  readonly body: any;
}

/** One HTTP request to a running process, with the body parsed when it is JSON. */
async function call(
  base: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}

// The last resort: nothing this file started outlives it, whatever failed.
afterAll(stopAllUshers);

describe('the usher process', () => {
  let scratch: ScratchDatabase | undefined;

  afterEach(async () => {
    await stopAllUshers();
    await scratch?.drop();
    scratch = undefined;
  });

  async function sqliteFile(): Promise<string> {
    scratch = await createScratchDatabase('sqlite');
    return scratch.url;
  }

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['USHER_DATABASE_URL', { USHER_DATABASE_URL: 'mysql://x' }],
    ['USHER_LOG_LEVEL', { USHER_LOG_LEVEL: 'loud' }],
  ])('exits non-zero at once, naming %s on stderr, when its value is bad', async (variable, env) => {
    const exited = await runUsherToExit({ databaseUrl: await sqliteFile(), env });
    expect(exited.code).not.toBe(0);
    expect(exited.code).not.toBeNull();
    expect(exited.stderr).toContain('bad configuration');
    expect(exited.stderr).toContain(variable);
    expect(exited.stderr).not.toContain('listening on');
    expect(exited.elapsedMs).toBeLessThan(15_000);
  });

  it('says in one line that its port is taken and exits 2, having made no tenant; the next start makes it', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    const databaseUrl = await sqliteFile();
    try {
      const exited = await runUsherToExit({ databaseUrl, env: { PORT: String(port) } });
      expect(exited.code, exited.stderr).toBe(2);
      expect(exited.stderr.trim().split('\n')).toEqual([
        `usher: cannot listen on 127.0.0.1:${port}: another process (another Usher?) is using it; set PORT to a free port, or 0 for any`,
      ]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    // The store has no tenant yet, so the first start that can listen makes it and shows its key.
    const next = await startUsher({ databaseUrl });
    await next.waitForStderr(/^ {2}OpenAPI: .*$/m);
    expect(next.stderr()).toContain('First start: created tenant');
  });

  it('starts on an empty SQLite file with the bootstrap key, answers /healthz, and does not bootstrap again on restart', async () => {
    const databaseUrl = await sqliteFile();
    const first = await startUsher({ databaseUrl });
    await first.waitForStderr(/^ {2}OpenAPI: .*$/m);
    expect(first.stderr()).toContain('First start: created tenant');
    expect(first.stderr()).toContain(`API reference: ${first.url}/docs\n`);
    expect(first.stderr()).toMatch(new RegExp(`OpenAPI: +${first.url}/openapi.json\n`));
    expect(first.stderr()).toContain('Admin API key: the value of USHER_BOOTSTRAP_API_KEY');
    // The operator's own secret is never echoed to the log.
    expect(first.stderr()).not.toContain(TEST_BOOTSTRAP_KEY);

    expect((await call(first.url, 'GET', '/healthz')).status).toBe(200);
    expect((await call(first.url, 'GET', '/openapi.json')).status).toBe(200);
    const tenant = await call(first.url, 'GET', '/v1/tenant', { key: TEST_BOOTSTRAP_KEY });
    expect(tenant.status).toBe(200);
    expect((await call(first.url, 'GET', '/v1/tenant', { key: `${TEST_BOOTSTRAP_KEY}-wrong` })).status).toBe(401);
    await first.stop();

    const second = await startUsher({ databaseUrl });
    await second.waitForStderr(/^ {2}OpenAPI: .*$/m);
    expect(second.stderr()).not.toContain('First start');
    expect(second.stderr()).not.toContain('Admin API key');
    const again = await call(second.url, 'GET', '/v1/tenant', { key: TEST_BOOTSTRAP_KEY });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(tenant.body.id);
    await second.stop();

    // Another bootstrap key on a store that has a tenant is ignored, and the start says so, which store, and what to
    // do.
    const otherKey = `${TEST_BOOTSTRAP_KEY}-other`;
    const third = await startUsher({ databaseUrl, env: { USHER_BOOTSTRAP_API_KEY: otherKey } });
    await third.waitForStderr(/^ {2}OpenAPI: .*$/m);
    expect(third.stderr()).toContain(
      `USHER_BOOTSTRAP_API_KEY was ignored: SQLite ${databaseUrl.slice('sqlite:'.length)} already has a tenant`,
    );
    expect(third.stderr()).toContain('npx usher keys create <name> --local');
    expect(third.stderr()).not.toContain(otherKey);
    const [warning] = await third.waitForStdout(/^\{.*"level":40.*\}$/m);
    expect(JSON.parse(warning)).toMatchObject({
      msg: 'USHER_BOOTSTRAP_API_KEY ignored: the store already has a tenant',
    });
    expect((await call(third.url, 'GET', '/v1/tenant', { key: otherKey })).status).toBe(401);
  });

  it("logs every request as one JSON line with the caller's request id and the route pattern, never the token in the path", async () => {
    const usher = await startUsher({ databaseUrl: await sqliteFile(), env: { USHER_LOG_LEVEL: 'info' } });
    const created = await call(usher.url, 'POST', '/v1/invitations', {
      key: TEST_BOOTSTRAP_KEY,
      body: { channel: 'link' },
    });
    const token = tokenOf(created.body.url);
    const response = await fetch(`${usher.url}/v1/public/invitations/${token}`, {
      headers: { 'x-request-id': 'trace-4711' },
    });
    expect(response.status).toBe(200);
    const [line] = await usher.waitForStdout(/^\{.*"requestId":"trace-4711".*\}$/m);
    expect(JSON.parse(line)).toMatchObject({
      level: 30,
      msg: 'request',
      method: 'GET',
      route: '/v1/public/invitations/:token',
      status: 200,
    });
    expect(usher.stdout()).not.toContain(token);
    // stdout is the log alone: every line one JSON object, the banner on stderr.
    const lines = usher.stdout().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(1);
    for (const logLine of lines) expect(() => JSON.parse(logLine), logLine).not.toThrow();
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'listening', url: usher.url });
    expect(usher.stderr()).toContain(`listening on ${usher.url}`);
  });

  it('prints a random admin key once on first start without USHER_BOOTSTRAP_API_KEY, and that key works', async () => {
    const usher = await startUsher({ databaseUrl: await sqliteFile(), env: { USHER_BOOTSTRAP_API_KEY: undefined } });
    const [, key] = await usher.waitForStderr(/Admin API key \(shown once[^)]*\): (\S+)\n/);
    expect(key).toBeTruthy();
    expect(key).not.toBe(TEST_BOOTSTRAP_KEY);
    await usher.waitForStderr(/^ {2}Try: .*$/m);
    expect(usher.stderr().split(key!).length - 1).toBe(2); // the key line and the curl example, nowhere else
    expect(usher.stdout()).not.toContain(key!); // never in the log
    expect((await call(usher.url, 'GET', '/v1/tenant', { key: key! })).status).toBe(200);
    expect((await call(usher.url, 'GET', '/v1/tenant', { key: TEST_BOOTSTRAP_KEY })).status).toBe(401);
  });
});

const postgresUrl = process.env.USHER_TEST_POSTGRES_URL;
const describeOnPostgres = postgresUrl ? describe : describe.skip;
const suffix = postgresUrl ? '' : ' [skipped: USHER_TEST_POSTGRES_URL not set, no PostgreSQL]';

describeOnPostgres(
  `two Usher processes on one PostgreSQL database accepting the same invitation concurrently${suffix}`,
  () => {
    let scratch: ScratchDatabase | undefined;
    let a: RunningUsher;
    let b: RunningUsher;

    beforeAll(async () => {
      scratch = await createScratchDatabase('postgres');
      // A migrates and bootstraps; B then finds the store ready.
      a = await startUsher({ databaseUrl: scratch.url });
      b = await startUsher({ databaseUrl: scratch.url });
      await b.waitForStderr(/^ {2}OpenAPI: .*$/m);
      expect(b.stderr()).not.toContain('First start');
    }, 90_000);

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await scratch?.drop();
    });

    /** Creates a link invitation through A, then fires `attempts` accepts at once, alternating A and B. */
    async function acceptFromBothProcesses(usesAllowed: number, attempts: number) {
      const created = await call(a.url, 'POST', '/v1/invitations', {
        key: TEST_BOOTSTRAP_KEY,
        body: { channel: 'link', usesAllowed },
      });
      expect(created.status).toBe(201);
      const token = tokenOf(created.body.url);
      const results = await Promise.all(
        Array.from({ length: attempts }, (_, i) =>
          call(i % 2 === 0 ? a.url : b.url, 'POST', `/v1/public/invitations/${token}/accept`, {
            body: { subject: `user-${i}` },
          }),
        ),
      );
      const invitation = await call(b.url, 'GET', `/v1/invitations/${created.body.id}`, { key: TEST_BOOTSTRAP_KEY });
      const memberships = await call(a.url, 'GET', '/v1/memberships?limit=100', { key: TEST_BOOTSTRAP_KEY });
      expect(memberships.status).toBe(200);
      const granted = (memberships.body.data as Array<{ invitationId: string; member: { key: string } }>).filter(
        (m) => m.invitationId === created.body.id,
      );
      return { results, invitation: invitation.body, granted, allMemberships: memberships.body.data as unknown[] };
    }

    it('lets exactly one of 40 concurrent accepts of a single-use invitation win, whichever process gets it', async () => {
      const { results, invitation, granted, allMemberships } = await acceptFromBothProcesses(1, 40);
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      const refused = results.filter((r) => r.status !== 200);
      expect(refused).toHaveLength(39);
      expect(new Set(refused.map((r) => `${r.status} ${r.body?.code}`))).toEqual(
        new Set(['410 invitation_already_accepted']),
      );
      expect(invitation).toMatchObject({ status: 'accepted', usesCount: 1 });
      expect(granted).toHaveLength(1);
      expect(allMemberships).toHaveLength(1);
    });

    it('lets exactly five of 40 concurrent accepts of a 5-use invitation win, then reports it exhausted', async () => {
      const { results, invitation, granted } = await acceptFromBothProcesses(5, 40);
      const winners = results.filter((r) => r.status === 200);
      expect(winners).toHaveLength(5);
      const refused = results.filter((r) => r.status !== 200);
      expect(new Set(refused.map((r) => `${r.status} ${r.body?.code}`))).toEqual(new Set(['410 invitation_exhausted']));
      expect(invitation).toMatchObject({ status: 'exhausted', usesCount: 5 });
      expect(granted).toHaveLength(5);
      expect(new Set(granted.map((m) => m.member.key))).toEqual(
        new Set(winners.map((w) => w.body.membership.member.key)),
      );
    });
  },
);

describeOnPostgres(`four Usher processes starting at once on an empty PostgreSQL database${suffix}`, () => {
  let scratch: ScratchDatabase | undefined;
  afterAll(async () => {
    await stopAllUshers();
    await scratch?.drop();
  });

  it('make one first tenant between them, and only one prints an admin key', async () => {
    scratch = await createScratchDatabase('postgres');
    // No bootstrap key: each would otherwise mint a random one of its own.
    const ushers = await Promise.all(
      Array.from({ length: 4 }, () =>
        startUsher({
          databaseUrl: scratch!.url,
          env: { USHER_BOOTSTRAP_API_KEY: undefined },
          startupTimeoutMs: 60_000,
        }),
      ),
    );
    await Promise.all(ushers.map((u) => u.waitForStderr(/^ {2}OpenAPI: .*$/m, 30_000)));
    expect(ushers.filter((u) => u.stderr().includes('First start'))).toHaveLength(1);
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    try {
      expect((await client.query('select count(*)::int as n from tenants')).rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
    await Promise.all(ushers.map((u) => u.stop()));
  }, 120_000);
});
