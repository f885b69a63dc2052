/**
 * List and filter latency on a big store: the invitations are seeded straight into the database
 * (bench/seed.ts), then Usher starts on it and each query is hammered at 1 connection (the
 * query's own latency) and at 10 (with queueing in Usher's single event loop on top).
 */
import { statSync } from 'node:fs';
import pg from 'pg';
import { adminQuery, type DatabaseServer, type ScratchDatabase } from '../databases';
import { followCursors } from '../http';
import { runLoad } from '../load';
import type { BenchOptions } from '../options';
import type { Results } from '../results';
import { seedInvitations, type SeedInfo } from '../seed';
import { settleForReads } from '../settle-for-reads';
import { AUTH_HEADERS, startUsher } from '../usher-process';
import { withServer } from '../with-server';

/** Each query the console and API clients make on a big store, with its parameters. */
function queries(seed: SeedInfo, deepCursor: string): { query: string; path: string }[] {
  const q = (query: string, params: string) => ({ query, path: `/v1/invitations${params ? `?${params}` : ''}` });
  const enc = encodeURIComponent;
  return [
    q('list, first page', ''),
    q('list, deep cursor', `cursor=${deepCursor}`),
    q('status=pending', 'status=pending'),
    q('status=accepted, by updatedAt', 'status=accepted&sort=updatedAt'),
    q('status=expired', 'status=expired'),
    q('channel=link (29%)', 'channel=link'),
    q('channel=didcomm (1%)', 'channel=didcomm'),
    q('email= (1 row)', `email=${enc(seed.oneEmail)}`),
    q('target= (2%)', `target=${enc(seed.commonTarget)}`),
    q('target= (rare)', `target=${enc(seed.rareTarget)}`),
    q('created in one day', `createdAfter=${enc(seed.createdAfter)}&createdBefore=${enc(seed.createdBefore)}`),
  ];
}

async function storeMegabytes(database: ScratchDatabase): Promise<number | null> {
  if (database.url.startsWith('sqlite:')) return statSync(database.url.slice('sqlite:'.length)).size / 2 ** 20;
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (
      Number(
        (await client.query<{ size: string }>('select pg_database_size(current_database()) as size')).rows[0]!.size,
      ) /
      2 ** 20
    );
  } finally {
    await client.end();
  }
}

export async function runScale(
  results: Results,
  databases: DatabaseServer,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<void> {
  const engine = databases.name;
  const database = await databases.create('scale');
  try {
    log(`  seeding ${options.scaleRows.toLocaleString('en')} invitations…`);
    const seed = await seedInvitations(database.url, options.scaleRows, log);
    const megabytes = await storeMegabytes(database);
    results.seed.push({ engine, rows: seed.rows, seconds: seed.seconds, megabytes });
    log(`  seeded in ${seed.seconds.toFixed(0)} s, store ${megabytes?.toFixed(0)} MB`);
    // A million rows written at once leave autovacuum a pass over the whole table and its indexes, and the server a
    // checkpoint's worth of dirty pages: work a store that grew over months did as it grew. Done before the reads, as
    // for the matrix's, and not charged to the first queries measured.
    if (databases.adminUrl) {
      await settleForReads(databases.adminUrl, [database.url], log);
      // Needs a superuser or pg_checkpoint: on a server where the bench's user has neither, the reads go on.
      await adminQuery(databases.adminUrl, 'checkpoint').catch((error: Error) =>
        log(`  (no checkpoint: ${error.message})`),
      );
    }
    await withServer(
      results,
      { engine, phase: `list and filter, ${seed.rows.toLocaleString('en')} rows` },
      () => startUsher({ databaseUrl: database.url }),
      async (usher) => {
        // A tenth of the way in: far enough that OFFSET paging would crawl; keyset paging should not care.
        const pages = Math.max(1, Math.floor(seed.rows / 10 / 200));
        const started = Date.now();
        const cursors = await followCursors(usher.url, '/v1/invitations', pages);
        const deep = cursors.at(-1)!;
        log(
          `  followed ${cursors.length} pages of 200 (${deep.rowsIn.toLocaleString('en')} rows in) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        const durationS = Math.max(2, Math.round(options.durationS / 2));
        // A server just started compiles its hot paths and settles its heap over its first seconds of load: the
        // queries measured first paid for it (PostgreSQL, 2026-12-07: the first page's Usher CPU twice the next
        // query's at one connection; after 3 s of warm-up still 1.07 and 1.03 ms for the first two queries against
        // 0.55-0.67 for the rest, after 10 s 0.56 and 0.54 like them). Ten connections on the first page for a while
        // first, as a server up for a while would have had.
        const firstPage = { method: 'GET' as const, path: '/v1/invitations', headers: AUTH_HEADERS };
        await runLoad({ url: usher.url, connections: 10, durationS: Math.max(10, 3 * durationS), request: firstPage });
        for (const { query, path } of queries(seed, deep.cursor)) {
          const request = { method: 'GET' as const, path, headers: AUTH_HEADERS };
          // One unmeasured pass loads the query's pages into the cache, as on a server that has been up a while.
          await runLoad({ url: usher.url, connections: 1, durationS: 1, amount: 5, request });
          for (const connections of [1, 10]) {
            const result = await runLoad({ url: usher.url, serverPid: usher.pid, connections, durationS, request });
            results.scale.push({ engine, query, path, storeRows: seed.rows, ...result });
            log(
              `  ${query.padEnd(32)} c=${String(connections).padEnd(3)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms  server CPU ${result.serverCpuMsPerRequest?.toFixed(2)} ms/req${result.failed ? `  ${result.failed} failed` : ''}`,
            );
          }
        }
      },
    );
  } finally {
    await database.drop();
  }
}
