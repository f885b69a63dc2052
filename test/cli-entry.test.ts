import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#support/process';
import { startNodeOptions } from '../src/start-options.mjs';

// `usher` runs the compiled CLI (dist/cli.js), building it first when the sources are newer, as `npm start`
// does for the server. Here in a copy of the project of its own, so its builds never race the run's dist/.

const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };

describe('the usher command', () => {
  let clone: string;
  beforeAll(() => {
    clone = mkdtempSync(join(tmpdir(), 'usher-clone-'));
    // What a fresh clone holds, with no dist/: everything the build reads, and the entry.
    const copied = [
      'package.json',
      'tsconfig.json',
      'bin',
      'scripts/build.mjs',
      'src',
      'packages/sdk/package.json',
      'packages/sdk/src',
    ];
    for (const path of copied) {
      cpSync(join(PROJECT_ROOT, path), join(clone, path), { recursive: true });
    }
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(clone, 'node_modules'));
  });
  afterAll(() => rmSync(clone, { recursive: true, force: true }));

  const usher = (...args: string[]) =>
    spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'node'), [join(clone, 'bin', 'usher.js'), ...args], {
      cwd: clone,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: [join(PROJECT_ROOT, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
        HOME: clone,
        USHER_CONFIG: join(clone, 'config.json'),
      },
    });

  it('builds dist/ on its first run from a fresh clone, on stderr only, and not again until a source changes', () => {
    const first = usher('--version');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${version}\n`);
    expect(first.stderr).toBe('usher: building dist/ (sources changed since the last build)\n');
    expect(existsSync(join(clone, 'dist', 'cli.js'))).toBe(true);

    const second = usher('--version');
    expect([second.status, second.stdout, second.stderr]).toEqual([0, `${version}\n`, '']);

    // A source newer than the build (the SDK's too: the CLI's bundle takes it in) builds again, JSON output untouched.
    const built = statSync(join(clone, 'dist', 'cli.js')).mtime;
    const later = new Date(built.getTime() + 5_000);
    utimesSync(join(clone, 'packages', 'sdk', 'src', 'index.ts'), later, later);
    const third = usher('invite', 'list', '--json');
    expect(third.stderr).toContain('usher: building dist/');
    expect(third.stdout).toBe('');
    expect(third.status).toBe(2);
    expect(statSync(join(clone, 'dist', 'cli.js')).mtime.getTime()).toBeGreaterThan(built.getTime());
  });

  it('runs from dist/ alone, as the image does, with only the Node check left of the sources', () => {
    expect(usher('--version').status).toBe(0);
    rmSync(join(clone, 'src'), { recursive: true });
    rmSync(join(clone, 'packages', 'sdk', 'src'), { recursive: true });
    mkdirSync(join(clone, 'src'));
    for (const file of ['node-version.mjs', 'start-options.mjs', 'replace-process.mjs', 'allocator-environment.mjs'])
      cpSync(join(PROJECT_ROOT, 'src', file), join(clone, 'src', file));

    const help = usher('invite', 'create', '--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: usher invite create [options]');
    expect(help.stderr).toBe('');
  });

  it("serves as npm start does: the same process, with npm start's node options, and a clean stop on SIGTERM", async () => {
    const server = spawn(
      join(PROJECT_ROOT, 'node_modules', '.bin', 'node'),
      [join(clone, 'bin', 'usher.js'), 'serve', '--port', '0', '--database-url', `sqlite:${join(clone, 'serve.db')}`],
      {
        cwd: clone,
        env: { PATH: process.env.PATH ?? '', HOME: clone, USHER_SHUTDOWN_DRAIN_MS: '0', USHER_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    try {
      let stderr = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line in 30 s:\n${stderr}`)), 30_000);
        server.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(stderr)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      // The pid the test started is the server's: bin/usher.js became it, with npm start's options before the CLI.
      const argv = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const options = startNodeOptions(new URL(`file://${join(PROJECT_ROOT, 'package.json')}`));
      expect(options.length).toBeGreaterThan(0);
      expect(argv.slice(1, 1 + options.length)).toEqual(options);
      expect(argv.slice(1 + options.length)).toEqual([
        join(clone, 'dist', 'cli.js'),
        'serve',
        '--port',
        '0',
        '--database-url',
        `sqlite:${join(clone, 'serve.db')}`,
      ]);
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      server.kill('SIGKILL');
    }
  });
});
