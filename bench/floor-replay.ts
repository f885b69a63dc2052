/**
 * The true floor: the statements a real create, accept and list page ran (bench/floor-capture.ts), replayed
 * straight on the driver in this process, ten operations at a time, with fresh ids, token hashes,
 * times and subjects, each operation one transaction through Usher's own store (openStore), as its
 * transactions run: on SQLite the group-commit writer; on PostgreSQL its pool of 10, statements
 * prepared once per connection, BEGIN and writes marked LATER held for the next statement (so the
 * floor sends as few round trips as Usher does); a list page's reads outside a transaction, as Usher runs them, their
 * rows read by the driver and dropped. No HTTP, no validation, no JSON, no token signing:
 * what the database work of an invitation costs at the least, in this process's CPU and PostgreSQL's.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { openStore } from '#db';
import { AHEAD, type Answer } from '../src/db/held-statements';
import type { CapturedStatement, FloorCapture } from './floor-capture';
import { percentile, type LoadResult } from './load';
import { postgresCpuSeconds } from './postgres-cpu';

/** Where a replayed read sent ahead delivers its rows: nowhere (the floor reads what Usher reads, and drops it). */
const DROPPED: Answer = { resolve: () => undefined, reject: () => undefined };

/** Operations in flight at once, as the matrix's 10 connections. */
export const FLOOR_CONCURRENCY = 10;

/** A value's identity for telling the two captures apart. */
const keyOf = (value: unknown): string =>
  value instanceof Date
    ? `date:${value.getTime()}`
    : Buffer.isBuffer(value)
      ? `bytes:${value.toString('hex')}`
      : `${typeof value}:${String(value)}`;

/** Values that differ between the two runs of the same statements: per-invitation values that must be fresh. */
function variables(pair: readonly [CapturedStatement[], CapturedStatement[]], into: Map<string, unknown>): void {
  const [a, b] = pair;
  if (a.length !== b.length || a.some((s, i) => s.sql !== b[i]!.sql))
    throw new Error('two runs of the same operation ran different statements: the floor cannot replay them');
  a.forEach((statement, i) =>
    statement.params.forEach((value, j) => {
      if (keyOf(value) !== keyOf(b[i]!.params[j])) into.set(keyOf(value), value);
    }),
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A time-ordered UUID (version 7) for now, as Usher's ids are when the captured one is. */
function uuidV7(): string {
  const hex = Date.now().toString(16).padStart(12, '0') + randomBytes(10).toString('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A fresh value of the same shape as `value`, for operation `op`. */
function freshOf(value: unknown, op: number): unknown {
  if (value instanceof Date) return new Date();
  if (Buffer.isBuffer(value)) return randomBytes(value.length);
  if (typeof value === 'number') return value > 1e12 ? Date.now() : 10_000_000 + op;
  if (typeof value === 'bigint') return 10_000_000n + BigInt(op);
  if (typeof value !== 'string') return value;
  if (/^\d{4}-\d\d-\d\dT/.test(value)) return new Date().toISOString();
  const uuid = UUID.exec(value);
  if (uuid) return uuid[1] === '7' ? uuidV7() : randomUUID();
  if (/^[0-9a-f]{16,}$/i.test(value)) return randomBytes(value.length).toString('hex').slice(0, value.length);
  if (/^[\w-]{16,}$/.test(value)) return Array.from(randomBytes(value.length), (byte) => BASE64URL[byte % 64]).join('');
  return `${value}-${op}-${randomBytes(4).toString('hex')}`;
}

/** One operation's statements with fresh values; `fresh` is shared by the create and the accept of one invitation. */
function freshStatements(
  statements: readonly CapturedStatement[],
  vars: ReadonlyMap<string, unknown>,
  fresh: Map<string, unknown>,
  op: number,
): CapturedStatement[] {
  const of = (value: unknown) => {
    const key = keyOf(value);
    if (!fresh.has(key)) fresh.set(key, freshOf(value, op));
    return fresh.get(key);
  };
  const embedded = [...vars.values()].filter((v): v is string => typeof v === 'string' && v.length >= 8);
  return statements.map((statement) => ({
    sql: statement.sql,
    params: statement.params.map((value) => {
      if (typeof value === 'string' && value.length > 40 && /[{[]/.test(value))
        // A JSON payload (an event's data): the fresh ids and times inside it too.
        return embedded.reduce((text, v) => text.split(v).join(String(of(v))), value);
      return vars.has(keyOf(value)) ? of(value) : value;
    }),
  }));
}

/** Runs one operation's statements as one transaction. */
type RunOp = (statements: readonly CapturedStatement[]) => Promise<void>;

/**
 * The floor, open: its store or pool stays up (and warm) between runs, so the matrix can run it in turn with Usher and
 * the baseline. Each run's CPU is this process's ("server" CPU) and PostgreSQL's.
 */
export interface Floor {
  /** Replays `count` creates. */
  create(count: number): Promise<LoadResult>;
  /** Replays the accepts of the next `count` invitations the creates made, in the order they were made. */
  accept(count: number): Promise<LoadResult>;
  /** Replays `count` first pages of the list, on whatever the creates left in the store. */
  list(count: number): Promise<LoadResult>;
  /** Checks every accept accepted its invitation, then closes the store or pool. */
  close(): Promise<void>;
}

/** Opens the floor on the database the capture was taken on (its tenant, key and signing key are the constants). */
export function openFloor(databaseUrl: string, capture: FloorCapture, postmasterPid: number | null): Floor {
  const vars = new Map<string, unknown>();
  variables(capture.creates, vars);
  variables(capture.accepts, vars);
  variables(capture.lists, vars);
  // Usher's own store on both engines: on SQLite its group-commit writer, on PostgreSQL its pool with statements
  // prepared once per connection and BEGIN and writes marked LATER held for the next statement, as Usher sends them.
  const store = openStore(databaseUrl);
  // A read Usher sent ahead is sent ahead here too, its rows dropped: the driver took its answer's slot off.
  const parameters = (s: CapturedStatement) => (s.sql.startsWith(AHEAD) ? [...s.params, DROPPED] : [...s.params]);
  const replayOn = async (db: Pick<typeof store.db, 'executeQuery'>, statements: readonly CapturedStatement[]) => {
    for (const s of statements) await db.executeQuery(CompiledQuery.raw(s.sql, parameters(s)));
  };
  const inTransaction: RunOp = (statements) => store.db.transaction().execute((trx) => replayOn(trx, statements));
  const reads: RunOp = (statements) => replayOn(store.db, statements);
  // Each invitation's fresh values, by operation number: an accept reuses its create's token hash and ids.
  const fresh: Map<string, unknown>[] = [];
  // `shared`: an operation's fresh values are kept for the one after it on the same invitation (a create's accept).
  const run = async (
    count: number,
    offset: number,
    template: CapturedStatement[],
    runOp = inTransaction,
    shared = true,
  ) => {
    const latencies: number[] = [];
    let next = 0;
    const cpu = process.cpuUsage();
    const pgBefore = postmasterPid === null ? Number.NaN : postgresCpuSeconds(postmasterPid);
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: FLOOR_CONCURRENCY }, async () => {
        while (next < count) {
          const op = offset + next++;
          const values = shared ? (fresh[op] ??= new Map()) : new Map<string, unknown>();
          const t0 = process.hrtime.bigint();
          await runOp(freshStatements(template, vars, values, op));
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    const pgCpu = postmasterPid === null ? Number.NaN : postgresCpuSeconds(postmasterPid) - pgBefore;
    const sorted = latencies.sort((a, b) => a - b);
    return {
      connections: FLOOR_CONCURRENCY,
      ok: count,
      failed: 0,
      statusCodes: {},
      seconds,
      rps: count / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, count),
      serverCpuMsPerRequest: (used.user + used.system) / 1000 / count,
      ...(Number.isFinite(pgCpu) ? { postgresCpuMsPerRequest: (1000 * pgCpu) / count } : {}),
    } satisfies LoadResult;
  };
  let created = 0;
  let accepted = 0;
  return {
    async create(count) {
      const result = await run(count, created, capture.creates[0]);
      created += count;
      return result;
    },
    async accept(count) {
      if (accepted + count > created) throw new Error(`the floor has ${created - accepted} invitations to accept`);
      const result = await run(count, accepted, capture.accepts[0]);
      accepted += count;
      return result;
    },
    // Fresh values (the time a page is read at) for each page, kept for nothing after it.
    list: (count) => run(count, 0, capture.lists[0], reads, false),
    async close() {
      try {
        await checkAccepted(store.db, accepted);
      } finally {
        await store.close();
      }
    },
  };
}

/** A replayed accept that matched no invitation would change nothing and look fast: every one must have accepted. */
async function checkAccepted(db: ReturnType<typeof openStore>['db'], expected: number): Promise<void> {
  const { rows } = await sql<{
    n: number | string;
  }>`select count(*) as n from invitations where status = 'accepted'`.execute(db);
  const n = Number(rows[0]!.n);
  // The capture accepted three invitations of its own.
  if (n < expected)
    throw new Error(`the floor's accepts accepted ${n} invitations of ${expected}: the replay lost the invitations`);
}
