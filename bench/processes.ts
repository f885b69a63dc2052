import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** The project root: children run from here, as `npm start` does. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '..');

const BIN = join(PROJECT_ROOT, 'node_modules', '.bin');

/** A child the bench started: its base URL (when it listens), the pid to measure, and how to end it. */
export interface Child {
  readonly name: string;
  /** What the child printed on its "listening on" line, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  /** The process doing the work: node itself (under tsx for a TypeScript entry), not tsx or `timeout`. */
  readonly pid: number;
  output(): string;
  /** SIGTERM to the server process (graceful shutdown), SIGKILL to the whole group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  /**
   * An entry point relative to the project root: compiled JavaScript (`.js`) runs with node, as `npm start` runs Usher;
   * TypeScript with tsx.
   */
  readonly script: string;
  /** Options for node before a compiled script (Usher's come from `npm start`); none by default. */
  readonly nodeArgs?: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The line that says the child is ready; its first group is the URL. */
  readonly ready: RegExp;
  readonly timeoutMs?: number;
}

// Every group still alive, so an error, Ctrl-C or a forgotten stop() cannot leak a server.
const live = new Map<ChildProcess, string>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** Kills every child group at once; for exit paths, where there is no time to be graceful. */
export function killAllChildren(): void {
  for (const child of live.keys()) killGroup(child, 'SIGKILL');
  live.clear();
}

process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping every child\n`);
    killAllChildren();
    process.exit(130);
  });
}

/**
 * The fields of /proc/<pid>/stat after the command name, which may hold spaces and parentheses: [0] is state, [1] ppid.
 */
export function statFields(pid: number | string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Pid → parent pid of every process, read from /proc (no `ps` needed). */
export function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parents.set(Number(entry), Number(statFields(entry)[1]));
    } catch {
      // It ended while we looked.
    }
  }
  return parents;
}

/**
 * CPU time (user + system) a process has used so far, in seconds; NaN once it is gone. Clock ticks are 1/100 s on
 * Linux.
 */
export function cpuSeconds(pid: number): number {
  try {
    const fields = statFields(pid);
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Numeric fields of `/proc/<pid>/status` (`VmRSS` in kB, as the file gives it), or null once the process is gone. */
export function statusNumbers<F extends string>(pid: number, fields: readonly F[]): Record<F, number> | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const value = (field: F) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
    return Object.fromEntries(fields.map((field) => [field, value(field)])) as Record<F, number>;
  } catch {
    return null;
  }
}

/**
 * Times the kernel has switched a process's main thread out so far, voluntarily (it waited) or not (its time was up):
 * each costs the switch and the caches the next thread refills. NaN once it is gone.
 */
export function contextSwitches(pid: number): number {
  const counts = statusNumbers(pid, ['voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches']);
  return counts ? counts.voluntary_ctxt_switches + counts.nonvoluntary_ctxt_switches : Number.NaN;
}

const isCompiled = (script: string) => script.endsWith('.js');

/**
 * The node process that runs `script`: `timeout` → node, or `timeout` → tsx → node with tsx's
 * loader (tsx re-executes node, so the process whose memory matters is that second node), found by
 * its command line among the descendants of `root` (a helper tsx spawns, like esbuild, must not be
 * taken for it).
 */
export function scriptProcess(root: number, script: string): number {
  // A server on PostgreSQL runs itself again with its script's absolute path (src/young-generation.ts).
  const runsScript = (args: string[]) =>
    args.some((arg) => arg === script || arg.endsWith(`/${script}`)) &&
    (isCompiled(script) ? /(^|\/)node$/.test(args[0]!) : args.some((arg) => arg.includes('tsx/dist/loader')));
  const parents = parentsByPid();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (runsScript(args)) return pid;
    } catch {
      // It ended while we looked.
    }
    for (const [child, parent] of parents) if (parent === pid) queue.push(child);
  }
  throw new Error(`no process running ${script} under pid ${root}`);
}

/**
 * Starts `node <script>` (or `tsx <script>`) in its own process group, capped by `timeout` so that even a bench killed
 * with SIGKILL cannot leave a server behind for long, and waits for its ready line.
 */
export async function startChild(options: StartOptions): Promise<Child> {
  const env: Record<string, string> = {};
  // Nothing inherited but what a process needs: a developer's USHER_* must not change the measurement.
  const base = {
    PATH: [BIN, process.env.PATH ?? ''].join(delimiter),
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
  };
  for (const [key, value] of Object.entries({ ...base, ...options.env })) if (value !== undefined) env[key] = value;
  const command = isCompiled(options.script)
    ? [join(BIN, 'node'), ...(options.nodeArgs ?? ['--enable-source-maps']), options.script]
    : [join(BIN, 'tsx'), options.script];
  const child = spawn('timeout', ['-s', 'KILL', '3600', ...command], {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.set(child, options.name);
  let output = '';
  const exited = new Promise<void>((resolveExit) =>
    child.once('close', () => {
      live.delete(child);
      killGroup(child, 'SIGKILL');
      resolveExit();
    }),
  );
  const url = await new Promise<string>((resolveUrl, rejectUrl) => {
    const timer = setTimeout(
      () => rejectUrl(new Error(`${options.name} was not ready within ${options.timeoutMs ?? 30_000} ms:\n${output}`)),
      options.timeoutMs ?? 30_000,
    );
    const onData = (chunk: string) => {
      output += chunk;
      const match = options.ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1] ?? '');
      }
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      rejectUrl(new Error(`${options.name} exited before it was ready:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    killGroup(child, 'SIGKILL');
    await exited;
    throw error;
  });
  const pid = scriptProcess(child.pid!, options.script);
  return {
    name: options.name,
    url,
    pid,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (!live.has(child)) return;
      try {
        // To the server itself: `timeout` would also signal the whole group, tsx would relay it once more,
        // and a second SIGTERM ends the server before its graceful shutdown (and before a CPU profile is written).
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone already
      }
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
