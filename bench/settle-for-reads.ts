/**
 * Settles PostgreSQL before the matrix's reads. The bench counts every process of the server as PostgreSQL's CPU, and
 * the writes just measured leave tables for autovacuum to vacuum and analyze: run during the reads, that work was
 * charged to them (2026-12-07: Usher's list first page at 10 connections 0.90 ms of PostgreSQL CPU with
 * `Timeout:VacuumDelay` sampled, the same two statements 0.33 ms in the floor's run after it; waiting for autovacuum to
 * be idle was not enough, its launcher started again during the next read). So the databases are vacuumed and
 * analyzed here, before the reads, and the wait is for what autovacuum still runs. The writes' share of autovacuum,
 * what ran during their own runs, stays with them.
 */
import { adminQuery } from './databases';

const POLL_MS = 250;
const LIMIT_MS = 120_000;

/** VACUUM (ANALYZE) on each of `databaseUrls`, then waits (two minutes at most) until no autovacuum worker runs. */
export async function settleForReads(
  adminUrl: string,
  databaseUrls: readonly string[],
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  for (const url of databaseUrls) await adminQuery(url, 'vacuum (analyze)');
  let quiet = 0;
  while (quiet < 2 && Date.now() - started < LIMIT_MS) {
    const [row] = await adminQuery<{ n: string }>(
      adminUrl,
      "select count(*) as n from pg_stat_activity where backend_type = 'autovacuum worker'",
    );
    quiet = Number(row?.n ?? 0) === 0 ? quiet + 1 : 0;
    if (quiet < 2) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const took = ((Date.now() - started) / 1000).toFixed(1);
  log(
    `  (vacuumed and analyzed; ${quiet >= 2 ? 'autovacuum idle' : 'autovacuum still busy: reads go on'} after ${took} s)`,
  );
}
