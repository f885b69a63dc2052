import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthcheckCommand } from '#support/dockerfile';
import { closedPort } from '#support/ports';
import { PROJECT_ROOT } from '#support/process';

// The production entry run the way the image runs it (scripts/container-check.sh runs the image itself where
// podman can): `npm run build`, then `node dist/main.js` as an unprivileged user, from code it cannot change,
// with its SQLite store in a directory it owns. Dropping to that user needs root, as CI and sessions are.
const NOBODY = 65_534;
const asRoot = process.getuid?.() === 0;
const SHUTDOWN_TIMEOUT_MS = 5_000;

/** `setpriv` runs `argv` as nobody, with no supplementary groups and no capabilities, in place of itself. */
const SETPRIV = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all'];

function runAsNobody(argv: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return spawnSync(SETPRIV[0]!, [...SETPRIV.slice(1), ...argv], { ...options, encoding: 'utf8', timeout: 10_000 });
}

async function readyzStatus(port: number): Promise<number | 'refused'> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) })).status;
  } catch {
    return 'refused';
  }
}

describe.skipIf(!asRoot)(
  asRoot
    ? 'the production entry, as the image runs it'
    : 'the production entry (skipped: not root, so it cannot run as nobody)',
  () => {
    let root: string;
    let app: string;
    let data: string;
    let port: number;
    let env: Record<string, string>;
    let server: ChildProcess;
    let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    let output = '';

    beforeAll(async () => {
      // dist/ is built once for the whole run, by test/support/global-setup.ts.
      // The image's layout: code owned by root and only readable by others, the store in a directory of its own.
      root = mkdtempSync(join(tmpdir(), 'usher-production-'));
      chmodSync(root, 0o755);
      app = join(root, 'app');
      cpSync(join(PROJECT_ROOT, 'dist'), join(app, 'dist'), { recursive: true });
      cpSync(join(PROJECT_ROOT, 'package.json'), join(app, 'package.json'));
      symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(app, 'node_modules'));
      data = join(root, 'data');
      mkdirSync(data);
      chownSync(data, NOBODY, NOBODY);
      chmodSync(data, 0o700);

      port = await closedPort();
      env = {
        PATH: [join(PROJECT_ROOT, 'node_modules', '.bin'), '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter),
        HOME: data,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        USHER_DATABASE_URL: `sqlite:${join(data, 'usher.db')}`,
        USHER_LOG_LEVEL: 'warn',
        USHER_SHUTDOWN_DRAIN_MS: '200',
        USHER_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      };
      // setpriv execs node in its own place: the signal below goes to the server itself, as to PID 1 in the image.
      server = spawn(SETPRIV[0]!, [...SETPRIV.slice(1), 'node', 'dist/main.js'], {
        cwd: app,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      server.stdout!.on('data', (chunk) => (output += chunk));
      server.stderr!.on('data', (chunk) => (output += chunk));
      exited = new Promise((resolve) => server.once('exit', (code, signal) => resolve({ code, signal })));
    });

    afterAll(() => {
      if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('cannot change its code, and owns the directory of its store', () => {
      const writable = (path: string) => runAsNobody(['test', '-w', path]).status === 0;
      expect(writable(join(app, 'dist', 'main.js'))).toBe(false);
      expect(writable(join(app, 'dist'))).toBe(false);
      expect(writable(data)).toBe(true);
    });

    it('becomes ready on /readyz, and the Dockerfile HEALTHCHECK passes against it', async () => {
      let status = await readyzStatus(port);
      for (let tries = 0; status !== 200 && tries < 120 && server.exitCode === null; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = await readyzStatus(port);
      }
      expect(status, `the server printed:\n${output}`).toBe(200);
      expect(statSync(join(data, 'usher.db')).uid).toBe(NOBODY);

      const check = runAsNobody(healthcheckCommand(), { cwd: app, env });
      expect(check.status, check.stderr).toBe(0);
    });

    it('exits 0 on SIGTERM within USHER_SHUTDOWN_TIMEOUT_MS, and the HEALTHCHECK then fails', async () => {
      expect(server.exitCode).toBe(null);
      const started = Date.now();
      server.kill('SIGTERM');
      const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), SHUTDOWN_TIMEOUT_MS + 2_000));
      const result = await Promise.race([exited, deadline]);
      expect(result, `the server printed:\n${output}`).toEqual({ code: 0, signal: null });
      expect(Date.now() - started).toBeLessThan(SHUTDOWN_TIMEOUT_MS);

      // The same command fails once nothing answers: it can tell a dead server from a live one.
      expect(runAsNobody(healthcheckCommand(), { cwd: app, env }).status).not.toBe(0);
      expect(existsSync(join(data, 'usher.db'))).toBe(true);
    });
  },
);
