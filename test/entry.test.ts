import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requiredNodeVersion, satisfies } from '../src/node-version.mjs';
import { PROJECT_ROOT } from '#support/process';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';

const engines = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } })
  .engines.node;
const minimum = requiredNodeVersion(engines);

describe('the Node version check', () => {
  it('reads the minimum from package.json and compares versions part by part', () => {
    expect(engines).toMatch(/^>=\d+\.\d+\.\d+$/);
    expect(requiredNodeVersion('>=22.12.0')).toEqual([22, 12, 0]);
    expect(requiredNodeVersion('>=22')).toEqual([22, 0, 0]);
    expect(() => requiredNodeVersion('^22')).toThrow(/engines\.node/);
    expect(satisfies('22.12.0', [22, 12, 0])).toBe(true);
    expect(satisfies('22.9.5', [22, 12, 0])).toBe(false);
    expect(satisfies('23.0.0', [22, 12, 0])).toBe(true);
    expect(satisfies('20.20.2', [22, 12, 0])).toBe(false);
    expect(satisfies(process.versions.node, minimum)).toBe(true);
  });

  // An older Node from the distribution (Debian's is 20) is what `FROM node:20` or a package gives a newcomer.
  const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
    if (!existsSync(path)) return false;
    const version = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
    return version !== '' && !satisfies(version, minimum);
  });
  const withOldNode = oldNode ? it : it.skip;

  withOldNode(
    `refuses in one line with exit 2 on an older Node (${oldNode ?? 'none on this machine'}), before anything native loads`,
    () => {
      // dist/ is built once for the whole run, by test/support/global-setup.ts.
      for (const entry of ['dist/main.js', 'scripts/start.mjs', 'bin/usher.js']) {
        const run = spawnSync(oldNode!, [entry, '--help'], {
          cwd: PROJECT_ROOT,
          encoding: 'utf8',
          env: { PATH: '/usr/bin:/bin', USHER_DATABASE_URL: 'sqlite::memory:' },
          timeout: 20_000,
        });
        expect(run.status, `${entry}: ${run.stderr}`).toBe(2);
        const lines = run.stderr.trim().split('\n');
        expect(lines, entry).toHaveLength(1);
        expect(lines[0]).toMatch(
          new RegExp(`^usher: Node\\.js ${minimum.join('\\.')} or newer is needed, this is \\d+\\.\\d+\\.\\d+ `),
        );
        expect(run.stdout).toBe('');
      }
    },
  );
});

describe('npm start as a process manager runs it', () => {
  let scratch: ScratchDatabase | undefined;
  afterAll(async () => scratch?.drop());

  /** Runs `npm start`, waits for the banner, SIGTERMs npm alone, and says what became of the server. */
  async function startAndStop(databaseUrl: string) {
    const npm = spawn('npm', ['start'], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: '0',
        USHER_DATABASE_URL: databaseUrl,
        USHER_SHUTDOWN_DRAIN_MS: '0',
        USHER_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    npm.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    npm.stdout.resume();
    const exited = new Promise<number | null>((resolve) => npm.once('close', (code) => resolve(code)));
    const hardStop = setTimeout(() => npm.kill('SIGKILL'), 60_000);
    try {
      const deadline = Date.now() + 50_000;
      while (!/listening on http/.test(stderr) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stderr).toMatch(/listening on http/);
      const server = childrenOf(npm.pid!);
      expect(server, 'npm has one child: the server itself, no shell between').toHaveLength(1);
      npm.kill('SIGTERM');
      const code = await exited;
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { code, serverAlive: isAlive(server[0]!), stderr };
    } finally {
      clearTimeout(hardStop);
      // Whatever failed, leave nothing behind.
      for (const pid of childrenOf(npm.pid!)) process.kill(pid, 'SIGKILL');
    }
  }

  it('hands SIGTERM to the server, which stops, and builds only when a source is newer than dist/', async () => {
    scratch = await createScratchDatabase('sqlite');
    const first = await startAndStop(scratch.url);
    expect(first).toMatchObject({ code: 0, serverAlive: false });
    const second = await startAndStop(scratch.url);
    expect(second).toMatchObject({ code: 0, serverAlive: false });
    expect(second.stderr).not.toContain('building dist/');
  }, 120_000);
});

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
