import type { Compilable, CompiledQuery, Kysely, QueryResult, RootOperationNode } from 'kysely';
import type { Database } from './schema';
import { LATER } from './held-statements';

/** A Kysely handle or a transaction on it (the same as `Db` in index.ts, which imports this file). */
type Handle = Kysely<Database>;

/** Marks a parameter in the one query built for a template; NULs keep it from meeting real data. */
const MARK = '\u0000usher-param:';
const marker = (name: string) => `${MARK}${name}\u0000`;
const WHOLE_MARKER = /^\u0000usher-param:([^\u0000]*)\u0000$/;

/** Where each bound value of a compiled template comes from: a named parameter or a constant of the query. */
type Slot = { readonly name: string } | { readonly value: unknown };

interface Template {
  readonly sql: string;
  readonly query: RootOperationNode;
  readonly slots: readonly Slot[];
}

/** A query whose SQL is built and compiled once per dialect, then run with new values. */
export interface PreparedQuery<P, O> {
  execute(db: Handle, params: P): Promise<O[]>;
  executeTakeFirst(db: Handle, params: P): Promise<O | undefined>;
  /** Rows inserted, updated or deleted. */
  numAffectedRows(db: Handle, params: P): Promise<bigint>;
  /** Runs a write whose answer nobody waits for: see `insertRowsLater`. */
  executeLater(db: Handle, params: P): Promise<void>;
}

/** Builds the query once with markers for its parameters and records where each one is bound. */
function compileTemplate<P>(db: Handle, build: (db: Handle, params: P) => Compilable<unknown>): Template {
  const read = new Set<string>();
  const used = new Set<string>();
  const params = new Proxy(
    {},
    {
      get: (_, name) => {
        read.add(String(name));
        return marker(String(name));
      },
    },
  ) as P;
  const compiled = build(db, params).compile();
  const slots = compiled.parameters.map((value): Slot => {
    if (typeof value !== 'string' || !value.includes(MARK)) return { value };
    const name = WHOLE_MARKER.exec(value)?.[1];
    // A marker inside a longer value means the query changed the parameter (concatenated it,
    // say), which a template cannot replay.
    if (name === undefined)
      throw new Error(`prepared query: parameter ${JSON.stringify(value)} is not bound as a whole value`);
    used.add(name);
    return { name };
  });
  if (compiled.sql.includes(MARK))
    throw new Error('prepared query: a parameter was written into the SQL text instead of bound');
  // A parameter read but never bound was turned into something else (a number, a boolean) on the way.
  const lost = [...read].filter((name) => !used.has(name));
  if (lost.length > 0) throw new Error(`prepared query: parameters ${lost.join(', ')} were read but not bound`);
  return { sql: compiled.sql, query: compiled.query, slots };
}

/**
 * A query that Kysely builds and compiles once per dialect instead of per call: building and
 * compiling cost 5-26 us a statement (an invitation's 37-column insert the most), some 100 us
 * of a create's or accept's eight or nine statements (bench). `build` writes the query as usual,
 * with `params.<name>` wherever a value is bound; it runs once with markers in their place, and
 * every call binds the values given in the same positions. Only whole bound values can be
 * parameters: not IN-lists (their length changes the SQL), identifiers or SQL fragments.
 *
 * Kysely's plugins would not see these queries (they transform the tree at compile time); Usher
 * uses none.
 */
export function preparedQuery<P extends object, O>(
  build: (db: Handle, params: P) => Compilable<O>,
): PreparedQuery<P, O> {
  // The SQL depends on the dialect, which the adapter stands for; a transaction shares its database's.
  const templates = new WeakMap<object, Template>();
  const compile = (db: Handle, params: P): CompiledQuery<O> => {
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      template = compileTemplate(db, build);
      templates.set(adapter, template);
    }
    const values = params as Record<string, unknown>;
    const parameters = template.slots.map((slot) => ('name' in slot ? values[slot.name] : slot.value));
    return { sql: template.sql, query: template.query, parameters, queryId: { queryId: '' } };
  };
  const run = (db: Handle, params: P): Promise<QueryResult<O>> => db.executeQuery(compile(db, params));
  return {
    execute: async (db, params) => (await run(db, params)).rows,
    executeTakeFirst: async (db, params) => (await run(db, params)).rows[0],
    numAffectedRows: async (db, params) => (await run(db, params)).numAffectedRows ?? 0n,
    executeLater: (db, params) => executeLater(db, compile(db, params)),
  };
}

/** How many shapes of one family of queries are kept; a shape is, say, a table and the columns given. */
const MAX_SHAPES = 500;

/**
 * Prepared queries that differ by shape (which columns an insert or update names, how many rows
 * it writes), made on first use of each shape and kept, the oldest dropped past MAX_SHAPES.
 */
export function preparedShapes<P extends object, O>(
  make: (shape: string) => PreparedQuery<P, O>,
): (shape: string) => PreparedQuery<P, O> {
  const shapes = new Map<string, PreparedQuery<P, O>>();
  return (shape) => {
    let query = shapes.get(shape);
    if (!query) {
      query = make(shape);
      if (shapes.size >= MAX_SHAPES) shapes.delete(shapes.keys().next().value!);
      shapes.set(shape, query);
    }
    return query;
  };
}

/** The columns of a row that are written: Kysely's `values` leaves out those whose value is undefined. */
export const definedColumns = (row: object): string[] =>
  Object.keys(row).filter((column) => (row as unknown as Record<string, unknown>)[column] !== undefined);

/**
 * The parameters a row of `columns` takes, named `${prefix}${column}`, as an object for Kysely's
 * `values` or `set`: the params of a template list no keys, so the columns have to be named.
 */
export const columnParams = (params: object, columns: readonly string[], prefix = ''): Record<string, unknown> =>
  Object.fromEntries(columns.map((column) => [column, (params as Record<string, unknown>)[`${prefix}${column}`]]));

const insertShapes = preparedShapes((shape: string) => {
  const [table, count, ...columns] = shape.split(' ') as [keyof Database, string, ...string[]];
  return preparedQuery((db: Handle, params: Record<string, unknown>) =>
    db
      .insertInto(table)
      .values(Array.from({ length: Number(count) }, (_, i) => columnParams(params, columns, `${i}.`)) as never),
  );
});

/** Runs `compiled` marked LATER: held on PostgreSQL inside a transaction, at once elsewhere (a comment to SQLite). */
async function executeLater(db: Handle, compiled: CompiledQuery<unknown>): Promise<void> {
  await db.executeQuery({ ...compiled, sql: LATER + compiled.sql });
}

/**
 * Inserts rows through a prepared insert for their table, columns and number. Columns whose value
 * is undefined are left out, as Kysely leaves them out; rows that name different columns go
 * through Kysely as they are.
 */
export async function insertRows<T extends keyof Database & string>(
  db: Handle,
  table: T,
  rows: readonly Database[T][],
  when: 'now' | 'later' = 'now',
): Promise<void> {
  if (rows.length === 0) return;
  const columns = definedColumns(rows[0]!);
  const key = columns.join(' ');
  if (rows.some((row, i) => i > 0 && definedColumns(row).join(' ') !== key)) {
    const query = db.insertInto(table).values(rows as never);
    await (when === 'later' ? executeLater(db, query.compile()) : query.execute());
    return;
  }
  const params: Record<string, unknown> = {};
  rows.forEach((row, i) => {
    for (const column of columns) params[`${i}.${column}`] = (row as unknown as Record<string, unknown>)[column];
  });
  const insert = insertShapes(`${table} ${rows.length} ${key}`);
  await (when === 'later' ? insert.executeLater(db, params) : insert.execute(db, params));
}

/**
 * Inserts rows whose insert nobody waits for: inside a transaction on PostgreSQL it is held and written with the
 * transaction's next statement or its COMMIT, one round trip for all (held-statements.ts); elsewhere it runs at
 * once. Only for rows that cannot be refused but by a bug or a failing database (fresh ids, parents written in the
 * same transaction): an error comes out of the statement the insert went with, not this call, so a caller cannot
 * catch a refusal here and turn it into an answer.
 */
export const insertRowsLater = <T extends keyof Database & string>(
  db: Handle,
  table: T,
  rows: readonly Database[T][],
): Promise<void> => insertRows(db, table, rows, 'later');

/** Inserts one row through a prepared insert for its table and columns (see insertRows). */
export const insertRow = <T extends keyof Database & string>(db: Handle, table: T, row: Database[T]): Promise<void> =>
  insertRows(db, table, [row]);
