import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { PROJECT_ROOT } from './process';

/** How a CLI run ended, with everything it printed. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Variables for one run; undefined removes one. */
export type CliEnv = Readonly<Record<string, string | undefined>>;

/** A CLI process still running: watch its stderr, or kill it like a crash. */
export interface RunningCli {
  /** Resolves once stderr matches `pattern`; rejects after `timeoutMs` or when the process ends first. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGKILL: no cleanup code runs, as when a terminal or machine goes away. */
  kill(): Promise<CliResult>;
  readonly exited: Promise<CliResult>;
}

/** A home of its own for a suite: HOME and the profile, so a developer's ~/.config/usher never leaks in or out. */
export interface CliHome {
  readonly dir: string;
  /** The environment every run starts from: PATH with Node 22 first, HOME and USHER_CONFIG in `dir`. */
  env(extra?: CliEnv): Record<string, string>;
  /** Runs `usher …args` to its end (30 s at most). */
  run(args: readonly string[], env?: CliEnv): Promise<CliResult>;
  /** Starts `usher …args` and returns at once. */
  start(args: readonly string[], env?: CliEnv): RunningCli;
  remove(): void;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A temp home for CLI runs; `remove()` it after the suite. */
export function createCliHome(): CliHome {
  const dir = mkdtempSync(join(tmpdir(), 'usher-cli-'));
  const env = (extra: CliEnv = {}) => {
    const merged: Record<string, string | undefined> = {
      // node_modules/.bin first: its `node` is Node 22, which the CLI needs.
      PATH: [join(PROJECT_ROOT, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
      HOME: dir,
      TMPDIR: process.env.TMPDIR,
      USHER_CONFIG: join(dir, 'config.json'),
      USHER_LOG_LEVEL: 'warn',
      ...extra,
    };
    return Object.fromEntries(
      Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
  };
  const start = (args: readonly string[], extra?: CliEnv) => startCli(args, env(extra));
  return {
    dir,
    env,
    start,
    run: async (args, extra) => {
      const running = start(args, extra);
      const timer = setTimeout(() => void running.kill(), 30_000);
      const result = await running.exited;
      clearTimeout(timer);
      return result;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// bin/usher.js as a user runs it, so the tests run what ships: the compiled CLI, dist/cli.js, which
// test/support/global-setup.ts builds once per run before any suite starts.
function startCli(args: readonly string[], env: Record<string, string>): RunningCli {
  const child = spawn(
    join(PROJECT_ROOT, 'node_modules', '.bin', 'node'),
    [join(PROJECT_ROOT, 'bin', 'usher.js'), ...args],
    {
      cwd: env.HOME,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  const output = { stdout: '', stderr: '' };
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
    for (const watch of [...watchers]) watch();
  });
  let closed = false;
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      live.delete(child);
      closed = true;
      for (const watch of [...watchers]) watch();
      resolve({ code, signal, ...output });
    });
  });
  return {
    exited,
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
    waitForStderr: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          watchers.delete(check);
          settle();
        };
        const check = () => {
          const match = output.stderr.match(pattern);
          if (match) finish(() => resolve(match));
          else if (closed)
            finish(() => reject(new Error(`usher exited before printing ${pattern} on stderr\n${output.stderr}`)));
        };
        const timer = setTimeout(
          () =>
            finish(() => reject(new Error(`usher did not print ${pattern} within ${timeoutMs} ms\n${output.stderr}`))),
          timeoutMs,
        );
        watchers.add(check);
        check();
      }),
  };
}
