/**
 * PostgreSQL's CPU, read from /proc: the postmaster's own time, the time of every live child (the
 * backends, one per client connection, and the background processes), and the time of children
 * that already ended, which the kernel adds to the postmaster's cutime/cstime once it reaps them.
 * So a backend that ends during a run is still counted. Usher's pool keeps its connections (and so
 * its backends) for as long as it is busy, so the per-run figure is the backends serving the load.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { parentsByPid, statFields } from './processes';

/** Clock ticks are 1/100 s on Linux. */
const TICK_S = 0.01;

/**
 * CPU seconds of the postmaster and all its children, ended ones included; `exclude` leaves out
 * backends that are the bench's own (a sampler). NaN when the postmaster is gone.
 */
export function postgresCpuSeconds(postmasterPid: number, exclude: ReadonlySet<number> = new Set()): number {
  let ticks: number;
  try {
    const fields = statFields(postmasterPid);
    // utime, stime, cutime, cstime: fields 14-17 of stat, 11-14 after the command name.
    ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  } catch {
    return Number.NaN;
  }
  for (const [pid, parent] of parentsByPid()) {
    if (parent !== postmasterPid || exclude.has(pid)) continue;
    try {
      const fields = statFields(pid);
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // It ended while we looked: reaped, its time is in the postmaster's cutime next time.
    }
  }
  return ticks * TICK_S;
}

/**
 * The postmaster of a server named by URL, when it runs on this machine: the parent of this
 * connection's backend (pg_backend_pid()), if that pid here is a postgres process. Null for a
 * remote server, whose CPU the bench cannot read.
 */
export async function localPostmasterPid(serverUrl: string): Promise<number | null> {
  const host = new URL(serverUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host)) return null;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const backend = rows[0]!.pid;
    const command = readFileSync(`/proc/${backend}/cmdline`, 'utf8');
    if (!command.startsWith('postgres')) return null;
    return Number(statFields(backend)[1]);
  } catch {
    return null;
  } finally {
    await client.end();
  }
}
