import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PROJECT_ROOT } from './processes';

export type Engine = 'sqlite' | 'postgres';

/** A fresh, empty database for one phase of the bench, and how to throw it away. */
export interface ScratchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** Where one engine's scratch databases come from. */
export interface DatabaseServer {
  readonly engine: Engine;
  /** For the report: the engine's own version string. */
  readonly version: string;
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
    version,
    async create(label) {
      const path = join(dir, `${label}.db`);
      return {
        url: `sqlite:${path}`,
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
async function adminQuery<T extends pg.QueryResultRow>(serverUrl: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL from USHER_BENCH_POSTGRES_URL, or else a throwaway server started with
 * scripts/throwaway-postgres.sh on its own port (not the tests' default, so a test run's server
 * is never touched). Returns null, saying why, when neither works.
 */
export async function postgresServer(log: (line: string) => void): Promise<DatabaseServer | null> {
  let serverUrl = process.env.USHER_BENCH_POSTGRES_URL;
  let stop = async () => {};
  if (!serverUrl) {
    const port = process.env.USHER_BENCH_POSTGRES_PORT ?? '54371';
    try {
      serverUrl = execFileSync('bash', [join(PROJECT_ROOT, 'scripts/throwaway-postgres.sh'), 'start', port], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();
      log(`PostgreSQL: started a throwaway server at ${serverUrl}`);
      const stopServer = () =>
        execFileSync('bash', [join(PROJECT_ROOT, 'scripts/throwaway-postgres.sh'), 'stop', port], { stdio: 'ignore' });
      // Also on Ctrl-C or an error: the exit handler may only do synchronous work, which the script's stop is.
      process.once('exit', stopServer);
      stop = async () => {
        process.off('exit', stopServer);
        stopServer();
      };
    } catch (error) {
      log(
        `PostgreSQL: SKIPPED. USHER_BENCH_POSTGRES_URL is not set and scripts/throwaway-postgres.sh failed: ${(error as Error).message.split('\n')[0]}`,
      );
      return null;
    }
  }
  let version: string;
  try {
    version = (await adminQuery<{ server_version: string }>(serverUrl, 'show server_version'))[0]!.server_version;
  } catch (error) {
    log(`PostgreSQL: SKIPPED. ${serverUrl.replace(/\/\/[^@]*@/, '//…@')} does not answer: ${(error as Error).message}`);
    await stop();
    return null;
  }
  const created = new Set<string>();
  const url = new URL(serverUrl);
  return {
    engine: 'postgres',
    version,
    async create(label) {
      const name = `usher_bench_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
      await adminQuery(serverUrl, `create database ${name}`);
      created.add(name);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        drop: async () => {
          created.delete(name);
          await adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
        },
      };
    },
    async close() {
      for (const name of created)
        await adminQuery(serverUrl, `drop database if exists ${name} with (force)`).catch(() => undefined);
      await stop();
    },
  };
}
