/**
 * PostgreSQL's own account of a load run: the statements it spent its time on (pg_stat_statements,
 * reset at the start of the run) and what its backends waited for (pg_stat_activity sampled every
 * 100 ms: heavyweight locks, LWLocks, WAL I/O), so the report shows what would serialize processes
 * sharing one database. The sampler's backend is the bench's own: its pid goes in `exclude`, so its
 * CPU is not counted as PostgreSQL's share of a request.
 */
import pg from 'pg';

/** One statement's figures over a run, as pg_stat_statements normalizes it (constants as $n). */
export interface StatementStat {
  readonly query: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly rows: number;
}

/** What PostgreSQL reports for one load run. */
export interface PostgresRunStats {
  /** Most total execution time first, the top ten. */
  readonly statements: readonly StatementStat[];
  /** Samples of pg_stat_activity taken over the run. */
  readonly samples: number;
  /** Backends of the run's database seen waiting, summed over the samples, by `type:event` (most first). */
  readonly waits: readonly { readonly event: string; readonly backends: number }[];
}

/** A sampler over one run; stop() ends it and reads the statements. */
export interface PostgresWatch {
  stop(): Promise<PostgresRunStats>;
}

/** Waits as the report lists them: by `type:event`, the most backends first. */
export function waitsByCount(waits: ReadonlyMap<string, number>): PostgresRunStats['waits'] {
  return [...waits].map(([event, backends]) => ({ event, backends })).sort((a, b) => b.backends - a.backends);
}

/** Waits that are a backend idle or PostgreSQL's background work, not a request waiting for another. */
const IDLE_WAITS = new Set(['Client', 'Activity']);

/** Resets pg_stat_statements and samples the waits of `database`'s backends until stop(); `exclude` gets its pid. */
export async function watchPostgres(adminUrl: string, database: string, exclude: Set<number>): Promise<PostgresWatch> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  exclude.add(pid);
  await client.query('select pg_stat_statements_reset()');
  const waits = new Map<string, number>();
  let samples = 0;
  let sampling: Promise<void> = Promise.resolve();
  const sample = async () => {
    const { rows } = await client.query<{ type: string; event: string }>(
      `select wait_event_type as type, wait_event as event from pg_stat_activity
       where datname = $1 and wait_event is not null and pid <> pg_backend_pid()`,
      [database],
    );
    samples += 1;
    for (const row of rows) {
      if (IDLE_WAITS.has(row.type)) continue;
      const key = `${row.type}:${row.event}`;
      waits.set(key, (waits.get(key) ?? 0) + 1);
    }
  };
  const timer = setInterval(() => {
    sampling = sampling.then(sample).catch(() => undefined);
  }, 100);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      try {
        const { rows } = await client.query<StatementStat>(
          `select query, calls::float8 as calls, total_exec_time as "totalMs", mean_exec_time as "meanMs",
                  rows::float8 as rows
           from pg_stat_statements s join pg_database d on d.oid = s.dbid
           where d.datname = $1 order by total_exec_time desc limit 10`,
          [database],
        );
        return {
          statements: rows,
          samples,
          waits: waitsByCount(waits),
        };
      } finally {
        exclude.delete(pid);
        await client.end();
      }
    },
  };
}
