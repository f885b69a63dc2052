import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openStore } from './store';
import { describeSchemaMismatch, schemaStatus } from './schema-status';
import { insertOrder, storeTables, tableDifferences, type StoreTable } from './store-tables';

/** Why a copy was refused or undone; `kind` lets the CLI pick an exit code. */
export class StoreCopyError extends Error {
  constructor(
    readonly kind: 'source' | 'target' | 'schema' | 'copy' | 'counts',
    message: string,
  ) {
    super(message);
    this.name = 'StoreCopyError';
  }
}

/** Options for copyStore. */
export interface StoreCopyOptions {
  /** `sqlite:<path>` of a quiescent store at this code's schema; opened read-only. */
  readonly from: string;
  /** `postgres://…` of a database with no rows in Usher's tables; migrated first. */
  readonly to: string;
  /** Rows a statement inserts at most; 1000 by default (fewer for wide tables: PostgreSQL takes 65,535 parameters). */
  readonly batchRows?: number;
  /** Told after each batch: the table and the rows copied into it so far. */
  readonly onProgress?: (table: string, copied: number) => void;
}

/** Rows of one table on each side after the copy. */
export interface TableCount {
  readonly table: string;
  readonly source: number;
  readonly target: number;
}

/** What a copy did: counts per table in insert order, and where each sequence now stands. */
export interface StoreCopyResult {
  readonly tables: readonly TableCount[];
  readonly sequences: ReadonlyArray<{ readonly table: string; readonly column: string; readonly value: number }>;
}

/**
 * Copies a SQLite store into an empty PostgreSQL database, every table in foreign-key order, in one
 * transaction on the target: a copy that fails, or whose counts differ, leaves the target migrated
 * and empty. Values go as they are (both engines keep timestamps and JSON as text, flags as 0/1, and
 * every column is text or integer), so hashes, private keys and secrets arrive unchanged.
 */
export async function copyStore(options: StoreCopyOptions): Promise<StoreCopyResult> {
  if (!options.from.startsWith('sqlite:')) {
    throw new StoreCopyError('source', `the source must be sqlite:<path>, got ${options.from}`);
  }
  if (!/^postgres(ql)?:\/\//.test(options.to)) {
    throw new StoreCopyError('target', 'the target must be a postgres:// URL');
  }
  const sqlite = openSource(options.from.slice('sqlite:'.length));
  const source = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
  const target = openStore(options.to);
  try {
    const sourceMismatch = describeSchemaMismatch(await schemaStatus(source));
    if (sourceMismatch) {
      const advice = sourceMismatch.includes('usher migrate') ? ` --database-url ${options.from} on it first` : '';
      throw new StoreCopyError('source', `the source ${options.from}: ${sourceMismatch}${advice}`);
    }
    const sourceTables = await storeTables(source, 'sqlite');
    const targetStatus = await schemaStatus(target.db);
    if (targetStatus.unknown.length > 0) {
      throw new StoreCopyError('target', `the target: ${describeSchemaMismatch(targetStatus)}`);
    }
    // Before migrating, so a refused target is left exactly as it was.
    await refuseRows(target.db, await storeTables(target.db, 'postgres'), sourceTables);
    await migrateToLatest(target.db);
    const targetTables = await storeTables(target.db, 'postgres');
    const differences = tableDifferences(sourceTables, targetTables);
    if (differences.length > 0) throw new StoreCopyError('schema', `the two schemas differ: ${differences.join('; ')}`);
    const order = await insertOrder(target.db, targetTables);
    return await copyInOneTransaction(sqlite, options, order);
  } finally {
    await target.close();
    await source.destroy();
  }
}

function openSource(path: string): SqliteDatabase.Database {
  try {
    return new SqliteDatabase(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new StoreCopyError('source', `cannot open the source ${path}: ${(error as Error).message}`);
  }
}

async function refuseRows(db: Kysely<any>, present: readonly StoreTable[], usher: readonly StoreTable[]) {
  const names = new Set(usher.map((table) => table.name));
  for (const table of present.filter((t) => names.has(t.name))) {
    const rows = await db
      .selectFrom(table.name)
      .select((eb) => eb.lit(1).as('one'))
      .limit(1)
      .execute();
    if (rows.length > 0) {
      const detail = `the target is not empty (table ${table.name} has rows): copy only into an empty database`;
      throw new StoreCopyError('target', detail);
    }
  }
}

async function copyInOneTransaction(sqlite: SqliteDatabase.Database, options: StoreCopyOptions, order: StoreTable[]) {
  const client = new pg.Client({ connectionString: options.to });
  await client.connect();
  try {
    await client.query('begin');
    // Nobody writes to the target while we fill it, and nobody can have since the check above.
    await client.query(`lock table ${order.map((table) => quote(table.name)).join(', ')} in exclusive mode`);
    for (const table of order) {
      const { rows } = await client.query(`select exists (select 1 from ${quote(table.name)}) as taken`);
      if (rows[0].taken) throw new StoreCopyError('target', `the target is not empty (table ${table.name} has rows)`);
    }
    // One read transaction on the source: every table is read at the same moment.
    sqlite.exec('begin');
    const tables: TableCount[] = [];
    for (const table of order) {
      const source = (sqlite.prepare(`select count(*) as n from ${quote(table.name)}`).get() as { n: number }).n;
      await copyTable(sqlite, client, table, options);
      const target = Number((await client.query(`select count(*) as n from ${quote(table.name)}`)).rows[0].n);
      tables.push({ table: table.name, source, target });
    }
    const sequences = await advanceSequences(sqlite, client);
    sqlite.exec('commit');
    if (tables.some((count) => count.source !== count.target)) {
      const lines = tables.map(describeCount).join('\n');
      throw new StoreCopyError('counts', `row counts differ; nothing was kept:\n${lines}`);
    }
    await client.query('commit');
    return { tables, sequences };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    if (sqlite.inTransaction) sqlite.exec('rollback');
    throw error;
  } finally {
    await client.end();
  }
}

async function copyTable(
  sqlite: SqliteDatabase.Database,
  client: pg.Client,
  table: StoreTable,
  options: StoreCopyOptions,
) {
  const columns = table.columns.map(quote).join(', ');
  const perBatch = Math.max(1, Math.min(options.batchRows ?? 1000, Math.floor(65_000 / table.columns.length)));
  const select = sqlite.prepare(`select ${columns} from ${quote(table.name)}`).raw(true);
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = async () => {
    const width = table.columns.length;
    const tuples = batch.map((_, row) => `(${table.columns.map((_, c) => `$${row * width + c + 1}`).join(', ')})`);
    // OVERRIDING SYSTEM VALUE: an identity column keeps the source's values, as a serial does.
    const insert = `insert into ${quote(table.name)} (${columns}) overriding system value values ${tuples.join(', ')}`;
    await client.query(insert, batch.flat()).catch((error: Error) => {
      const detail = `PostgreSQL refused a row of ${table.name} (${error.message}); nothing was kept`;
      throw new StoreCopyError('copy', detail);
    });
    copied += batch.length;
    batch = [];
    options.onProgress?.(table.name, copied);
  };
  // iterate() streams: one batch of rows is in memory at a time, whatever the table's size.
  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    batch.push(row);
    if (batch.length === perBatch) await flush();
  }
  if (batch.length > 0) await flush();
}

/** Sets every serial or identity sequence past the copied values (and past SQLite's AUTOINCREMENT high-water mark). */
async function advanceSequences(sqlite: SqliteDatabase.Database, client: pg.Client) {
  const { rows } = await client.query<{ table: string; column: string; sequence: string }>(`
    select table_name as table, column_name as column,
           pg_get_serial_sequence(quote_ident(table_name), column_name) as sequence
    from information_schema.columns
    where table_schema = current_schema() and (column_default like 'nextval(%' or is_identity = 'YES')`);
  const hasSequences = sqlite.prepare("select 1 from sqlite_master where name = 'sqlite_sequence'").get() !== undefined;
  const lastHandedOut = hasSequences ? sqlite.prepare('select seq from sqlite_sequence where name = ?') : undefined;
  const highWater = (table: string) => (lastHandedOut?.get(table) as { seq: number } | undefined)?.seq ?? 0;
  const sequences = [];
  for (const { table, column, sequence } of rows) {
    const highest = await client.query(`select coalesce(max(${quote(column)}), 0) as max from ${quote(table)}`);
    const max = Number(highest.rows[0].max);
    const value = Math.max(max, highWater(table));
    // setval(…, 1, false): the next value is 1, for a sequence that has handed out none.
    await client.query('select setval($1, $2, $3)', [sequence, Math.max(value, 1), value > 0]);
    sequences.push({ table, column, value });
  }
  return sequences;
}

const describeCount = (count: TableCount) =>
  `  ${count.table}: ${count.source} in the source, ${count.target} in the target`;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
