import { sql, type Kysely } from 'kysely';

/** One table of a migrated store: its name and its columns in the target's order. */
export interface StoreTable {
  readonly name: string;
  readonly columns: readonly string[];
}

/**
 * The tables a migrated store has (not views, not Kysely's own), read from the database itself so the
 * list cannot drift from the migrations. On PostgreSQL, only the schema Usher migrated into.
 */
export async function storeTables(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<StoreTable[]> {
  const current =
    engine === 'postgres' ? await sql<{ schema: string }>`select current_schema() as schema`.execute(db) : null;
  const schema = current?.rows[0]!.schema;
  const tables = await db.introspection.getTables();
  return tables
    .filter((table) => !table.isView && (schema === undefined || table.schema === schema))
    .map((table) => ({ name: table.name, columns: table.columns.map((column) => column.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** What differs between two stores' tables and columns: one line each, none when they match. */
export function tableDifferences(source: readonly StoreTable[], target: readonly StoreTable[]): string[] {
  const byName = (tables: readonly StoreTable[]) => new Map(tables.map((table) => [table.name, table]));
  const [from, to] = [byName(source), byName(target)];
  const lines: string[] = [];
  for (const name of new Set([...from.keys(), ...to.keys()])) {
    const [a, b] = [from.get(name), to.get(name)];
    if (!a || !b) {
      lines.push(`table ${name} exists only in the ${a ? 'source' : 'target'}`);
      continue;
    }
    const missing = (x: StoreTable, y: StoreTable) => x.columns.filter((column) => !y.columns.includes(column));
    for (const column of missing(a, b)) lines.push(`column ${name}.${column} exists only in the source`);
    for (const column of missing(b, a)) lines.push(`column ${name}.${column} exists only in the target`);
  }
  return lines;
}

/**
 * The tables in an order where every table comes after those its foreign keys point to, from
 * PostgreSQL's catalogue of the migrated target (a self-reference does not constrain the order).
 */
export async function insertOrder(db: Kysely<any>, tables: readonly StoreTable[]): Promise<StoreTable[]> {
  const { rows } = await sql<{ child: string; parent: string }>`
    select child.relname as child, parent.relname as parent
    from pg_constraint k
    join pg_class child on child.oid = k.conrelid
    join pg_class parent on parent.oid = k.confrelid
    where k.contype = 'f' and k.connamespace = current_schema()::regnamespace`.execute(db);
  const parents = new Map(tables.map((table) => [table.name, new Set<string>()]));
  for (const { child, parent } of rows) if (child !== parent) parents.get(child)?.add(parent);
  const ordered: StoreTable[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const isReady = (table: StoreTable) => [...parents.get(table.name)!].every((parent) => placed.has(parent));
    const ready = tables.filter((table) => !placed.has(table.name) && isReady(table));
    if (ready.length === 0) throw new Error('the foreign keys between the tables form a cycle: no insert order exists');
    for (const table of ready) {
      ordered.push(table);
      placed.add(table.name);
    }
  }
  return ordered;
}
