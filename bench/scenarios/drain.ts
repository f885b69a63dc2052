/**
 * Outbox drain rate: email invitations are created through the API by a process whose worker is
 * off, so they all wait in the outbox; then a second Usher process on the same database starts
 * with its worker on and sends them to a local SMTP server (bench/smtp-sink.ts, a child of its
 * own). The rate is what the SMTP server actually received, timed at the SMTP server; the first
 * process's /metrics shows the outbox depth falling to 0. Right after, in the same run, the bare
 * sender (bench/bare-sender.ts: Usher's SMTP client and concurrency, no database) sends as many
 * into a sink of its own: what the SMTP client and the sink alone can do on this machine. Both
 * first send `warmup` messages that are not timed (see BenchOptions.drainWarmup); the rate from
 * the worker's start, warm-up included, is kept beside the warm one.
 */
import type { DatabaseServer } from '../databases';
import { runLoad } from '../load';
import type { BenchOptions } from '../options';
import { cpuSeconds, startChild, type Child } from '../processes';
import type { BareSenderRow, DrainRow, Results } from '../results';
import { AUTH_HEADERS, startUsher } from '../usher-process';
import { withServer } from '../with-server';

interface SinkStats {
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
  /** When the message the sink was told to mark (SINK_MARK) arrived; 0 before. */
  readonly markAt: number;
  /** Messages whose Message-ID (the outbox row's id) had arrived before: sent twice. */
  readonly duplicates?: number;
}

/** Starts a sink that marks the arrival of the message after which a sender's rate is timed. */
function startSink(mark: number): Promise<Child> {
  return startChild({
    name: 'smtp-sink',
    script: 'bench/smtp-sink.ts',
    env: { SINK_MARK: String(mark) },
    ready: /^smtp sink listening on (smtp:\/\/127\.0\.0\.1:\d+)/m,
  });
}

/** How long a sender may take for `count` emails before the bench gives up on it: 20 ms each, a minute at least. */
const sendLimitMs = (count: number) => Math.max(60_000, count * 20);

/** The message a warm rate is timed from: the last of the warm-up, or with none the first. */
const markOf = (warmup: number) => Math.max(1, warmup);

/** The sink's latest report line. */
function sinkStats(sink: Child): SinkStats {
  const lines = sink
    .output()
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'));
  return lines.length ? (JSON.parse(lines.at(-1)!) as SinkStats) : { count: 0, firstAt: 0, lastAt: 0, markAt: 0 };
}

/** Outbox rows pending or being sent, summed over topics, from Prometheus text. */
async function outboxDepth(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^usher_outbox_depth\{[^}]*\} (\d+(?:\.\d+)?)$/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where a drain runs: its database, how many emails, and what the worker process gets besides SMTP (a CPU profile). */
export interface DrainSetup {
  readonly engine: DatabaseServer['name'];
  readonly databaseUrl: string;
  readonly emails: number;
  /** Emails sent first and left out of the warm figures. */
  readonly warmup: number;
  readonly workerEnv?: Readonly<Record<string, string>>;
  /** False for a profiled run: its memory is not a measurement. */
  readonly recordMemory: boolean;
  /** Worker processes on the database (1 by default); the others start as soon as the first is listening. */
  readonly workers?: number;
}

/** Creates the email invitations with the worker off, then times a worker process sending them all. */
export async function drainOnce(results: Results, setup: DrainSetup, log: (line: string) => void): Promise<DrainRow> {
  const { engine, warmup } = setup;
  const total = warmup + setup.emails;
  const mark = markOf(warmup);
  const memory = (phase: string) => (setup.recordMemory ? { engine, phase } : null);
  const sink = await startSink(mark);
  const apiOnly = { USHER_RUN_WORKER: 'false', USHER_SMTP_URL: sink.url };
  try {
    return await withServer(
      results,
      memory('drain: creating email invitations (worker off)'),
      () => startUsher({ databaseUrl: setup.databaseUrl, env: apiOnly, name: 'usher-api' }),
      async (api) => {
        let n = 0;
        const created = await runLoad({
          url: api.url,
          connections: 10,
          durationS: 600,
          amount: total,
          request: {
            method: 'POST',
            path: '/v1/invitations',
            headers: AUTH_HEADERS,
            next: () => ({
              body: JSON.stringify({
                channel: 'email',
                recipient: { email: `drain-${n}@example.org`, name: `Person ${n++}` },
                role: 'member',
              }),
            }),
          },
        });
        const queued = await outboxDepth(api.url);
        log(
          `  created ${created.ok} email invitations at ${created.rps.toFixed(0)}/s (p99 ${created.p99.toFixed(1)} ms); outbox depth ${queued}`,
        );

        const worker = { env: { USHER_SMTP_URL: sink.url, ...setup.workerEnv }, name: 'usher-worker' };
        return withServer(
          results,
          memory('drain: worker sending'),
          () => startUsher({ databaseUrl: setup.databaseUrl, ...worker }),
          async (first) => {
            const t0 = Date.now();
            const sinkAtStart = cpuSeconds(sink.pid);
            // Each worker's CPU from when it listens: a second one's start-up is not an email's cost. It starts
            // once the first listens, so on a short drain the first sends most.
            let workerAtStart = cpuSeconds(first.pid);
            const others: Child[] = [];
            for (let i = 1; i < (setup.workers ?? 1); i++) {
              const other = await startUsher({
                databaseUrl: setup.databaseUrl,
                ...worker,
                name: `usher-worker-${i + 1}`,
              });
              others.push(other);
              workerAtStart += cpuSeconds(other.pid);
            }
            const cpuOf = () => [first, ...others].reduce((sum, w) => sum + cpuSeconds(w.pid), 0);
            const cpuAtStart = { worker: workerAtStart, sink: sinkAtStart };
            const limitMs = sendLimitMs(total);
            let depthZeroAt: number | null = null;
            let last = { count: -1, at: Date.now() };
            // The worker's CPU and the sink's count at the first look after the mark: the warm CPU an email is taken
            // from there.
            let atMark: { cpu: number; count: number } | null = null;
            for (;;) {
              await sleep(100);
              const stats = sinkStats(sink);
              if (atMark === null && stats.markAt > 0) atMark = { cpu: cpuOf(), count: stats.count };
              if (depthZeroAt === null && (await outboxDepth(api.url)) === 0) depthZeroAt = Date.now();
              if (stats.count !== last.count) last = { count: stats.count, at: Date.now() };
              // Done when everything arrived and the outbox says so, or nothing has arrived for 20 s, or the time
              // limit.
              if (
                (stats.count >= created.ok && depthZeroAt !== null) ||
                Date.now() - last.at > 20_000 ||
                Date.now() - t0 > limitMs
              )
                break;
            }
            const stats = sinkStats(sink);
            const perEmail = (seconds: number) => (1000 * seconds) / Math.max(1, stats.count);
            const workerCpu = cpuOf();
            for (const other of others) await other.stop();
            const warm = {
              perS: warmRate(stats, mark),
              cpuMsPerEmail:
                atMark && stats.count > atMark.count
                  ? (1000 * (workerCpu - atMark.cpu)) / (stats.count - atMark.count)
                  : Number.NaN,
            };
            const row: DrainRow = {
              engine,
              workers: setup.workers ?? 1,
              duplicates: stats.duplicates ?? 0,
              emails: created.ok - warmup,
              warmup,
              warmPerS: warm.perS,
              warmWorkerCpuMsPerEmail: warm.cpuMsPerEmail,
              createPerS: created.rps,
              received: stats.count,
              steadyPerS: steadyRate(stats),
              overallPerS: stats.count / ((stats.lastAt - t0) / 1000),
              firstMailAfterS: (stats.firstAt - t0) / 1000,
              lastMailAfterS: (stats.lastAt - t0) / 1000,
              depthZeroAfterS: depthZeroAt === null ? null : (depthZeroAt - t0) / 1000,
              workerCpuMsPerEmail: perEmail(workerCpu - cpuAtStart.worker),
              sinkCpuMsPerEmail: perEmail(cpuSeconds(sink.pid) - cpuAtStart.sink),
            };
            log(
              `  received ${row.received} of ${total}: ${warm.perS.toFixed(0)} emails/s after the first ${warmup} (worker CPU ${warm.cpuMsPerEmail.toFixed(2)} ms/email); ${row.steadyPerS.toFixed(0)}/s from first to last mail, ${row.overallPerS.toFixed(0)}/s from the worker's start; outbox empty after ${row.depthZeroAfterS?.toFixed(1) ?? 'never'} s; worker CPU ${row.workerCpuMsPerEmail.toFixed(2)} ms/email over all, SMTP sink ${row.sinkCpuMsPerEmail.toFixed(2)}`,
            );
            return row;
          },
        );
      },
    );
  } finally {
    await sink.stop();
  }
}

/** Steady rate at the sink: messages between the first and the last arrival, per second. */
function steadyRate(stats: SinkStats): number {
  return stats.count > 1 ? (stats.count - 1) / ((stats.lastAt - stats.firstAt) / 1000) : Number.NaN;
}

/** Warm rate at the sink: messages after the marked one, per second from its arrival to the last. */
function warmRate(stats: SinkStats, mark: number): number {
  return stats.markAt > 0 && stats.count > mark
    ? (stats.count - mark) / ((stats.lastAt - stats.markAt) / 1000)
    : Number.NaN;
}

/**
 * Times the bare sender (no database, messages rendered beforehand) sending `emails` after `warmup` into a fresh sink.
 */
export async function bareSend(emails: number, warmup: number, log: (line: string) => void): Promise<BareSenderRow> {
  const mark = markOf(warmup);
  const sink = await startSink(mark);
  try {
    const sender = await startChild({
      name: 'bare-sender',
      script: 'bench/bare-sender.ts',
      env: { BARE_SMTP_URL: sink.url, BARE_EMAILS: String(emails), BARE_WARMUP: String(warmup) },
      ready: /^bare sender (ready)/m,
      timeoutMs: 60_000,
    });
    const sinkCpuAtStart = cpuSeconds(sink.pid);
    const limitMs = sendLimitMs(warmup + emails);
    const t0 = Date.now();
    let report: { sent: number; cpuMs: number } | null = null;
    while (!report && Date.now() - t0 < limitMs) {
      await sleep(100);
      const line = sender
        .output()
        .split('\n')
        .find((l) => l.startsWith('{'));
      if (line) report = JSON.parse(line) as { sent: number; cpuMs: number };
    }
    await sleep(200); // the sink reports every 100 ms
    const stats = sinkStats(sink);
    await sender.stop();
    const warmPerS = warmRate(stats, mark);
    const row: BareSenderRow = {
      received: stats.count,
      steadyPerS: steadyRate(stats),
      warmPerS,
      senderCpuMsPerEmail: report ? report.cpuMs / Math.max(1, report.sent) : Number.NaN,
      sinkCpuMsPerEmail: (1000 * (cpuSeconds(sink.pid) - sinkCpuAtStart)) / Math.max(1, stats.count),
    };
    log(
      `  bare sender (same SMTP client and concurrency, no database): ${row.received} received, ${warmPerS.toFixed(0)} emails/s after the first ${warmup} (sender CPU ${row.senderCpuMsPerEmail.toFixed(2)} ms/email), ${row.steadyPerS.toFixed(0)}/s from first to last; SMTP sink ${row.sinkCpuMsPerEmail.toFixed(2)}`,
    );
    return row;
  } finally {
    await sink.stop();
  }
}

export async function runDrain(
  results: Results,
  databases: DatabaseServer,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<void> {
  const database = await databases.create('drain');
  try {
    const row = await drainOnce(
      results,
      {
        engine: databases.name,
        databaseUrl: database.url,
        emails: options.emails,
        warmup: options.drainWarmup,
        recordMemory: true,
      },
      log,
    );
    const bare = await bareSend(options.emails, options.drainWarmup, log);
    log(`  Usher drains at ${((100 * row.warmPerS) / bare.warmPerS).toFixed(0)}% of the bare sender's rate (warm)`);
    results.drain.push({ ...row, bare });
  } finally {
    await database.drop();
  }
  if (databases.engine !== 'postgres') return;
  // Two worker processes on one database: the rate, and each email sent once (no row claimed twice).
  const shared = await databases.create('drain_two_workers');
  try {
    const setup = { engine: databases.name, databaseUrl: shared.url, emails: options.emails, recordMemory: false };
    const row = await drainOnce(results, { ...setup, warmup: options.drainWarmup, workers: 2 }, log);
    log(`  two workers: ${row.duplicates} emails sent twice`);
    results.drain.push(row);
  } finally {
    await shared.drop();
  }
}
