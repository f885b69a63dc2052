/**
 * The true floor's input: the SQL statements, with their parameters, that one real create, one real accept and one
 * real list page run, taken at the driver (better-sqlite3's statements, node-pg's Client.query) while Usher's own app
 * serves the requests in this process. Two of each are taken, so the values that differ between them (ids, token
 * hashes, times, subjects) can be told from those that do not (tenant, key, settings): bench/floor-replay.ts gives the
 * former fresh values each time.
 */
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { migrateToLatest, openStore, type Engine } from '#db';
import { bootstrapFirstTenant } from '../src/bootstrap';
import { BENCH_API_KEY } from './bench-key';
import { tokenFromBody } from './http';
import { inProcessUsher } from './scenarios/in-process-usher';

/** One statement as the driver got it. */
export interface CapturedStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Two creates, two accepts of those invitations and two first pages of the list, statement by statement. */
export interface FloorCapture {
  readonly creates: readonly [CapturedStatement[], CapturedStatement[]];
  readonly accepts: readonly [CapturedStatement[], CapturedStatement[]];
  readonly lists: readonly [CapturedStatement[], CapturedStatement[]];
}

/** Transaction control is the replay's own (one transaction per operation), as are pragmas. */
const CONTROL = /^\s*(begin|commit|rollback|savepoint|release|pragma)\b/i;

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** Wraps `names` on `target` so each call's SQL and parameters go to `sink()` while it is not null. */
function tap(
  target: Record<string, Method>,
  names: readonly string[],
  read: (self: unknown, args: unknown[]) => CapturedStatement | null,
  sink: () => CapturedStatement[] | null,
): () => void {
  const originals = names.map((name) => [name, target[name]!] as const);
  for (const [name, original] of originals) {
    target[name] = function (this: unknown, ...args: unknown[]) {
      const statement = sink() ? read(this, args) : null;
      if (statement && !CONTROL.test(statement.sql)) sink()!.push(statement);
      return original.apply(this, args);
    };
  }
  return () => originals.forEach(([name, original]) => (target[name] = original));
}

/** better-sqlite3: a statement's source and its bound values (positional, or one array). */
const readSqlite = (self: unknown, args: unknown[]): CapturedStatement => ({
  sql: (self as { source: string }).source,
  params: args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args,
});

/** node-pg: query(text, values) or query({ text, values, name }). */
const readPg = (_self: unknown, args: unknown[]): CapturedStatement | null => {
  const [first, second] = args;
  if (typeof first === 'string') return { sql: first, params: Array.isArray(second) ? second : [] };
  if (first && typeof first === 'object' && 'text' in first) {
    const config = first as { text: string; values?: unknown[] };
    return { sql: config.text, params: config.values ?? [] };
  }
  return null;
};

/** Serves two link creates, two accepts and two list pages on a fresh store at `databaseUrl`; returns what each ran. */
export async function captureFloor(databaseUrl: string, engine: Engine): Promise<FloorCapture> {
  let recording: CapturedStatement[] | null = null;
  const sink = () => recording;
  const untap =
    engine === 'sqlite'
      ? tap(
          Object.getPrototypeOf(new SqliteDatabase(':memory:').prepare('select 1')) as Record<string, Method>,
          ['run', 'all', 'get', 'iterate'],
          readSqlite,
          sink,
        )
      : tap(pg.Client.prototype as unknown as Record<string, Method>, ['query'], readPg, sink);
  const store = openStore(databaseUrl);
  try {
    await migrateToLatest(store.db);
    await bootstrapFirstTenant(store.db, BENCH_API_KEY, new Date());
    // What Usher remembers (keys, inviter, signing key, endpoints) held for the whole capture, so that both runs of
    // an operation are its steady state: at the default second a busy tenant reads them once a second.
    const { request } = inProcessUsher(store.db, () => undefined, engine, { configCacheMs: 60_000 });
    const record = async (work: () => Promise<string>) => {
      recording = [];
      const body = await work();
      const statements = recording;
      recording = null;
      return { body, statements };
    };
    const create = () => record(() => request('POST', '/v1/invitations', { channel: 'link' }));
    let member = 0;
    const accept = (token: string) =>
      record(() =>
        request(
          'POST',
          `/v1/public/invitations/${token}/accept`,
          { subject: `floor-member-${member++}` },
          { 'content-type': 'application/json' },
        ),
      );
    // Unrecorded first: caches, the key's first use, the signing key made on the first accept (not remembered, its
    // transaction might have rolled back) and read on the second.
    const warm = [await create(), await create()];
    await create();
    for (const { body } of warm) await accept(tokenFromBody(body)!);
    const a = await create();
    const b = await create();
    const acceptA = await accept(tokenFromBody(a.body)!);
    const acceptB = await accept(tokenFromBody(b.body)!);
    const list = () => record(() => request('GET', '/v1/invitations'));
    await list();
    const [listA, listB] = [await list(), await list()];
    return {
      creates: [a.statements, b.statements],
      accepts: [acceptA.statements, acceptB.statements],
      lists: [listA.statements, listB.statements],
    };
  } finally {
    untap();
    await store.close();
  }
}
