/**
 * Usher processes sharing one PostgreSQL database: 1, 2 and 4 processes on one database, the
 * same 10 connections of link creates split across them (one load generator per process), so the
 * CPU per request of all of them plus PostgreSQL's says whether a process added costs more than the
 * requests it serves (hot rows, locks: pg_stat_statements and waits in the report). PostgreSQL only.
 *
 * Four processes start once and each is warmed alone with all 10 connections: warmed with its share
 * of a split load, a process of four got a quarter of the requests the lone one got, and measured
 * its own warm-up. The counts then take turns, in an order rotating from round to round, as the
 * matrix's writes do: measured one after another, runs a minute apart on this shared machine put
 * one process at 0.61 to 1.08 ms a create, which read as the cost of adding processes.
 */
import type { DatabaseServer } from '../databases';
import { runLoad, type LoadResult } from '../load';
import type { BenchOptions } from '../options';
import { postgresCpuSeconds } from '../postgres-cpu';
import { waitsByCount, watchPostgres, type PostgresRunStats } from '../postgres-stats';
import type { Child } from '../processes';
import { createsPerCoreSecond, type ProcessesRow, type Results } from '../results';
import { AUTH_HEADERS, startUsher } from '../usher-process';
import { rotated } from './alternate';

const PROCESS_COUNTS = [1, 2, 4] as const;
const CONNECTIONS = 10;
const CREATE = { method: 'POST', path: '/v1/invitations', headers: AUTH_HEADERS, body: '{"channel":"link"}' } as const;

/** What the measured runs of one process count added up to, over the rounds. */
interface Tally {
  ok: number;
  failed: number;
  seconds: number;
  p99: number;
  usherCpuMs: number;
  postgresCpuS: number;
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

export async function runProcesses(
  results: Results,
  databases: DatabaseServer,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<void> {
  if (databases.engine !== 'postgres') return;
  const database = await databases.create('processes');
  const ushers: Child[] = [];
  try {
    // One at a time: the first migrates the database, the others find it migrated.
    for (let i = 0; i < PROCESS_COUNTS.at(-1)!; i++)
      ushers.push(
        await startUsher({ databaseUrl: database.url, env: { USHER_RUN_WORKER: 'false' }, name: `usher-${i}` }),
      );
    for (const usher of ushers)
      await runLoad({ url: usher.url, connections: CONNECTIONS, durationS: options.settleS, request: CREATE });
    // The first `count` processes take the 10 connections as evenly as they go: 10, 5+5, 3+3+2+2.
    const load = (count: number, durationS: number, measured: boolean): Promise<LoadResult[]> =>
      Promise.all(
        ushers.slice(0, count).map((usher, i) =>
          runLoad({
            url: usher.url,
            ...(measured ? { serverPid: usher.pid } : {}),
            connections: Math.floor(CONNECTIONS / count) + (i < CONNECTIONS % count ? 1 : 0),
            durationS,
            request: CREATE,
          }),
        ),
      );
    const tallies = new Map<number, Tally>(
      PROCESS_COUNTS.map((count) => [count, { ok: 0, failed: 0, seconds: 0, p99: 0, usherCpuMs: 0, postgresCpuS: 0 }]),
    );
    const pid = databases.postmasterPid;
    const rounds = options.quick ? 1 : 3;
    for (let round = 0; round < rounds; round++) {
      for (const count of rotated(PROCESS_COUNTS, round)) {
        // The idle processes' pool connections have closed (node-pg keeps one 10 s); a measured run opens none.
        await load(count, 1, false);
        const exclude = new Set<number>();
        const watch =
          databases.adminUrl !== null ? await watchPostgres(databases.adminUrl, database.name, exclude) : null;
        const pgBefore = pid === null ? Number.NaN : postgresCpuSeconds(pid, exclude);
        const runs = await load(count, options.durationS, true);
        const pgCpu = pid === null ? Number.NaN : postgresCpuSeconds(pid, exclude) - pgBefore;
        const stats = await watch?.stop();
        const tally = tallies.get(count)!;
        tally.ok += runs.reduce((sum, run) => sum + run.ok, 0);
        tally.failed += runs.reduce((sum, run) => sum + run.failed, 0);
        tally.seconds += Math.max(...runs.map((run) => run.seconds));
        tally.p99 = Math.max(tally.p99, ...runs.map((run) => run.p99));
        tally.usherCpuMs += runs.reduce((sum, run) => sum + (run.serverCpuMsPerRequest ?? Number.NaN) * run.ok, 0);
        tally.postgresCpuS += pgCpu;
        if (stats) tally.postgres = mergeStats(tally.postgres, stats);
      }
    }
    for (const [count, tally] of tallies) {
      const row: ProcessesRow = {
        engine: databases.name,
        processes: count,
        scenario: 'create',
        connections: CONNECTIONS,
        ok: tally.ok,
        failed: tally.failed,
        rps: tally.ok / tally.seconds,
        p99: tally.p99,
        usherCpuMsPerRequest: tally.usherCpuMs / Math.max(1, tally.ok),
        postgresCpuMsPerRequest: (1000 * tally.postgresCpuS) / Math.max(1, tally.ok),
        ...(tally.postgres ? { postgres: tally.postgres } : {}),
      };
      results.processes.push(row);
      log(
        `  ${count} process${count > 1 ? 'es' : ''}, ${rounds} runs: ${row.rps.toFixed(0)} creates/s, p99 ${row.p99.toFixed(1)} ms; CPU ${row.usherCpuMsPerRequest.toFixed(2)} + PostgreSQL ${row.postgresCpuMsPerRequest.toFixed(2)} = ${(row.usherCpuMsPerRequest + row.postgresCpuMsPerRequest).toFixed(2)} ms/req: ${createsPerCoreSecond(row).toFixed(0)} creates per core-second (${row.failed} failed)`,
      );
    }
  } finally {
    for (const usher of ushers) await usher.stop();
    await database.drop();
  }
}
