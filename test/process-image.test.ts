import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, TEST_BOOTSTRAP_KEY } from '#support/process';
import { createScratchDatabase, engines, type ScratchDatabase } from '#support/stores';
import { startNodeOptions } from '../src/start-options.mjs';
import { POSTGRES_SEMI_SPACE_MB } from '../src/young-generation';
import { MMAP_THRESHOLD_BYTES } from '../src/allocator-environment.mjs';

// The production entry as npm start and the image run it (`node [npm start's options] dist/main.js`, built by
// test/support/global-setup.ts), started here directly so that the pid the test holds is node's: the server runs itself
// again in that same process with the allocator's settings (allocator-environment.mjs) and, on PostgreSQL, semi-spaces
// big enough for its requests (young-generation.ts).

const START_OPTIONS = startNodeOptions(pathToFileURL(join(PROJECT_ROOT, 'package.json')));
const NODE = join(PROJECT_ROOT, 'node_modules', '.bin', 'node');

/**
 * Starts the entry on `databaseUrl`, as a plain child or forked with an IPC channel (as child_process.fork, PM2 or a
 * cluster start a server); resolves once it listens, with the child, its base URL and what it printed.
 */
async function startEntry(databaseUrl: string, how: 'spawn' | 'fork' = 'spawn') {
  const env = {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    HOST: '127.0.0.1',
    USHER_DATABASE_URL: databaseUrl,
    USHER_BOOTSTRAP_API_KEY: TEST_BOOTSTRAP_KEY,
    USHER_SHUTDOWN_DRAIN_MS: '0',
    USHER_LOG_LEVEL: 'warn',
  };
  const server =
    how === 'spawn'
      ? spawn(NODE, [...START_OPTIONS, 'dist/main.js'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : fork(join(PROJECT_ROOT, 'dist', 'main.js'), [], {
          cwd: PROJECT_ROOT,
          env,
          execArgv: START_OPTIONS,
          execPath: NODE,
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 30 s:\n${stderr}`)), 30_000);
    server.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`exited ${code} before listening:\n${stderr}`)));
  });
  return {
    server,
    url,
    stderr: () => stderr,
    /** A request any server answers: the tenant's invitations. */
    list: () => fetch(`${url}/v1/invitations`, { headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}` } }),
    stop: async () => {
      server.kill('SIGTERM');
      return exited;
    },
    kill: () => server.kill('SIGKILL'),
  };
}

const argvOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);

describe.each(engines)('the process image of the production entry [%s]: young generation and allocator', (engine) => {
  let scratch: ScratchDatabase | undefined;
  let entry: Awaited<ReturnType<typeof startEntry>> | undefined;
  afterEach(async () => {
    entry?.kill();
    await scratch?.drop();
  });

  it(
    engine === 'postgres'
      ? 'is raised: the same process runs again with the larger semi-spaces after npm start’s, and serves'
      : 'is npm start’s: the process runs again with its options as started',
    async () => {
      scratch = await createScratchDatabase(engine);
      entry = await startEntry(scratch.url);
      const argv = argvOf(entry.server.pid!);
      if (engine === 'postgres') {
        expect(argv.slice(1)).toEqual([
          ...START_OPTIONS,
          `--max-semi-space-size=${POSTGRES_SEMI_SPACE_MB}`,
          join(PROJECT_ROOT, 'dist', 'main.js'),
        ]);
      } else {
        expect(argv.slice(1)).toEqual([...START_OPTIONS, join(PROJECT_ROOT, 'dist', 'main.js')]);
      }
      expect(environOf(entry.server.pid!)).toContain(`MALLOC_MMAP_THRESHOLD_=${MMAP_THRESHOLD_BYTES}`);
      // Once only: nothing but the server's own lines, and it answers as any server does.
      expect(entry.stderr()).not.toMatch(/running without/);
      expect((await entry.list()).status).toBe(200);
      // The pid a supervisor signals is the server's: SIGTERM drains and exits 0.
      expect(await entry.stop()).toBe(0);
    },
  );
});

describe.runIf(engines.includes('postgres'))('a PostgreSQL server forked with an IPC channel', () => {
  let scratch: ScratchDatabase | undefined;
  let entry: Awaited<ReturnType<typeof startEntry>> | undefined;
  afterEach(async () => {
    entry?.kill();
    await scratch?.drop();
  });

  it('keeps its process and its channel, and says it runs without the larger semi-spaces', async () => {
    scratch = await createScratchDatabase('postgres');
    // Node takes the channel out of the environment when it starts, so a replaced process would lose its parent.
    entry = await startEntry(scratch.url, 'fork');
    expect(entry.stderr()).toContain(
      `usher: running without --max-semi-space-size=${POSTGRES_SEMI_SPACE_MB}, ` +
        `MALLOC_MMAP_THRESHOLD_=${MMAP_THRESHOLD_BYTES}: started with an IPC channel`,
    );
    expect(argvOf(entry.server.pid!).slice(1)).toEqual([...START_OPTIONS, join(PROJECT_ROOT, 'dist', 'main.js')]);
    expect(entry.server.connected).toBe(true);
    expect((await entry.list()).status).toBe(200);
    expect(await entry.stop()).toBe(0);
  });
});
