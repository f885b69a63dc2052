/**
 * What one PostgreSQL store option saves, in alternating rounds: Usher's app in this process, two stores on one
 * database, one with the option and one without, ten requests at a time. CPU a request is this process's plus
 * PostgreSQL's (the postmaster's children, from /proc). The option is the argument:
 * - `prepared`: repeated statements named once per connection, or every statement unnamed (prepared-statements.ts);
 * - `held`: a transaction's BEGIN and its writes marked LATER written with its next statement, or each in a round
 *   trip of its own (held-statements.ts);
 * - `merged`: held inserts in a row sent as one statement, or each as its own (merged-writes.ts);
 * - `pool`: at most 10 connections to PostgreSQL, or at most 4 (`USHER_POSTGRES_POOL_SIZE`);
 * - `socket`: the connection over TCP to 127.0.0.1, or over the server's Unix socket (`?host=` its directory);
 * - `memory`: keys, inviters, signing keys and webhook endpoints believed for a second, or read on every request
 *   (`USHER_CONFIG_CACHE_MS=0`).
 * Run: `USHER_BENCH_POSTGRES_URL=postgres://usher@127.0.0.1:PORT/postgres npx tsx bench/micro/pg-store-ab.ts held`
 * against a local server (its backends must be readable in /proc).
 */
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { migrateToLatest, openStore } from '#db';
import { bootstrapFirstTenant } from '../../src/bootstrap';
import { BENCH_API_KEY } from '../bench-key';
import { tokenFromBody } from '../http';
import { inProcessUsher } from '../scenarios/in-process-usher';

const CONNECTIONS = 10;
const REQUESTS = Number(process.env.REQUESTS ?? 2_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const TICK_US = 10_000;

const base = process.env.USHER_BENCH_POSTGRES_URL;
if (!base) throw new Error('set USHER_BENCH_POSTGRES_URL to a local PostgreSQL server');
const log = (line: string) => process.stdout.write(`${line}\n`);

/** utime + stime of a process in microseconds, or 0 once it is gone. */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return 0;
  }
}

/**
 * CPU of the postmaster and each child it has, by pid. A round's cost is the sum of the growth of each pid seen
 * at both ends plus what new ones used: a backend that exits meanwhile (the idle pool of the other variant) takes
 * its CPU with it, but it was idle.
 */
function postgresCpu(postmaster: number): Map<number, number> {
  const byPid = new Map([[postmaster, cpuOf(postmaster)]]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (ppid === postmaster) byPid.set(Number(entry), cpuOf(Number(entry)));
    } catch {
      // gone meanwhile
    }
  }
  return byPid;
}

function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}

const admin = new pg.Client({ connectionString: base });
await admin.connect();
const backend = (await admin.query('select pg_backend_pid() as pid')).rows[0].pid as number;
const postmaster = Number(readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
const dbName = `usher_store_ab_${process.pid}`;
await admin.query(`create database ${dbName}`);
const url = base.replace(/\/[^/]*$/, `/${dbName}`);
const socketDirectory = String((await admin.query('show unix_socket_directories')).rows[0].unix_socket_directories)
  .split(',')[0]!
  .trim();
const overSocket = `${url}?host=${encodeURIComponent(socketDirectory)}`;

const OPTIONS = {
  prepared: [
    { name: 'named', options: {} },
    { name: 'unnamed', options: { preparedStatements: false } },
  ],
  held: [
    { name: 'held', options: {} },
    { name: 'sent-each', options: { holdStatements: false } },
  ],
  merged: [
    { name: 'merged', options: {} },
    { name: 'each', options: { mergeWrites: false } },
  ],
  pool: [
    { name: 'pool-10', options: {} },
    { name: 'pool-4', options: { poolSize: 4 } },
  ],
  socket: [
    { name: 'tcp', options: {} },
    { name: 'unix', options: {}, url: overSocket },
  ],
  memory: [
    { name: 'cached', options: {} },
    { name: 'read-each', options: {}, app: { configCacheMs: 0 } },
  ],
} as const;
const option = process.argv[2] as keyof typeof OPTIONS;
if (!OPTIONS[option]) throw new Error(`name the option to compare: ${Object.keys(OPTIONS).join(' or ')}`);
const variants = OPTIONS[option].map((variant) => ({
  name: variant.name,
  store: openStore('url' in variant ? variant.url : url, variant.options),
  settings: 'app' in variant ? variant.app : {},
}));
try {
  await migrateToLatest(variants[0]!.store.db);
  await bootstrapFirstTenant(variants[0]!.store.db, BENCH_API_KEY, new Date());
  const apps = variants.map((v) => ({ ...v, app: inProcessUsher(v.store.db, log, 'postgres', v.settings) }));
  const tokens: string[] = [];
  let member = 0;
  const ops = {
    create: async (request: (typeof apps)[number]['app']['request']) =>
      void tokens.push(tokenFromBody(await request('POST', '/v1/invitations', { channel: 'link' }))!),
    email: async (request: (typeof apps)[number]['app']['request']) =>
      void (await request('POST', '/v1/invitations', {
        channel: 'email',
        recipient: { email: `person-${member++}@example.org` },
      })),
    accept: async (request: (typeof apps)[number]['app']['request']) =>
      void (await request(
        'POST',
        `/v1/public/invitations/${tokens.pop()}/accept`,
        { subject: `member-${member++}` },
        { 'content-type': 'application/json' },
      )),
    list: async (request: (typeof apps)[number]['app']['request']) =>
      void (await request('GET', '/v1/invitations?limit=100')),
  };
  const run = async (n: number, work: () => Promise<void>) => {
    let left = n;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (left-- > 0) await work();
      }),
    );
  };
  const samples = new Map<string, number[]>();
  for (const { app } of apps) for (const op of Object.values(ops)) await run(REQUESTS / 4, () => op(app.request));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? apps : [...apps].reverse();
    for (const [opName, op] of Object.entries(ops)) {
      for (const { name, app } of order) {
        const usher = process.cpuUsage();
        const pgBefore = postgresCpu(postmaster);
        await run(REQUESTS, () => op(app.request));
        const used = process.cpuUsage(usher);
        const pgUs = cpuBetween(pgBefore, postgresCpu(postmaster));
        const key = `${opName} ${name}`;
        const perRequest = [(used.user + used.system) / REQUESTS, pgUs / REQUESTS];
        samples.set(`${key} usher`, [...(samples.get(`${key} usher`) ?? []), perRequest[0]!]);
        samples.set(`${key} pg`, [...(samples.get(`${key} pg`) ?? []), perRequest[1]!]);
      }
    }
    log(`round ${round + 1}/${ROUNDS} done`);
  }
  const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  log(`\nµs a request, medians of ${ROUNDS} rounds of ${REQUESTS}, ${CONNECTIONS} at a time (Usher + PostgreSQL)`);
  for (const opName of Object.keys(ops)) {
    const line = variants.map(({ name }) => {
      const usher = median(samples.get(`${opName} ${name} usher`)!);
      const pgCpu = median(samples.get(`${opName} ${name} pg`)!);
      return `${name} ${usher.toFixed(0)} + ${pgCpu.toFixed(0)} = ${(usher + pgCpu).toFixed(0)}`;
    });
    log(`  ${opName.padEnd(7)} ${line.join('   ')}`);
  }
} finally {
  for (const { store } of variants) await store.close();
  await admin.query(`drop database ${dbName} with (force)`);
  await admin.end();
}
