/**
 * The throughput matrix: create (link, and email with the worker off), accept, list (first page and
 * a deep cursor) and the public view, at 10 and 100 connections, against Usher. Create and accept
 * run in turn (scenarios/alternate.ts) on Usher, the bare baseline on the same engine, so Usher's
 * figures can be read as a ratio to it, and the floor (scenarios/floor.ts: Usher's own statements
 * replayed on the driver), which says how much of a request is the database work itself.
 *
 * Accept is measured honestly: every request accepts a different single-use invitation that a
 * create run made moments before (one membership each), never the same multi-use invitation
 * over and over, which would measure row-lock contention instead.
 */
import { startBaseline } from '../baseline-process';
import type { DatabaseServer, ScratchDatabase } from '../databases';
import { callJson, CURSOR_PAGE, followCursors, tokenFromBody, tokenQueue } from '../http';
import { runLoad, type LoadResult } from '../load';
import type { BenchOptions } from '../options';
import { watchPostgres } from '../postgres-stats';
import type { Results } from '../results';
import { alternate, type Contender } from './alternate';
import { settleForReads } from '../settle-for-reads';
import { floorContender } from './floor';
import { recorder, underLoad, type RecordRun, type Server } from './recorder';
import { AUTH_HEADERS, startUsher } from '../usher-process';
import { withServer } from '../with-server';

export const CONNECTION_LEVELS = [10, 100] as const;
/** Seconds of load before each measured turn of a server in the alternating writes (Contender.rewarm). */
const REWARM_S = 1;

/** Where a server takes creates and accepts: Usher's API or the baseline's two routes. */
export interface WriteRoutes {
  readonly create: { path: string; headers: Record<string, string> };
  acceptPath(token: string): string;
}

export const USHER_ROUTES: WriteRoutes = {
  create: { path: '/v1/invitations', headers: AUTH_HEADERS },
  acceptPath: (token) => `/v1/public/invitations/${token}/accept`,
};

const BASELINE_ROUTES: WriteRoutes = {
  create: { path: '/create', headers: { 'content-type': 'application/json' } },
  acceptPath: (token) => `/accept/${token}`,
};

type Log = (line: string) => void;

/** A different recipient for every email invitation of the run: Usher refuses a second pending one to an address. */
let recipient = 0;
const runTag = Date.now().toString(36);

/**
 * Creates invitations for `durationS`, keeping every token the responses carry: links, or emails (each a fresh
 * address) whose create also queues the message in the outbox, which the worker, off here, would send later.
 */
export function createRun(
  server: Server,
  routes: WriteRoutes,
  connections: number,
  durationS: number,
  pool: string[],
  channel: 'link' | 'email' = 'link',
): Promise<LoadResult> {
  return runLoad({
    url: server.url,
    serverPid: server.pid,
    database: server.database,
    connections,
    durationS,
    request: {
      method: 'POST',
      ...routes.create,
      body: JSON.stringify({ channel: 'link' }),
      ...(channel === 'email'
        ? {
            next: () => ({
              body: JSON.stringify({ channel, recipient: { email: `bench-${runTag}-${recipient++}@example.org` } }),
            }),
          }
        : {}),
      onBody: (body) => {
        const token = tokenFromBody(body);
        if (token) pool.push(token);
      },
    },
  });
}

/**
 * Each accept's member, counted over the process: a server's accept runs (its warm-up turns, 10 and 100 connections)
 * share its database, where a subject used before renews its membership instead of making one (a counter per run
 * made 31% of the accepts at 10 connections renewals, cheaper on PostgreSQL than the new membership the floor makes).
 */
let acceptingMembers = 0;

/** Accepts each token once, as a different open-link member each time, until the tokens or the time run out. */
export function acceptRun(
  server: Server,
  routes: WriteRoutes,
  connections: number,
  durationS: number,
  tokens: readonly string[],
): Promise<LoadResult> {
  const queue = tokenQueue(tokens);
  return runLoad({
    url: server.url,
    serverPid: server.pid,
    database: server.database,
    connections,
    durationS,
    amount: tokens.length,
    request: {
      method: 'POST',
      path: routes.acceptPath('placeholder'),
      headers: { 'content-type': 'application/json' },
      next: () => {
        const token = queue.take();
        return token
          ? { path: routes.acceptPath(token), body: JSON.stringify({ subject: `bench-member-${acceptingMembers++}` }) }
          : null;
      },
    },
  });
}

/**
 * Usher or the baseline as a contender: its link creates fill the token pool its accepts take, each token accepted
 * once; Usher also creates email invitations (their tokens are not accepted: an email invitation is the addressee's).
 */
function httpContender(
  name: 'usher' | 'baseline',
  server: Server,
  routes: WriteRoutes,
  options: BenchOptions,
  record: RecordRun,
): Contender & { viewTokens(): readonly string[] } {
  const pool: string[] = [];
  let viewTokens: string[] = [];
  const acceptTokens = new Map<number, string[]>();
  return {
    name,
    levels: (scenario) => (scenario === 'create (email)' && name !== 'usher' ? [] : CONNECTION_LEVELS),
    async warm(scenario) {
      if (scenario === 'create') await createRun(server, routes, 10, options.settleS, pool);
      if (scenario === 'create (email)') await createRun(server, routes, 10, options.warmupS, [], 'email');
      if (scenario !== 'accept') return;
      // Kept aside for the public view, which reads; the rest are accepted, half at each connection count.
      viewTokens = pool.splice(0, Math.min(1000, Math.floor(pool.length / 10)));
      await acceptRun(server, routes, 10, options.warmupS, pool.splice(0, Math.min(200, Math.floor(pool.length / 10))));
      const half = Math.floor(pool.length / 2);
      acceptTokens.set(CONNECTION_LEVELS[0], pool.slice(0, half));
      acceptTokens.set(CONNECTION_LEVELS[1], pool.slice(half));
    },
    async rewarm(scenario, connections) {
      if (scenario === 'create') await createRun(server, routes, connections, REWARM_S, pool);
      if (scenario === 'create (email)') await createRun(server, routes, connections, REWARM_S, [], 'email');
      const tokens = acceptTokens.get(connections) ?? [];
      if (scenario === 'accept')
        await acceptRun(server, routes, connections, REWARM_S, tokens.splice(0, Math.floor(tokens.length / 10)));
    },
    run: (scenario, connections) =>
      scenario === 'accept'
        ? acceptRun(server, routes, connections, options.durationS, acceptTokens.get(connections) ?? [])
        : scenario === 'create'
          ? createRun(server, routes, connections, options.durationS, pool)
          : createRun(server, routes, connections, options.durationS, [], 'email'),
    record,
    viewTokens: () => viewTokens,
  };
}

/** Read scenarios on Usher: first page, a deep cursor, the public view. */
async function readScenarios(
  server: Server,
  viewTokens: readonly string[],
  options: BenchOptions,
  record: RecordRun,
  log: Log,
): Promise<void> {
  const { url, pid: serverPid, database } = server;
  // 90% of the way to the end of what the create runs made: as deep as this store goes.
  const cursors = await followCursors(url, '/v1/invitations', Number.MAX_SAFE_INTEGER);
  const deep = cursors[Math.floor(cursors.length * 0.9)] ?? cursors[cursors.length - 1];
  if (!deep) throw new Error('the store has no second page to take a deep cursor from');
  const reads = [
    { scenario: 'list first page', path: '/v1/invitations', headers: AUTH_HEADERS },
    { scenario: 'list deep cursor', path: `/v1/invitations?cursor=${deep.cursor}`, headers: AUTH_HEADERS },
  ];
  log(
    `  (deep cursor: ${deep.rowsIn.toLocaleString('en')} rows in, of ${(cursors.length * CURSOR_PAGE).toLocaleString('en')})`,
  );
  let next = 0;
  for (const read of reads) {
    await runLoad({
      url,
      connections: 10,
      durationS: 1,
      request: { method: 'GET', path: read.path, headers: read.headers },
    });
    for (const connections of CONNECTION_LEVELS) {
      await record(read.scenario, () =>
        runLoad({
          url,
          serverPid,
          database,
          connections,
          durationS: options.durationS,
          request: { method: 'GET', path: read.path, headers: read.headers },
        }),
      );
    }
  }
  const view = (connections: number, durationS: number) =>
    runLoad({
      url,
      serverPid,
      database,
      connections,
      durationS,
      request: {
        method: 'GET',
        path: '/v1/public/invitations/x',
        next: () => ({ path: `/v1/public/invitations/${viewTokens[next++ % viewTokens.length]}` }),
      },
    });
  await view(10, 1);
  for (const connections of CONNECTION_LEVELS) await record('public view', () => view(connections, options.durationS));
}

/**
 * The whole matrix on one engine: Usher, the baseline (each on a database of its own, both up throughout) and the floor
 * take turns at the writes (scenarios/alternate.ts); then Usher's reads.
 */
export async function runMatrix(
  results: Results,
  databases: DatabaseServer,
  options: BenchOptions,
  log: Log,
): Promise<void> {
  const engine = databases.name;
  const scratch: ScratchDatabase[] = [];
  try {
    for (const name of ['matrix', 'baseline', 'floor']) scratch.push(await databases.create(name));
    const [usherDb, baselineDb, floorDb] = scratch as [ScratchDatabase, ScratchDatabase, ScratchDatabase];
    const floor = await floorContender(floorDb, databases, options, recorder(results, engine, 'floor', log), log);
    try {
      await withServer(
        results,
        { engine, phase: 'matrix (create, accept, list, view)' },
        // The worker off: an email create queues its message, and the drain phase measures what sending it costs.
        () => startUsher({ databaseUrl: usherDb.url, env: { USHER_RUN_WORKER: 'false' } }),
        async (usher) => {
          const tenant = await callJson<{ settings: { rateLimitPerMinute: number | null } }>(
            usher.url,
            'GET',
            '/v1/tenant',
          );
          // A rate-limited tenant would measure 429s: the bench tenant must have the default, no limit.
          if (tenant.settings.rateLimitPerMinute !== null)
            throw new Error(`the bench tenant is rate limited (${tenant.settings.rateLimitPerMinute}/min)`);
          const server = underLoad(usher, databases);
          // PostgreSQL's statements and waits for each of Usher's runs (not the baseline's: their SQL is not Usher's).
          const { adminUrl } = databases;
          const watch =
            adminUrl && server.database
              ? () => watchPostgres(adminUrl, usherDb.name, server.database!.exclude)
              : undefined;
          const usherSide = httpContender(
            'usher',
            server,
            USHER_ROUTES,
            options,
            recorder(results, engine, 'usher', log, watch),
          );
          await withServer(
            results,
            { engine, phase: 'baseline (create, accept)' },
            () => startBaseline(baselineDb.url),
            async (baseline) => {
              const baselineRecord = recorder(results, engine, 'baseline', log);
              const baselineSide = httpContender(
                'baseline',
                underLoad(baseline, databases),
                BASELINE_ROUTES,
                options,
                baselineRecord,
              );
              await alternate([usherSide, baselineSide, floor], CONNECTION_LEVELS);
            },
          );
          if (adminUrl) await settleForReads(adminUrl, [usherDb.url, floorDb.url], log);
          await readScenarios(server, usherSide.viewTokens(), options, usherSide.record, log);
          await floor.readList();
        },
      );
    } finally {
      await floor.close();
    }
  } finally {
    for (const database of scratch) await database.drop();
  }
}
