import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { localPostmasterPid } from './postgres-cpu';
import { startThrowawayPostgres, type PgSetting } from './postgres-throwaway';

export type Engine = 'sqlite' | 'postgres';

/**
 * Which database a result row was measured on: SQLite, or PostgreSQL with the fast (no fsync) or the durable
 * settings; plain `postgres` for a server of USHER_BENCH_POSTGRES_URL whose settings are neither.
 */
export type StoreName = 'sqlite' | 'postgres' | `postgres-${PgSetting}`;

/** A fresh, empty database for one phase of the bench, and how to throw it away. */
export interface ScratchDatabase {
  readonly url: string;
  /** The database's name on its server (PostgreSQL), to find its statements in pg_stat_statements. */
  readonly name: string;
  drop(): Promise<void>;
}

/** Where one engine's scratch databases come from. */
export interface DatabaseServer {
  readonly engine: Engine;
  /** The name result rows carry. */
  readonly name: StoreName;
  /** For the report: the engine's own version string. */
  readonly version: string;
  /** PostgreSQL's postmaster on this machine, whose CPU (and its children's) the load runs read; null otherwise. */
  readonly postmasterPid: number | null;
  /** The server's maintenance database (PostgreSQL), where the bench reads pg_stat_statements and pg_stat_activity. */
  readonly adminUrl: string | null;
  create(label: string): Promise<ScratchDatabase>;
  close(): Promise<void>;
}

/** SQLite files in a temp folder that goes when the bench ends. */
export function sqliteServer(version: string): DatabaseServer {
  const dir = mkdtempSync(join(tmpdir(), 'usher-bench-'));
  // Gigabytes after the scale phase: gone even when the bench is interrupted.
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  return {
    engine: 'sqlite',
    name: 'sqlite',
    version,
    postmasterPid: null,
    adminUrl: null,
    async create(label) {
      const path = join(dir, `${label}.db`);
      return {
        url: `sqlite:${path}`,
        name: label,
        drop: async () => ['', '-wal', '-shm'].forEach((suffix) => rmSync(path + suffix, { force: true })),
      };
    },
    async close() {
      process.off('exit', removeDir);
      removeDir();
    },
  };
}

/** Runs one statement on the server's maintenance database. */
export async function adminQuery<T extends pg.QueryResultRow>(serverUrl: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Where the throwaway server of each setting listens: not the tests' port, so a test run's server is never touched. */
const THROWAWAY_PORTS: Record<PgSetting, number> = {
  fast: Number(process.env.USHER_BENCH_POSTGRES_PORT ?? 54371),
  durable: Number(process.env.USHER_BENCH_POSTGRES_PORT ?? 54371) + 1,
};

/**
 * PostgreSQL from USHER_BENCH_POSTGRES_URL (whatever its settings are: the name says which), or else a throwaway
 * server with `setting` (bench/postgres-throwaway.ts). Returns null, saying why, when neither works.
 */
export async function postgresServer(setting: PgSetting, log: (line: string) => void): Promise<DatabaseServer | null> {
  let serverUrl = process.env.USHER_BENCH_POSTGRES_URL;
  let stop = async () => {};
  let postmasterPid: number | null = null;
  if (!serverUrl) {
    try {
      const server = startThrowawayPostgres(THROWAWAY_PORTS[setting], setting);
      serverUrl = server.url;
      postmasterPid = server.postmasterPid;
      log(`PostgreSQL: started a throwaway server (${setting}) at ${serverUrl}`);
      // Also on Ctrl-C or an error: the exit handler may only do synchronous work, which stop is.
      process.once('exit', server.stop);
      stop = async () => {
        process.off('exit', server.stop);
        server.stop();
      };
    } catch (error) {
      log(
        `PostgreSQL: SKIPPED. USHER_BENCH_POSTGRES_URL is not set and no throwaway server started: ${(error as Error).message.split('\n')[0]}`,
      );
      return null;
    }
  }
  let version: string;
  let name: StoreName = `postgres-${setting}`;
  try {
    version = (await adminQuery<{ server_version: string }>(serverUrl, 'show server_version'))[0]!.server_version;
    if (process.env.USHER_BENCH_POSTGRES_URL) {
      const shown = await adminQuery<{ fsync: string; sc: string }>(
        serverUrl,
        "select current_setting('fsync') as fsync, current_setting('synchronous_commit') as sc",
      );
      const { fsync, sc } = shown[0]!;
      name = fsync === 'on' && sc === 'on' ? 'postgres-durable' : fsync === 'off' ? 'postgres-fast' : 'postgres';
      postmasterPid = await localPostmasterPid(serverUrl);
      if (postmasterPid === null) log("PostgreSQL's CPU not measured (remote server)");
    }
    await adminQuery(serverUrl, 'create extension if not exists pg_stat_statements').catch((error: Error) =>
      log(`PostgreSQL: no pg_stat_statements (${error.message}): the report has no statement table`),
    );
  } catch (error) {
    log(`PostgreSQL: SKIPPED. ${serverUrl.replace(/\/\/[^@]*@/, '//…@')} does not answer: ${(error as Error).message}`);
    await stop();
    return null;
  }
  const adminUrl = serverUrl;
  const created = new Set<string>();
  const url = new URL(serverUrl);
  return {
    engine: 'postgres',
    name,
    version,
    postmasterPid,
    adminUrl,
    async create(label) {
      const database = `usher_bench_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
      await adminQuery(adminUrl, `create database ${database}`);
      created.add(database);
      url.pathname = `/${database}`;
      return {
        url: url.toString(),
        name: database,
        drop: async () => {
          created.delete(database);
          await adminQuery(adminUrl, `drop database if exists ${database} with (force)`);
        },
      };
    },
    async close() {
      for (const database of created)
        await adminQuery(adminUrl, `drop database if exists ${database} with (force)`).catch(() => undefined);
      await stop();
    },
  };
}
