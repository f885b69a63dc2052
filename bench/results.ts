import type { StoreName } from './databases';
import type { LoadResult } from './load';
import type { MachineInfo } from './machine';
import type { PostgresRunStats } from './postgres-stats';
import type { BenchOptions } from './options';

/** One load run of the matrix: a scenario against Usher, the bare baseline or the floor (Usher's writes alone). */
export interface LoadRow extends LoadResult {
  readonly engine: StoreName;
  readonly server: 'usher' | 'baseline' | 'floor';
  readonly scenario: string;
  /** PostgreSQL's statements and waits over the run (Usher's runs on PostgreSQL). */
  readonly postgres?: PostgresRunStats;
}

/** One list or filter query hammered on the seeded store. */
export interface ScaleRow extends LoadResult {
  readonly engine: StoreName;
  readonly query: string;
  readonly path: string;
  readonly storeRows: number;
}

export interface SeedRow {
  readonly engine: StoreName;
  readonly rows: number;
  readonly seconds: number;
  /** Store size after seeding: what a million invitations cost on disk. */
  readonly megabytes: number | null;
}

export type BulkRow =
  | { readonly engine: StoreName; readonly available: false; readonly reason: string }
  | {
      readonly engine: StoreName;
      readonly available: true;
      readonly kind: 'link' | 'email';
      readonly requests: number;
      readonly itemsPerRequest: number;
      readonly created: number;
      readonly refused: number;
      readonly seconds: number;
      readonly itemsPerS: number;
      readonly requestP50Ms: number;
      readonly requestMaxMs: number;
    };

/**
 * The sender's own limit: Usher's SMTP client and concurrency into a sink of its own, without database or templates.
 */
export interface BareSenderRow {
  readonly received: number;
  /** Messages between the first and the last arrival, warm-up included, per second. */
  readonly steadyPerS: number;
  /** Messages after the warm-up, per second. */
  readonly warmPerS: number;
  /** CPU per timed message, after the warm-up. */
  readonly senderCpuMsPerEmail: number;
  readonly sinkCpuMsPerEmail: number;
}

export interface DrainRow {
  readonly engine: StoreName;
  /** Worker processes sending from the one database (absent in older results: 1). */
  readonly workers?: number;
  /** Emails the SMTP sink received more than once, by Message-ID: a row claimed by two workers. */
  readonly duplicates?: number;
  /** Emails timed, after the warm-up. */
  readonly emails: number;
  /** Emails sent first and left out of the warm figures. */
  readonly warmup: number;
  /**
   * Messages after the warm-up, per second from the arrival of its last to the last arrival: the rate a running worker
   * keeps.
   */
  readonly warmPerS: number;
  /** The worker's CPU per email after the warm-up. */
  readonly warmWorkerCpuMsPerEmail: number;
  /** How fast the email invitations were created through the API (worker off), per second. */
  readonly createPerS: number;
  readonly received: number;
  /** Messages between the first and the last arrival at the SMTP sink, per second: the worker's pace once running. */
  readonly steadyPerS: number;
  /** Messages per second from the worker process's start (listening line) to the last arrival. */
  readonly overallPerS: number;
  readonly firstMailAfterS: number;
  readonly lastMailAfterS: number;
  /** When /metrics first showed an empty outbox, from the worker's start; null if it never did within the limit. */
  readonly depthZeroAfterS: number | null;
  /** CPU the worker process and the SMTP sink spent per email received: near 1000 / rate means CPU-bound. */
  readonly workerCpuMsPerEmail: number;
  readonly sinkCpuMsPerEmail: number;
  /** The bare sender run right after, in the same bench run (absent in profiled runs and older results). */
  readonly bare?: BareSenderRow;
}

export interface MemoryRow {
  readonly engine: StoreName;
  readonly phase: string;
  /** VmRSS once the server said it was listening, before any load. */
  readonly startRssMb: number;
  /** Highest VmRSS sampled every 200 ms under load. */
  readonly peakRssMb: number;
  /** The kernel's VmHWM at the end of the phase: the true peak. */
  readonly hwmMb: number;
  /** V8's heap and external memory at the end of the phase, from Usher's /metrics: what the RSS is made of. */
  readonly heapUsedMb?: number;
  readonly heapTotalMb?: number;
  readonly externalMb?: number;
}

/** SQL statements one request runs, counted in-process on SQLite. */
export interface QueryCountRow {
  readonly operation: string;
  readonly statements: number;
  readonly byKind: Readonly<Record<string, number>>;
  readonly sql: readonly string[];
}

export interface ProfileRow {
  readonly scenario: string;
  readonly file: string;
  readonly topFunctions: readonly { name: string; selfPercent: number }[];
  readonly byArea: readonly { area: string; selfPercent: number }[];
}

/** One operation's time in SQLite, statement by statement, in-process (scenarios/statement-times.ts). */
export interface StatementTimesRow {
  readonly operation: string;
  readonly requests: number;
  readonly connections: number;
  /** The whole process's CPU a request (the app without HTTP, and SQLite). */
  readonly cpuUsPerRequest: number;
  readonly sqliteUsPerRequest: number;
  /** Most time first: each statement's calls and time per request. */
  readonly statements: readonly { sql: string; perRequest: number; usPerRequest: number }[];
}

/** Whose processes a processes row measured. */
export type ProcessesServer = 'usher' | 'baseline';

/** One server's processes on one PostgreSQL database, the same load split across them (scenarios/processes.ts). */
export interface ProcessesRow {
  readonly engine: StoreName;
  /** Absent in runs before 2026-12-07's evening, which measured Usher alone. */
  readonly server?: ProcessesServer;
  readonly processes: number;
  readonly scenario: string;
  /** All processes together. */
  readonly connections: number;
  readonly ok: number;
  readonly failed: number;
  readonly rps: number;
  /** The worst process's p99. */
  readonly p99: number;
  /** Every process's CPU together (Usher's, or the baseline's in its rows), per request answered by any. */
  readonly usherCpuMsPerRequest: number;
  readonly postgresCpuMsPerRequest: number;
  /** The processes' main threads' context switches (bench/processes.ts), per request; absent in earlier runs. */
  readonly switchesPerRequest?: number;
  readonly postgres?: PostgresRunStats;
}

/** Whose a processes row is: runs before the baseline joined measured only Usher. */
export const serverOf = (row: ProcessesRow): ProcessesServer => row.server ?? 'usher';

/** What a core of CPU, Usher's and PostgreSQL's together, serves of a processes row's creates in a second. */
export const createsPerCoreSecond = (row: ProcessesRow): number =>
  1000 / (row.usherCpuMsPerRequest + row.postgresCpuMsPerRequest);

/** Everything one `npm run bench` measured, as written to bench/results/<date>.json. */
export interface Results {
  readonly startedAt: string;
  finishedAt?: string;
  readonly options: BenchOptions;
  readonly machine: MachineInfo;
  readonly engines: { engine: StoreName; version: string }[];
  readonly notes: string[];
  readonly load: LoadRow[];
  readonly seed: SeedRow[];
  readonly scale: ScaleRow[];
  readonly bulk: BulkRow[];
  readonly drain: DrainRow[];
  readonly memory: MemoryRow[];
  readonly queries: QueryCountRow[];
  readonly profiles: ProfileRow[];
  readonly statementTimes: StatementTimesRow[];
  readonly processes: ProcessesRow[];
}

/** A run's results before anything is measured. */
export function emptyResults(options: BenchOptions, machine: MachineInfo): Results {
  return {
    startedAt: new Date().toISOString(),
    options,
    machine,
    engines: [],
    notes: [],
    load: [],
    seed: [],
    scale: [],
    bulk: [],
    drain: [],
    memory: [],
    queries: [],
    profiles: [],
    statementTimes: [],
    processes: [],
  };
}
