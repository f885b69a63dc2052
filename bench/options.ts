import type { Engine } from './databases';
import type { PgSetting } from './postgres-throwaway';

export const PHASES = ['matrix', 'processes', 'scale', 'bulk', 'drain', 'queries', 'profile', 'statements'] as const;
export type Phase = (typeof PHASES)[number];
/**
 * Phases that run only when named: their instruments slow what they measure, so they are never the published figures.
 */
const ON_REQUEST: readonly Phase[] = ['profile', 'statements'];

/** How much the bench does; `npm run bench` takes the defaults, `-- --quick` a short smoke run. */
export interface BenchOptions {
  readonly quick: boolean;
  readonly engines: readonly Engine[];
  /**
   * PostgreSQL's settings, each a throwaway server of its own measured in turn: `fast` (fsync, synchronous_commit and
   * full_page_writes off, as the tests run it) and `durable` (all on, as production runs it). Both by default.
   */
  readonly pgSettings: readonly PgSetting[];
  readonly phases: readonly Phase[];
  /** Seconds per measured load run. */
  readonly durationS: number;
  /** Seconds of unmeasured load before a run of a kind the server has not served yet (accepts after creates). */
  readonly warmupS: number;
  /**
   * Seconds of unmeasured load on a freshly started server before its first measured run. A fresh
   * Usher's CPU a create kept falling for 15-20 s of load (0.60 -> 0.36, 0.70 -> 0.40, 0.48 -> 0.37 ms
   * in 6-s rounds, 2026-12-05), its code optimised and its heap grown by then: with 2 s the first
   * phase of a run measured a server still warming up. Every server, the baseline and the floor
   * too, gets the same.
   */
  readonly settleS: number;
  /** Invitations seeded for the scale phase. */
  readonly scaleRows: number;
  /** Email invitations the outbox drain sends and times. */
  readonly emails: number;
  /**
   * Emails a freshly started worker (and the bare sender) sends before the timed ones, the drain's
   * settle: a fresh worker spent 0.93-0.98 ms of CPU an email over its first 5,000 and 0.78-0.82 over
   * 20,000, its code still being optimised early on (2026-12-05, `--emails=5000` and `20000`, twice
   * each). An outbox worker runs for days; the rate it keeps is the warm one. The cold rate, from
   * the worker's start, stays in the report beside it.
   */
  readonly drainWarmup: number;
  /** Bulk requests (of `bulkItems` each) per kind of item. */
  readonly bulkRequests: number;
  readonly bulkItems: number;
}

const USAGE = `usage: npm run bench -- [--quick] [--engines=sqlite,postgres] [--pg-settings=fast,durable] [--only=${PHASES.join(',')}] [--duration=S] [--rows=N] [--emails=N]
  --quick       short runs (2 s, 100,000 rows, 1,000 emails after 200 unmeasured): a smoke test, not numbers to publish
  --pg-settings PostgreSQL without (fast) and with (durable) fsync and synchronous_commit; a server of
                USHER_BENCH_POSTGRES_URL keeps its own settings and is measured once
  --only        phases to run; "profile" (CPU profiles of create, accept and list) and "statements"
                (time in SQLite per statement of a create and an accept) run only when named
  env USHER_BENCH_POSTGRES_URL   a PostgreSQL server to create scratch databases on; without it a throwaway one is started`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || arg === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(arg === '--help' ? 0 : 2);
    }
    flags.set(match[1]!, match[2] ?? 'true');
  }
  const quick = flags.has('quick') || env.USHER_BENCH_QUICK === '1';
  const list = <T extends string>(name: string, allowed: readonly T[], fallback: readonly T[]): readonly T[] => {
    const raw = flags.get(name);
    if (!raw) return fallback;
    const values = raw.split(',').map((v) => v.trim());
    const bad = values.filter((v) => !(allowed as readonly string[]).includes(v));
    if (bad.length > 0) throw new Error(`--${name}: unknown ${bad.join(', ')}; expected ${allowed.join(', ')}`);
    return values as T[];
  };
  const number = (name: string, fallback: number) => {
    const raw = flags.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number, got "${raw}"`);
    return value;
  };
  return {
    quick,
    engines: list('engines', ['sqlite', 'postgres'] as const, ['sqlite', 'postgres']),
    pgSettings: list('pg-settings', ['fast', 'durable'] as const, ['fast', 'durable']),
    phases: list(
      'only',
      PHASES,
      PHASES.filter((phase) => !ON_REQUEST.includes(phase)),
    ),
    durationS: number('duration', quick ? 2 : 6),
    warmupS: quick ? 1 : 2,
    settleS: quick ? 1 : 20,
    scaleRows: number('rows', quick ? 100_000 : 1_000_000),
    emails: number('emails', quick ? 1_000 : 5_000),
    drainWarmup: quick ? 200 : 5_000,
    bulkRequests: quick ? 2 : 4,
    bulkItems: 5_000,
  };
}
