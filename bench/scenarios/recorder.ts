/** How the matrix measures a server: its CPU and PostgreSQL's per request, and PostgreSQL's statements and waits. */
import type { DatabaseServer } from '../databases';
import type { LoadResult } from '../load';
import type { PostgresWatch } from '../postgres-stats';
import type { Child } from '../processes';
import type { LoadRow, Results } from '../results';

/**
 * A server under load: where it listens, its pid, and PostgreSQL's postmaster when it has a local one (the CPU time of
 * both per request is reported), with the bench's own backends to leave out of PostgreSQL's.
 */
export type Server = Pick<Child, 'url' | 'pid'> & {
  readonly database?: { readonly postmasterPid: number; readonly exclude: Set<number> };
};

/** A started child as a server under load on `databases`, whose PostgreSQL CPU is read when it is local. */
export function underLoad(child: Pick<Child, 'url' | 'pid'>, databases: DatabaseServer): Server {
  const { postmasterPid } = databases;
  return {
    url: child.url,
    pid: child.pid,
    ...(postmasterPid !== null ? { database: { postmasterPid, exclude: new Set<number>() } } : {}),
  };
}

/** One line for the console: rate, latency, CPU per request (the server's, PostgreSQL's and their sum). */
export function describeRun(result: LoadResult): string {
  const failed = result.failed > 0 ? `, ${result.failed} failed ${JSON.stringify(result.statusCodes)}` : '';
  const server = result.serverCpuMsPerRequest;
  const pg = result.postgresCpuMsPerRequest;
  const cpu =
    server === undefined
      ? ''
      : pg === undefined
        ? `  server CPU ${server.toFixed(2)} ms/req`
        : `  CPU ${server.toFixed(2)} + PostgreSQL ${pg.toFixed(2)} = ${(server + pg).toFixed(2)} ms/req`;
  return `${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms${cpu}  (${result.ok} ok${failed})`;
}

/** Measures one run and keeps its figures. */
export type RecordRun = (scenario: string, run: () => Promise<LoadResult>) => Promise<void>;

/** Keeps each run's figures in the results and prints them; with `watch`, PostgreSQL's statements and waits too. */
export function recorder(
  results: Results,
  engine: DatabaseServer['name'],
  server: LoadRow['server'],
  log: (line: string) => void,
  watch?: () => Promise<PostgresWatch>,
): RecordRun {
  return async (scenario, run) => {
    const watcher = await watch?.();
    let result: LoadResult;
    try {
      result = await run();
    } catch (error) {
      await watcher?.stop().catch(() => undefined);
      throw error;
    }
    const postgres = await watcher?.stop();
    results.load.push({ engine, server, scenario, ...result, ...(postgres ? { postgres } : {}) });
    log(
      `  ${server.padEnd(8)} ${scenario.padEnd(16)} c=${String(result.connections).padEnd(3)} ${describeRun(result)}`,
    );
  };
}
