/**
 * Throwaway PostgreSQL servers for the bench, started from Debian's packages on 127.0.0.1 with the
 * settings a phase asks for: the tests' fast ones (scripts/throwaway-postgres.sh: fsync,
 * synchronous_commit and full_page_writes off) or production durability (all three on). Both load
 * pg_stat_statements, so the report can say which statements PostgreSQL spent its time on. The
 * server is started here rather than by the script because the script fixes fsync off on the command
 * line, where neither ALTER SYSTEM nor a config file can turn it back on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The two PostgreSQL configurations the bench measures. */
export type PgSetting = 'fast' | 'durable';

const SETTINGS: Record<PgSetting, readonly string[]> = {
  fast: ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'],
  durable: ['fsync=on', 'synchronous_commit=on', 'full_page_writes=on'],
};

/** A running throwaway server: its URL, its data folder and the postmaster's pid, whose children are its backends. */
export interface ThrowawayPostgres {
  readonly url: string;
  readonly dataDir: string;
  readonly postmasterPid: number;
  /** Synchronous, so that it can run in an exit handler too. */
  stop(): void;
}

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(a) - Number(b));
  return versions.length ? join(root, versions.at(-1)!, 'bin') : null;
}

/** Runs a PostgreSQL tool as the postgres user when the bench runs as root (initdb refuses root). */
function asPostgres(command: string): void {
  const args =
    process.getuid?.() === 0 ? ['su', 'postgres', '-s', '/bin/bash', '-c', command] : ['bash', '-c', command];
  execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The postmaster's pid: the first line of postmaster.pid in the data folder. */
export function postmasterPidOf(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** Starts a fresh server on `port` with `setting`; throws, saying why, when PostgreSQL is not installed or fails. */
export function startThrowawayPostgres(port: number, setting: PgSetting): ThrowawayPostgres {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin)');
  const dataDir = `/tmp/usher-bench-pg-${port}`;
  const stop = () => {
    if (existsSync(join(dataDir, 'postmaster.pid')))
      try {
        asPostgres(`${bin}/pg_ctl -D ${dataDir} -m immediate -w stop`);
      } catch {
        // Stopped already.
      }
    rmSync(dataDir, { recursive: true, force: true });
  };
  stop();
  mkdirSync(dataDir, { recursive: true });
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dataDir]);
  asPostgres(`${bin}/initdb -D ${dataDir} -U usher -A trust --no-sync`);
  const options = [
    `-p ${port}`,
    `-k ${dataDir}`,
    ...['listen_addresses=127.0.0.1', 'max_connections=200', 'shared_preload_libraries=pg_stat_statements']
      .concat(SETTINGS[setting])
      .map((option) => `-c ${option}`),
  ].join(' ');
  asPostgres(`${bin}/pg_ctl -D ${dataDir} -l ${dataDir}/server.log -w -o "${options}" start`);
  return { url: `postgres://usher@127.0.0.1:${port}/postgres`, dataDir, postmasterPid: postmasterPidOf(dataDir), stop };
}
