import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter, join, resolve } from 'node:path';

/** The project root: where `npm start` runs. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/** A bootstrap key long enough for USHER_BOOTSTRAP_API_KEY (24+ characters). */
export const TEST_BOOTSTRAP_KEY = 'usher-process-test-bootstrap-key-0123456789';

/** One link secret for every test process, so processes sharing a database derive the same links. */
export const TEST_LINK_SECRET = 'usher-process-test-link-secret-0123456789';

const LISTENING = /^Usher \S+ listening on (http:\/\/127\.0\.0\.1:\d+) /m;

/** What to start: the database, extra variables (undefined removes one), and time limits. */
export interface UsherProcessOptions {
  readonly databaseUrl: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long to wait for the "listening on" line, or for the exit; 20 s by default (tsx compiles first). */
  readonly startupTimeoutMs?: number;
  /** Hard cap on the process's life, enforced by `timeout` even if the test runner dies; 300 s by default. */
  readonly lifetimeSeconds?: number;
}

/** How a process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A process that ran to its end, with everything it printed. */
export interface ExitedUsher extends Exit {
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

/** A running Usher process listening on 127.0.0.1. */
export interface RunningUsher {
  /** Base URL, e.g. http://127.0.0.1:40123, from the line the process printed. */
  readonly url: string;
  readonly startupMs: number;
  stdout(): string;
  stderr(): string;
  /**
   * Resolves once stdout (the JSON log) matches `pattern`; rejects after `timeoutMs` or when the process ends first.
   */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The same for stderr, where the start banner goes. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL to the whole process group after `graceMs` (5 s by default). */
  stop(graceMs?: number): Promise<Exit>;
  /** SIGKILL to the whole process group at once: a crash, with no shutdown code run. */
  kill(): Promise<Exit>;
}

interface Spawned {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  readonly output: { stdout: string; stderr: string };
  /** Called after every chunk of output and once the process and its pipes are closed. */
  readonly watchers: Set<() => void>;
  closed: boolean;
}

// Every process group still alive, so a test that forgets (or a failing hook) cannot leak one.
const live = new Set<Spawned>();
process.on('exit', () => {
  for (const { child } of live) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** The environment of a child: nothing inherited but PATH and HOME, so a developer's USHER_* never leaks in. */
function childEnv(options: UsherProcessOptions): Record<string, string> {
  const env: Record<string, string | undefined> = {
    // node_modules/.bin first: its `node` is Node 22, which better-sqlite3 13 needs.
    PATH: [join(PROJECT_ROOT, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    PORT: '0',
    HOST: '127.0.0.1',
    USHER_LOG_LEVEL: 'warn',
    // No load balancer to wait for: a test's SIGTERM should not idle through a drain window (the drain's own test sets
    // one).
    USHER_SHUTDOWN_DRAIN_MS: '0',
    USHER_BOOTSTRAP_API_KEY: TEST_BOOTSTRAP_KEY,
    // Set, so no test process writes a secret file beside the project; the file's own test removes it.
    USHER_LINK_SECRET: TEST_LINK_SECRET,
    USHER_DATABASE_URL: options.databaseUrl,
    ...options.env,
  };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function spawnUsher(options: UsherProcessOptions): Spawned {
  // tsx runs as a loader inside the one node process, not as its CLI: the CLI relays a signal and SIGKILLs its
  // child when the child has not acknowledged it within 60 ms, which a busy server under load often has not, so
  // graceful shutdown could not be tested through it.
  const node = join(PROJECT_ROOT, 'node_modules', '.bin', 'node');
  const argv = [node, '--import', 'tsx', 'src/main.ts'];
  return spawnInGroup(argv, PROJECT_ROOT, childEnv(options), options.lifetimeSeconds);
}

/**
 * `argv` in a process group led by `timeout`: SIGTERM to `timeout` reaches the command, and at the end of its
 * lifetime (300 s by default) `timeout` SIGKILLs the group.
 */
function spawnInGroup(
  argv: readonly string[],
  cwd: string,
  env: Record<string, string>,
  lifetimeSeconds = 300,
): Spawned {
  const child = spawn('timeout', ['-s', 'KILL', String(lifetimeSeconds), ...argv], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const watch of [...watchers]) watch();
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
    notify();
  });
  const spawned: Spawned = {
    child,
    output,
    watchers,
    closed: false,
    exited: new Promise<Exit>((resolveExit, rejectExit) => {
      child.once('error', rejectExit);
      child.once('close', (code, signal) => {
        live.delete(spawned);
        spawned.closed = true;
        // Anything the process left behind in the group goes with it.
        killGroup(child, 'SIGKILL');
        resolveExit({ code, signal });
        notify();
      });
    }),
  };
  live.add(spawned);
  return spawned;
}

function describeOutput(output: { stdout: string; stderr: string }): string {
  return `\n--- stdout ---\n${output.stdout}\n--- stderr ---\n${output.stderr}`;
}

function waitFor(
  spawned: Spawned,
  pattern: RegExp,
  timeoutMs: number,
  stream: 'stdout' | 'stderr' = 'stdout',
): Promise<RegExpMatchArray> {
  return new Promise((resolveMatch, rejectMatch) => {
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      spawned.watchers.delete(check);
      settle();
    };
    const check = () => {
      const match = spawned.output[stream].match(pattern);
      if (match) finish(() => resolveMatch(match));
      else if (spawned.closed) {
        finish(() =>
          rejectMatch(new Error(`Usher exited before printing ${pattern}${describeOutput(spawned.output)}`)),
        );
      }
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          rejectMatch(
            new Error(`Usher did not print ${pattern} within ${timeoutMs} ms${describeOutput(spawned.output)}`),
          ),
        ),
      timeoutMs,
    );
    spawned.watchers.add(check);
    check();
  });
}

async function stopSpawned(spawned: Spawned, graceMs: number): Promise<Exit> {
  const { child, exited } = spawned;
  if (!spawned.closed && child.pid !== undefined) {
    try {
      // To `timeout` alone: it passes the signal to the group once; a second SIGTERM would
      // bypass Usher's graceful shutdown.
      process.kill(child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'late'>((resolveLate) => (timer = setTimeout(() => resolveLate('late'), graceMs)));
  const first = await Promise.race([exited, graceOver]);
  clearTimeout(timer);
  if (first !== 'late') return first;
  killGroup(child, 'SIGKILL');
  return exited;
}

/**
 * Runs `node --import tsx src/main.ts` with PORT=0, HOST=127.0.0.1 and the bootstrap key, and resolves once it
 * prints "Usher … listening on http://127.0.0.1:NNNN". Stop it with `stop()` or `stopAllUshers()`.
 */
export async function startUsher(options: UsherProcessOptions): Promise<RunningUsher> {
  // The banner goes to stderr; stdout holds only the JSON log.
  return runningOnceReady(spawnUsher(options), LISTENING, 'stderr', options.startupTimeoutMs ?? 20_000);
}

/** Another server to run beside Usher (an example application): its command, folder, environment and "ready" line. */
export interface ServerProcessOptions {
  readonly argv: readonly string[];
  readonly cwd: string;
  /** The whole environment of the process: nothing is inherited. */
  readonly env: Readonly<Record<string, string>>;
  /** Matched against stdout; its first group is the server's URL. */
  readonly ready: RegExp;
  readonly startupTimeoutMs?: number;
  readonly lifetimeSeconds?: number;
}

/** Runs a server process in its own group, as Usher's are, and resolves once its stdout matches `ready`. */
export async function startServerProcess(options: ServerProcessOptions): Promise<RunningUsher> {
  const spawned = spawnInGroup(options.argv, options.cwd, { ...options.env }, options.lifetimeSeconds);
  return runningOnceReady(spawned, options.ready, 'stdout', options.startupTimeoutMs ?? 20_000);
}

async function runningOnceReady(
  spawned: Spawned,
  ready: RegExp,
  stream: 'stdout' | 'stderr',
  timeoutMs: number,
): Promise<RunningUsher> {
  const started = Date.now();
  let listening: RegExpMatchArray;
  try {
    listening = await waitFor(spawned, ready, timeoutMs, stream);
  } catch (error) {
    await stopSpawned(spawned, 1_000);
    throw error;
  }
  return {
    url: listening[1]!,
    startupMs: Date.now() - started,
    stdout: () => spawned.output.stdout,
    stderr: () => spawned.output.stderr,
    waitForStdout: (pattern, waitMs = 5_000) => waitFor(spawned, pattern, waitMs),
    waitForStderr: (pattern, waitMs = 5_000) => waitFor(spawned, pattern, waitMs, 'stderr'),
    stop: (graceMs = 5_000) => stopSpawned(spawned, graceMs),
    kill: async () => {
      killGroup(spawned.child, 'SIGKILL');
      return spawned.exited;
    },
  };
}

/**
 * Runs `node --import tsx src/main.ts` expecting it to end by itself; kills it and rejects if it is still running after
 * the timeout.
 */
export async function runUsherToExit(options: UsherProcessOptions): Promise<ExitedUsher> {
  const started = Date.now();
  const spawned = spawnUsher(options);
  const timeoutMs = options.startupTimeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'late'>((resolveLate) => (timer = setTimeout(() => resolveLate('late'), timeoutMs)));
  const first = await Promise.race([spawned.exited, timedOut]);
  clearTimeout(timer);
  if (first === 'late') {
    await stopSpawned(spawned, 1_000);
    throw new Error(`Usher was still running after ${timeoutMs} ms${describeOutput(spawned.output)}`);
  }
  return { ...first, ...spawned.output, elapsedMs: Date.now() - started };
}

/** Stops every Usher process this worker started that is still running (for afterEach / afterAll). */
export async function stopAllUshers(): Promise<void> {
  await Promise.all([...live].map((spawned) => stopSpawned(spawned, 5_000)));
}
