import autocannon from 'autocannon';
import { settle } from './http';
import { postgresCpuSeconds } from './postgres-cpu';
import { cpuSeconds } from './processes';

/** One kind of request a load run sends, over and over. */
export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /**
   * Per request: change path or body (a fresh token, a unique subject). Return null when there is nothing left to send.
   */
  readonly next?: () => { path?: string; body?: string } | null;
  /** Sees every 2xx body, e.g. to collect the tokens of the invitations a create run made. */
  readonly onBody?: (body: string) => void;
}

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  /** Seconds to run; the run also ends early when `amount` requests were answered. */
  readonly durationS: number;
  readonly amount?: number;
  readonly request: LoadRequest;
  /** The server's pid: its CPU time over the run, per answered request, is what a request costs it. */
  readonly serverPid?: number;
  /**
   * PostgreSQL's postmaster, when the server under load uses a local one: its CPU and its children's over the run, per
   * answered request, is PostgreSQL's share of a request. `exclude`: the bench's own backends (a sampler).
   */
  readonly database?: { readonly postmasterPid: number; readonly exclude?: ReadonlySet<number> };
}

/** What a run measured. Latencies are of 2xx answers only, in milliseconds, with sub-ms precision. */
export interface LoadResult {
  readonly connections: number;
  readonly ok: number;
  /** Non-2xx answers, connection errors and timeouts: a run with many of these measured the wrong thing. */
  readonly failed: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  /** Server CPU (user + system) per 2xx answer, in ms, when the server's pid was given. */
  readonly serverCpuMsPerRequest?: number;
  /** PostgreSQL's CPU (postmaster and every backend) per 2xx answer, in ms, when its postmaster was given. */
  readonly postgresCpuMsPerRequest?: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Drives one request shape at a fixed number of connections with autocannon, in this process
 * (the server is always another process), once the server has finished what earlier runs left
 * it. Latencies come from autocannon's per-response event rather than its histogram, which
 * rounds to whole milliseconds: list pages answer in less.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { request } = options;
  if (options.amount === 0) {
    return {
      connections: options.connections,
      ok: 0,
      failed: 0,
      statusCodes: {},
      seconds: 0,
      rps: Number.NaN,
      p50: Number.NaN,
      p99: Number.NaN,
      mean: Number.NaN,
    };
  }
  await settle(options.url);
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let exhausted = false;
  const started = process.hrtime.bigint();
  const cpuBefore = options.serverPid === undefined ? Number.NaN : cpuSeconds(options.serverPid);
  const { database } = options;
  const databaseCpu = () => (database ? postgresCpuSeconds(database.postmasterPid, database.exclude) : Number.NaN);
  const databaseCpuBefore = databaseCpu();
  let finish: (error: unknown, result?: autocannon.Result) => void = () => {};
  const instance = autocannon(
    {
      url: options.url,
      // autocannon refuses more connections than requests: a slow machine's create run may leave few tokens.
      connections: Math.min(options.connections, options.amount ?? Number.POSITIVE_INFINITY),
      // Without `amount`, autocannon runs for `duration`; with it, the timer below still caps the run.
      ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationS }),
      timeout: 30,
      requests: [
        {
          method: request.method,
          path: request.path,
          headers: { ...request.headers },
          ...(request.body !== undefined ? { body: request.body } : {}),
          ...(request.next
            ? {
                setupRequest: (req: autocannon.Request) => {
                  const change = request.next!();
                  if (!change) {
                    // Out of fresh tokens: end the run rather than send requests that must fail.
                    exhausted = true;
                    instance.stop?.();
                    return req;
                  }
                  return { ...req, ...change };
                },
              }
            : {}),
          ...(request.onBody
            ? { onResponse: (status: number, body: string) => (status < 300 ? request.onBody!(body) : undefined) }
            : {}),
        },
      ],
    },
    (error, result) => finish(error, result),
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  // `stop` exists only once autocannon has set the run up; a run refused at setup reports through the callback.
  const cap = setTimeout(() => instance.stop?.(), options.durationS * 1000);
  return new Promise((resolve, reject) => {
    finish = (error, result) => {
      clearTimeout(cap);
      if (error || !result) {
        reject(error ?? new Error('autocannon ended without a result'));
        return;
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const cpu = options.serverPid === undefined ? Number.NaN : cpuSeconds(options.serverPid) - cpuBefore;
      const pgCpu = databaseCpu() - databaseCpuBefore;
      const sorted = latencies.sort((a, b) => a - b);
      const ok = sorted.length;
      // autocannon's `errors` already counts timeouts.
      const failed =
        result.errors +
        Object.entries(statusCodes)
          .filter(([code]) => !code.startsWith('2'))
          .reduce((n, [, c]) => n + c, 0);
      resolve({
        connections: options.connections,
        ok,
        failed,
        statusCodes,
        seconds,
        rps: ok / seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        mean: ok === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / ok,
        ...(Number.isFinite(cpu) ? { serverCpuMsPerRequest: (1000 * cpu) / Math.max(1, ok) } : {}),
        ...(Number.isFinite(pgCpu) ? { postgresCpuMsPerRequest: (1000 * pgCpu) / Math.max(1, ok) } : {}),
      });
      if (exhausted) process.stderr.write(`  (ran out of prepared requests after ${ok + failed})\n`);
    };
  });
}
