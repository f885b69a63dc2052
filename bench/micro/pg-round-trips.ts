/**
 * Round trips to PostgreSQL a request, counted rather than timed (counts do not move with the machine's load):
 * for a link create, an email create, an accept and a list page served by Usher's app in this process, the
 * statements node-pg sent and the writes its sockets made (statements written together count once).
 * Run: `USHER_BENCH_POSTGRES_URL=postgres://usher@127.0.0.1:PORT/postgres npx tsx bench/micro/pg-round-trips.ts`
 */
import { Socket } from 'node:net';
import pg from 'pg';
import { migrateToLatest, openStore } from '#db';
import { bootstrapFirstTenant } from '../../src/bootstrap';
import { BENCH_API_KEY } from '../bench-key';
import { tokenFromBody } from '../http';
import { inProcessUsher } from '../scenarios/in-process-usher';

const REQUESTS = 50;
const base = process.env.USHER_BENCH_POSTGRES_URL;
if (!base) throw new Error('set USHER_BENCH_POSTGRES_URL to a PostgreSQL server');
const log = (line: string) => process.stdout.write(`${line}\n`);

const counts = { statements: 0, writes: 0 };
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  counts.statements++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;
// A socket hands its bytes to the kernel through _write (one buffer) or _writev (what was corked together).
const proto = Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
for (const method of ['_write', '_writev'] as const) {
  const original = proto[method];
  proto[method] = function (this: Socket, ...args: unknown[]) {
    counts.writes++;
    return original.apply(this, args);
  };
}

const admin = new pg.Client({ connectionString: base });
await admin.connect();
const dbName = `usher_round_trips_${process.pid}`;
await admin.query(`create database ${dbName}`);
const store = openStore(base.replace(/\/[^/]*$/, `/${dbName}`));
try {
  await migrateToLatest(store.db);
  await bootstrapFirstTenant(store.db, BENCH_API_KEY, new Date());
  const { request } = inProcessUsher(store.db, log, 'postgres');
  const tokens: string[] = [];
  let member = 0;
  const ops: Record<string, () => Promise<unknown>> = {
    'create (link)': async () =>
      tokens.push(tokenFromBody(await request('POST', '/v1/invitations', { channel: 'link' }))!),
    'create (email)': () =>
      request('POST', '/v1/invitations', { channel: 'email', recipient: { email: `r${member++}@example.com` } }),
    accept: () =>
      request(
        'POST',
        `/v1/public/invitations/${tokens.pop()}/accept`,
        { subject: `member-${member++}` },
        { 'content-type': 'application/json' },
      ),
    'list first page': () => request('GET', '/v1/invitations?limit=100'),
    'public view': () => request('GET', `/v1/public/invitations/${tokens.at(-1)}`),
  };
  // Warm: every statement named, every connection open, the once-a-minute key touch done; links to spare.
  for (let i = 0; i < REQUESTS * 2; i++) await ops['create (link)']!();
  for (const op of Object.values(ops)) for (let i = 0; i < 30; i++) await op();
  log(`a request, one at a time, means of ${REQUESTS}: statements sent / socket writes to PostgreSQL`);
  for (const [name, op] of Object.entries(ops)) {
    const before = { ...counts };
    for (let i = 0; i < REQUESTS; i++) await op();
    const per = (key: keyof typeof counts) => ((counts[key] - before[key]) / REQUESTS).toFixed(2);
    log(`  ${name.padEnd(16)} ${per('statements')} / ${per('writes')}`);
  }
} finally {
  await store.close();
  await admin.query(`drop database ${dbName} with (force)`);
  await admin.end();
}
