/**
 * Where a create's and an accept's time in SQLite goes: Usher's app in this process on its own
 * store (openStore: group commit, statement cache, Usher's pragmas), ten requests at a time, each
 * better-sqlite3 call timed by its SQL. Only with `--only=statements`: the timing wraps every
 * call, so the request's total is a little above the real server's, and the shares are what to read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { migrateToLatest, openStore } from '#db';
import { bootstrapFirstTenant } from '../../src/bootstrap';
import { BENCH_API_KEY } from '../bench-key';
import { tokenFromBody } from '../http';
import type { Results, StatementTimesRow } from '../results';
import { inProcessUsher } from './in-process-usher';

const CONNECTIONS = 10;
/** Requests per operation, after as many again unmeasured (JIT, caches, a store that is not empty). */
const REQUESTS = 20_000;

type Timings = Map<string, { calls: number; ns: bigint }>;

/** Wraps run/all/get of every better-sqlite3 statement to add its time to `timings` while `active()`. */
function timeStatements(timings: Timings, active: () => boolean): void {
  const statement = Object.getPrototypeOf(new SqliteDatabase(':memory:').prepare('select 1')) as Record<
    string,
    (...args: unknown[]) => unknown
  >;
  for (const method of ['run', 'all', 'get']) {
    const original = statement[method]!;
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      if (!active()) return original.apply(this, args);
      const started = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const entry = timings.get(this.source) ?? { calls: 0, ns: 0n };
        entry.calls += 1;
        entry.ns += process.hrtime.bigint() - started;
        timings.set(this.source, entry);
      }
    };
  }
}

export async function timeStatementsPerRequest(results: Results, log: (line: string) => void): Promise<void> {
  const timings: Timings = new Map();
  let measuring = false;
  timeStatements(timings, () => measuring);
  const dir = mkdtempSync(join(tmpdir(), 'usher-bench-statements-'));
  const store = openStore(`sqlite:${join(dir, 'usher.db')}`);
  try {
    await migrateToLatest(store.db);
    await bootstrapFirstTenant(store.db, BENCH_API_KEY, new Date());
    const { request } = inProcessUsher(store.db, log);
    const tokens: string[] = [];
    const create = async () =>
      void tokens.push(tokenFromBody(await request('POST', '/v1/invitations', { channel: 'link' }))!);
    let member = 0;
    const accept = async () =>
      void (await request(
        'POST',
        `/v1/public/invitations/${tokens.pop()}/accept`,
        { subject: `member-${member++}` },
        { 'content-type': 'application/json' },
      ));

    const run = async (work: () => Promise<void>) => {
      let left = REQUESTS;
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (left-- > 0) await work();
        }),
      );
    };
    const measure = async (operation: string, work: () => Promise<void>) => {
      timings.clear();
      measuring = true;
      const cpuAtStart = process.cpuUsage();
      await run(work);
      const cpu = process.cpuUsage(cpuAtStart);
      measuring = false;
      const us = (ns: bigint) => Number(ns) / 1000 / REQUESTS;
      const statements = [...timings]
        .map(([sql, t]) => ({ sql, perRequest: t.calls / REQUESTS, usPerRequest: us(t.ns) }))
        .sort((a, b) => b.usPerRequest - a.usPerRequest);
      const row: StatementTimesRow = {
        operation,
        requests: REQUESTS,
        connections: CONNECTIONS,
        cpuUsPerRequest: (cpu.user + cpu.system) / REQUESTS,
        sqliteUsPerRequest: statements.reduce((sum, s) => sum + s.usPerRequest, 0),
        statements,
      };
      results.statementTimes.push(row);
      log(
        `  ${operation}: CPU ${row.cpuUsPerRequest.toFixed(0)} µs a request, ${row.sqliteUsPerRequest.toFixed(0)} µs of it in SQLite calls`,
      );
      for (const s of statements.slice(0, 6))
        log(`    ${s.usPerRequest.toFixed(1).padStart(6)} µs  ×${s.perRequest.toFixed(2)}  ${s.sql.slice(0, 90)}`);
    };

    await run(create); // warm-up, and links for the warm-up accepts
    await run(accept);
    await measure('POST /v1/invitations (link)', create);
    await measure('POST /v1/public/invitations/{token}/accept', accept);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
