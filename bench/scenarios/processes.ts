/**
 * Processes sharing one PostgreSQL database: 1, 2 and 4 Usher processes on one database, the
 * same 10 connections of link creates split across them (one load generator per process), so the
 * CPU per request of all of them plus PostgreSQL's says whether a process added costs more than the
 * requests it serves (hot rows, locks: pg_stat_statements and waits in the report). PostgreSQL only.
 *
 * The bare baseline's processes (bench/baseline-server.ts, on a database of their own) take the same turns: what
 * they lose a core-second as processes are added is this machine's, with no Usher code in it — four processes and
 * the load generator sharing two cores wait and wake more often (context switches a request, in the report) and
 * refill their caches each time — and stands beside Usher's figure as the accept's floor does beside its own.
 *
 * Four processes of each start once and each is warmed alone with all 10 connections: warmed with its share
 * of a split load, a process of four got a quarter of the requests the lone one got, and measured
 * its own warm-up. The counts then take turns, in an order rotating from round to round, as the
 * matrix's writes do: measured one after another, runs a minute apart on this shared machine put
 * one process at 0.61 to 1.08 ms a create, which read as the cost of adding processes.
 */
import { startBaseline } from '../baseline-process';
import type { DatabaseServer } from '../databases';
import { runLoad, type LoadRequest, type LoadResult } from '../load';
import type { BenchOptions } from '../options';
import { postgresCpuSeconds } from '../postgres-cpu';
import { waitsByCount, watchPostgres, type PostgresRunStats } from '../postgres-stats';
import { contextSwitches, type Child } from '../processes';
import { createsPerCoreSecond, type ProcessesRow, type ProcessesServer, type Results } from '../results';
import { AUTH_HEADERS, startUsher } from '../usher-process';
import { rotated } from './alternate';

const PROCESS_COUNTS = [1, 2, 4] as const;
const SERVERS: readonly ProcessesServer[] = ['usher', 'baseline'];
const CONNECTIONS = 10;
const CREATES: Record<ProcessesServer, LoadRequest> = {
  usher: { method: 'POST', path: '/v1/invitations', headers: AUTH_HEADERS, body: '{"channel":"link"}' },
  baseline: {
    method: 'POST',
    path: '/create',
    headers: { 'content-type': 'application/json' },
    body: '{"channel":"link"}',
  },
};

/** What the measured runs of one server at one process count added up to, over the rounds. */
interface Tally {
  ok: number;
  failed: number;
  seconds: number;
  p99: number;
  serverCpuMs: number;
  postgresCpuS: number;
  switches: number;
  postgres?: PostgresRunStats;
}

/** The waits of two runs together; the statements of the later one (pg_stat_statements is reset per run). */
function mergeStats(earlier: PostgresRunStats | undefined, later: PostgresRunStats): PostgresRunStats {
  if (!earlier) return later;
  const waits = new Map(earlier.waits.map((wait) => [wait.event, wait.backends]));
  for (const wait of later.waits) waits.set(wait.event, (waits.get(wait.event) ?? 0) + wait.backends);
  return {
    statements: later.statements,
    samples: earlier.samples + later.samples,
    waits: waitsByCount(waits),
  };
}

const sumOf = (pids: readonly number[], read: (pid: number) => number): number =>
  pids.reduce((sum, pid) => sum + read(pid), 0);

export async function runProcesses(
  results: Results,
  databases: DatabaseServer,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<void> {
  if (databases.engine !== 'postgres') return;
  const usherDb = await databases.create('processes');
  const baselineDb = await databases.create('processes_baseline');
  const fleets: Record<ProcessesServer, Child[]> = { usher: [], baseline: [] };
  try {
    // One at a time: the first migrates the database, the others find it migrated.
    for (let i = 0; i < PROCESS_COUNTS.at(-1)!; i++) {
      fleets.usher.push(
        await startUsher({ databaseUrl: usherDb.url, env: { USHER_RUN_WORKER: 'false' }, name: `usher-${i}` }),
      );
      fleets.baseline.push(await startBaseline(baselineDb.url, `baseline-${i}`));
    }
    for (const server of SERVERS)
      for (const child of fleets[server])
        await runLoad({
          url: child.url,
          connections: CONNECTIONS,
          durationS: options.settleS,
          request: CREATES[server],
        });
    // The first `count` processes take the 10 connections as evenly as they go: 10, 5+5, 3+3+2+2.
    const load = (
      server: ProcessesServer,
      count: number,
      durationS: number,
      measured: boolean,
    ): Promise<LoadResult[]> =>
      Promise.all(
        fleets[server].slice(0, count).map((child, i) =>
          runLoad({
            url: child.url,
            ...(measured ? { serverPid: child.pid } : {}),
            connections: Math.floor(CONNECTIONS / count) + (i < CONNECTIONS % count ? 1 : 0),
            durationS,
            request: CREATES[server],
          }),
        ),
      );
    const tallies = new Map<string, Tally>();
    const tallyOf = (server: ProcessesServer, count: number): Tally => {
      const key = `${server} ${count}`;
      if (!tallies.has(key))
        tallies.set(key, { ok: 0, failed: 0, seconds: 0, p99: 0, serverCpuMs: 0, postgresCpuS: 0, switches: 0 });
      return tallies.get(key)!;
    };
    const pid = databases.postmasterPid;
    const rounds = options.quick ? 1 : 3;
    for (let round = 0; round < rounds; round++) {
      for (const count of rotated(PROCESS_COUNTS, round)) {
        for (const server of rotated(SERVERS, round)) {
          // The idle processes' pool connections have closed (node-pg keeps one 10 s); a measured run opens none.
          await load(server, count, 1, false);
          const pids = fleets[server].slice(0, count).map((child) => child.pid);
          const exclude = new Set<number>();
          // PostgreSQL's statements and waits for Usher's runs (the baseline's SQL is not Usher's).
          const watch =
            databases.adminUrl !== null && server === 'usher'
              ? await watchPostgres(databases.adminUrl, usherDb.name, exclude)
              : null;
          const switchesBefore = sumOf(pids, contextSwitches);
          const pgBefore = pid === null ? Number.NaN : postgresCpuSeconds(pid, exclude);
          const runs = await load(server, count, options.durationS, true);
          const pgCpu = pid === null ? Number.NaN : postgresCpuSeconds(pid, exclude) - pgBefore;
          const switches = sumOf(pids, contextSwitches) - switchesBefore;
          const stats = await watch?.stop();
          const tally = tallyOf(server, count);
          tally.ok += runs.reduce((sum, run) => sum + run.ok, 0);
          tally.failed += runs.reduce((sum, run) => sum + run.failed, 0);
          tally.seconds += Math.max(...runs.map((run) => run.seconds));
          tally.p99 = Math.max(tally.p99, ...runs.map((run) => run.p99));
          tally.serverCpuMs += runs.reduce((sum, run) => sum + (run.serverCpuMsPerRequest ?? Number.NaN) * run.ok, 0);
          tally.postgresCpuS += pgCpu;
          tally.switches += switches;
          if (stats) tally.postgres = mergeStats(tally.postgres, stats);
        }
      }
    }
    for (const server of SERVERS)
      for (const count of PROCESS_COUNTS) {
        const tally = tallyOf(server, count);
        const perRequest = (total: number) => total / Math.max(1, tally.ok);
        const row: ProcessesRow = {
          engine: databases.name,
          server,
          processes: count,
          scenario: 'create',
          connections: CONNECTIONS,
          ok: tally.ok,
          failed: tally.failed,
          rps: tally.ok / tally.seconds,
          p99: tally.p99,
          usherCpuMsPerRequest: perRequest(tally.serverCpuMs),
          postgresCpuMsPerRequest: perRequest(1000 * tally.postgresCpuS),
          switchesPerRequest: perRequest(tally.switches),
          ...(tally.postgres ? { postgres: tally.postgres } : {}),
        };
        results.processes.push(row);
        log(
          `  ${server}, ${count} process${count > 1 ? 'es' : ''}, ${rounds} runs: ${row.rps.toFixed(0)} creates/s, p99 ${row.p99.toFixed(1)} ms; CPU ${row.usherCpuMsPerRequest.toFixed(2)} + PostgreSQL ${row.postgresCpuMsPerRequest.toFixed(2)} = ${(row.usherCpuMsPerRequest + row.postgresCpuMsPerRequest).toFixed(2)} ms/req: ${createsPerCoreSecond(row).toFixed(0)} creates per core-second; ${row.switchesPerRequest!.toFixed(2)} context switches a request (${row.failed} failed)`,
        );
      }
  } finally {
    for (const child of [...fleets.usher, ...fleets.baseline]) await child.stop();
    await usherDb.drop();
    await baselineDb.drop();
  }
}
