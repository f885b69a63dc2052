/**
 * Usher processes sharing one PostgreSQL database: 1, 2 and 4 processes on one database, the
 * same 10 connections of link creates split across them (one load generator per process), so the
 * CPU per request of all of them plus PostgreSQL's says whether a process added costs more than the
 * requests it serves (hot rows, locks: pg_stat_statements and waits in the report). PostgreSQL only.
 */
import type { DatabaseServer } from '../databases';
import { runLoad } from '../load';
import type { BenchOptions } from '../options';
import { postgresCpuSeconds } from '../postgres-cpu';
import { watchPostgres } from '../postgres-stats';
import type { Child } from '../processes';
import type { ProcessesRow, Results } from '../results';
import { AUTH_HEADERS, startUsher } from '../usher-process';

const PROCESS_COUNTS = [1, 2, 4] as const;
const CONNECTIONS = 10;

export async function runProcesses(
  results: Results,
  databases: DatabaseServer,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<void> {
  if (databases.engine !== 'postgres') return;
  for (const count of PROCESS_COUNTS) {
    const database = await databases.create(`processes_${count}`);
    const ushers: Child[] = [];
    try {
      // One at a time: the first migrates the database, the others find it migrated.
      for (let i = 0; i < count; i++)
        ushers.push(
          await startUsher({ databaseUrl: database.url, env: { USHER_RUN_WORKER: 'false' }, name: `usher-${i}` }),
        );
      const load = (durationS: number) =>
        Promise.all(
          ushers.map((usher, i) =>
            runLoad({
              url: usher.url,
              serverPid: usher.pid,
              // The 10 connections split as evenly as they go: 10, 5+5, 3+3+2+2.
              connections: Math.floor(CONNECTIONS / count) + (i < CONNECTIONS % count ? 1 : 0),
              durationS,
              request: { method: 'POST', path: '/v1/invitations', headers: AUTH_HEADERS, body: '{"channel":"link"}' },
            }),
          ),
        );
      await load(options.settleS);
      const exclude = new Set<number>();
      const watch =
        databases.adminUrl !== null ? await watchPostgres(databases.adminUrl, database.name, exclude) : null;
      const pid = databases.postmasterPid;
      const pgBefore = pid === null ? Number.NaN : postgresCpuSeconds(pid, exclude);
      const runs = await load(options.durationS);
      const pgCpu = pid === null ? Number.NaN : postgresCpuSeconds(pid, exclude) - pgBefore;
      const postgres = await watch?.stop();
      const ok = runs.reduce((sum, run) => sum + run.ok, 0);
      const usherCpuMs = runs.reduce((sum, run) => sum + (run.serverCpuMsPerRequest ?? Number.NaN) * run.ok, 0);
      const row: ProcessesRow = {
        engine: databases.name,
        processes: count,
        scenario: 'create',
        connections: CONNECTIONS,
        ok,
        failed: runs.reduce((sum, run) => sum + run.failed, 0),
        rps: runs.reduce((sum, run) => sum + run.rps, 0),
        p99: Math.max(...runs.map((run) => run.p99)),
        usherCpuMsPerRequest: usherCpuMs / Math.max(1, ok),
        postgresCpuMsPerRequest: (1000 * pgCpu) / Math.max(1, ok),
        ...(postgres ? { postgres } : {}),
      };
      results.processes.push(row);
      const total = row.usherCpuMsPerRequest + row.postgresCpuMsPerRequest;
      log(
        `  ${count} process${count > 1 ? 'es' : ''}: ${row.rps.toFixed(0)} creates/s, p99 ${row.p99.toFixed(1)} ms; CPU ${row.usherCpuMsPerRequest.toFixed(2)} + PostgreSQL ${row.postgresCpuMsPerRequest.toFixed(2)} = ${total.toFixed(2)} ms/req: ${(1000 / total).toFixed(0)} creates per core-second (${row.failed} failed)`,
      );
    } finally {
      for (const usher of ushers) await usher.stop();
      await database.drop();
    }
  }
}
