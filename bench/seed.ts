/**
 * Fills a fresh store with invitations straight through the database drivers, before Usher starts:
 * a million rows through the API would take longer than the whole bench. Schema and tenant come
 * from Usher's own migrations and bootstrap, so the rows sit exactly where Usher's queries look.
 *
 * Each invitation gets what a real one has besides its row: its number (invitation_numbers, whose
 * sequence must move past them or the next create would collide) and its `invitation.created`
 * event. Links, redemptions and memberships are not seeded: list and filter never read them.
 */
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { migrateToLatest, openStore } from '#db';
import { bootstrapFirstTenant } from '../src/bootstrap';
import { BENCH_API_KEY } from './bench-key';

const DAY_MS = 86_400_000;
const EXPIRY_MS = 7 * DAY_MS;

/** What was seeded, and the filter values the scale scenarios ask for. */
export interface SeedInfo {
  readonly rows: number;
  readonly seconds: number;
  /** One recipient's address: the email filter finds exactly one row. */
  readonly oneEmail: string;
  /** A target that 2% of the rows have. */
  readonly commonTarget: string;
  /** A target that only a handful of rows have. */
  readonly rareTarget: string;
  /** A one-day window of creation times, about 1/365 of the rows. */
  readonly createdAfter: string;
  readonly createdBefore: string;
}

const INVITATION_COLUMNS = [
  'id',
  'number',
  'tenant_id',
  'identity_id',
  'channel',
  'direction',
  'status',
  'recipient_email',
  'recipient_email_normalized',
  'recipient_contact_id',
  'recipient_did',
  'recipient_actor',
  'recipient_provider',
  'recipient_name',
  'target_type',
  'target_key',
  'target_iri',
  'target_name',
  'role',
  'rules',
  'message',
  'label',
  'description',
  'purpose',
  'public',
  'uses_allowed',
  'uses_count',
  'starts_at',
  'expires_at',
  'payload',
  'metadata',
  'locale',
  'version',
  'created_at',
  'updated_at',
] as const;
const NUMBER_COLUMNS = ['number', 'invitation_id'] as const;
const EVENT_COLUMNS = [
  'id',
  'tenant_id',
  'invitation_id',
  'type',
  'previous_status',
  'new_status',
  'actor',
  'data',
  'created_at',
] as const;

type Value = string | number | null;

/**
 * A UUIDv7 for the row made at `ms` (RFC 9562 §5.7), like Usher's newId but without a syscall for
 * randomness per id: seeding makes two million of them. `serial` keeps them unique and ordered.
 */
function seedId(ms: number, serial: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  const tail = serial.toString(16).padStart(15, '0');
  const random = Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${tail.slice(0, 3)}-${(8 + (serial % 4)).toString(16)}${tail.slice(3, 6)}-${tail.slice(6, 15)}${random.slice(0, 3)}`;
}

/** Columns PostgreSQL stores as integers; the rest are text (see the migrations). */
const INTEGER_COLUMNS = new Set(['number', 'public', 'uses_allowed', 'uses_count', 'version']);

/** The tables seeding fills; their secondary indexes are dropped while it runs and rebuilt after. */
const SEEDED_TABLES = ['invitations', 'invitation_events', 'invitation_numbers'];

/** The three tables' rows for one batch, in column order. */
interface Batch {
  invitations: Value[][];
  numbers: Value[][];
  events: Value[][];
}

/** A deterministic integer hash (so every run seeds the same store); `salt` gives independent draws for one row. */
function spread(i: number, modulo: number, salt = 0): number {
  let h = Math.imul(i * 4 + salt, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return ((h ^ (h >>> 16)) >>> 0) % modulo;
}

const RARE_EVERY = 100_000;
const channelOf = (i: number) => {
  const draw = spread(i, 100, 2);
  return draw === 99 ? 'didcomm' : draw < 70 ? 'email' : 'link';
};
const targetOf = (i: number) =>
  i % RARE_EVERY === 7
    ? 'https://example.com/projects/rare'
    : spread(i, 10, 1) === 0
      ? null
      : `https://example.com/projects/p${i % 50}`;

/**
 * Row i of `count`, created evenly over the last year up to an hour ago. Invitations expire after
 * 7 days (the default), so only the last week's are still pending, as in a store in real use.
 */
function rowsFor(i: number, count: number, tenantId: string, identityId: string, now: number, batch: Batch): void {
  const createdMs = now - 365 * DAY_MS + Math.floor((i * (365 * DAY_MS - 3_600_000)) / count);
  const created = new Date(createdMs).toISOString();
  const expiresMs = createdMs + EXPIRY_MS;
  const roll = spread(i, 100);
  const status =
    expiresMs > now
      ? roll < 30
        ? 'accepted'
        : 'pending'
      : roll < 45
        ? 'accepted'
        : roll < 80
          ? 'expired'
          : roll < 90
            ? 'revoked'
            : 'declined';
  const updatedMs = status === 'pending' ? createdMs : Math.min(now, createdMs + (spread(i, 48, 3) + 1) * 3_600_000);
  const channel = channelOf(i);
  const email = channel === 'email' ? `person${i}@example.org` : null;
  const iri = targetOf(i);
  const id = seedId(createdMs, 2 * i);
  const number = i + 1;
  batch.invitations.push([
    id,
    number,
    tenantId,
    identityId,
    channel,
    'outgoing',
    status,
    email,
    email,
    null,
    null,
    null,
    null,
    email ? `Person ${i}` : null,
    iri ? 'project' : 'tenant',
    iri ?? 'tenant',
    iri,
    iri ? `Project ${i % 50}` : null,
    'member',
    '[]',
    null,
    null,
    null,
    null,
    0,
    1,
    status === 'accepted' ? 1 : 0,
    null,
    new Date(expiresMs).toISOString(),
    null,
    '{}',
    null,
    status === 'pending' ? 0 : 1,
    created,
    new Date(updatedMs).toISOString(),
  ]);
  batch.numbers.push([number, id]);
  batch.events.push([
    seedId(createdMs, 2 * i + 1),
    tenantId,
    id,
    'invitation.created',
    null,
    'pending',
    'api_key:seed',
    JSON.stringify({ channel }),
    created,
  ]);
}

/** Writes batches: one multi-row INSERT per table per chunk, many chunks per transaction. */
interface BatchWriter {
  write(batch: Batch): Promise<void>;
  finish(): Promise<void>;
}

/** `(?,?,…),(?,?,…)…`: one multi-row VALUES list. */
function placeholders(columns: number, rows: number): string {
  const row = `(${Array.from({ length: columns }, () => '?').join(',')})`;
  return Array.from({ length: rows }, () => row).join(',');
}

function sqliteWriter(path: string): BatchWriter {
  const db = new SqliteDatabase(path);
  // This connection only seeds, alone: durability and a journal are pointless here. WAL is back on before Usher opens
  // the file.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  // Building an index once over sorted keys is many times faster than growing it row by row; the same SQL recreates it.
  const indexes = db
    .prepare(
      `select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${SEEDED_TABLES.map(() => '?').join(',')})`,
    )
    .all(...SEEDED_TABLES) as { name: string; sql: string }[];
  for (const { name } of indexes) db.exec(`drop index ${name}`);
  const statements = new Map<string, SqliteDatabase.Statement>();
  const insert = (table: string, columns: readonly string[], rows: Value[][]) => {
    const key = `${table}:${rows.length}`;
    let statement = statements.get(key);
    if (!statement) {
      statement = db.prepare(
        `insert into ${table} (${columns.join(',')}) values ${placeholders(columns.length, rows.length)}`,
      );
      statements.set(key, statement);
    }
    statement.run(rows.flat());
  };
  // SQLite allows 32,766 parameters a statement: 500 invitation rows use 17,500.
  const chunked = (table: string, columns: readonly string[], rows: Value[][]) => {
    for (let at = 0; at < rows.length; at += 500) insert(table, columns, rows.slice(at, at + 500));
  };
  const writeAll = db.transaction((batch: Batch) => {
    chunked('invitation_numbers', NUMBER_COLUMNS, batch.numbers);
    chunked('invitations', INVITATION_COLUMNS, batch.invitations);
    chunked('invitation_events', EVENT_COLUMNS, batch.events);
  });
  return {
    async write(batch) {
      writeAll(batch);
    },
    async finish() {
      for (const { sql } of indexes) db.exec(sql);
      db.pragma('journal_mode = WAL');
      db.close();
    },
  };
}

async function postgresWriter(url: string): Promise<BatchWriter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // As on SQLite: drop the secondary indexes (not those backing a constraint) and rebuild them from their own
  // definitions.
  const indexes = (
    await client.query<{ indexname: string; indexdef: string }>(
      'select indexname, indexdef from pg_indexes where tablename = any($1) and indexname not in (select conname from pg_constraint)',
      [SEEDED_TABLES],
    )
  ).rows;
  for (const { indexname } of indexes) await client.query(`drop index ${indexname}`);
  // Foreign-key checks run as a trigger per row; the seeded rows reference what bootstrap made, by construction.
  // Only a superuser may skip them: elsewhere the seed is slower, not wrong.
  await client.query('set session_replication_role = replica').catch(() => undefined);
  // One array per column, unnested into rows: a statement of any length has as many parameters as columns, and is
  // parsed once.
  const chunked = async (table: string, columns: readonly string[], rows: Value[][]) => {
    const arrays = columns.map((_, c) => rows.map((row) => row[c]));
    const casts = columns.map((column, c) => `$${c + 1}::${INTEGER_COLUMNS.has(column) ? 'integer' : 'text'}[]`);
    await client.query(`insert into ${table} (${columns.join(',')}) select * from unnest(${casts.join(',')})`, arrays);
  };
  return {
    async write(batch) {
      await client.query('begin');
      await chunked('invitation_numbers', NUMBER_COLUMNS, batch.numbers);
      await chunked('invitations', INVITATION_COLUMNS, batch.invitations);
      await chunked('invitation_events', EVENT_COLUMNS, batch.events);
      await client.query('commit');
    },
    async finish() {
      await client.query("set maintenance_work_mem = '256MB'");
      for (const { indexdef } of indexes) await client.query(indexdef);
      // Explicit numbers do not move a serial's sequence: without this the next create would take number 1 again.
      await client.query(
        "select setval(pg_get_serial_sequence('invitation_numbers', 'number'), (select max(number) from invitation_numbers))",
      );
      // Autovacuum would analyze the new rows soon after; do it now so the plans measured are the ones a live server
      // gets.
      await client.query('analyze');
      await client.end();
    },
  };
}

/** Migrates and bootstraps the store as Usher would, then seeds `count` invitations of the bench tenant. */
export async function seedInvitations(
  databaseUrl: string,
  count: number,
  log: (line: string) => void,
): Promise<SeedInfo> {
  const started = Date.now();
  const store = openStore(databaseUrl);
  await migrateToLatest(store.db);
  const created = await bootstrapFirstTenant(store.db, BENCH_API_KEY, new Date());
  if (!created) throw new Error('seeding needs an empty store');
  await store.close();
  const tenantId = created.tenant.id;
  const identityId = created.identity.id;
  const writer = databaseUrl.startsWith('sqlite:')
    ? sqliteWriter(databaseUrl.slice('sqlite:'.length))
    : await postgresWriter(databaseUrl);
  const now = Date.now();
  const perTransaction = 20_000;
  for (let from = 0; from < count; from += perTransaction) {
    const batch: Batch = { invitations: [], numbers: [], events: [] };
    for (let i = from; i < Math.min(count, from + perTransaction); i++)
      rowsFor(i, count, tenantId, identityId, now, batch);
    await writer.write(batch);
    if ((from / perTransaction) % 10 === 9)
      log(
        `  seeded ${(from + perTransaction).toLocaleString('en')} rows (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
  }
  await writer.finish();
  const middle = now - 180 * DAY_MS;
  let emailed = Math.floor(count / 2);
  while (channelOf(emailed) !== 'email') emailed += 1;
  return {
    rows: count,
    seconds: (Date.now() - started) / 1000,
    oneEmail: `person${emailed}@example.org`,
    commonTarget: 'https://example.com/projects/p3',
    rareTarget: 'https://example.com/projects/rare',
    createdAfter: new Date(middle).toISOString(),
    createdBefore: new Date(middle + DAY_MS).toISOString(),
  };
}
