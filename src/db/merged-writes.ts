import { LATER, type Held } from './held-statements';

/** PostgreSQL's bound on a statement's parameters (a 16-bit count in the Bind message). */
const MAX_PARAMETERS = 65_535;

/** What a mergeable write's text says: the table it writes to, and whether it may change a row already there. */
interface WriteKind {
  readonly table: string;
  readonly changes: boolean;
}

/** Kinds by text (null: the text cannot merge), as many as MAX_KINDS: the same texts come on every request. */
const kinds = new Map<string, WriteKind | null>();
const MAX_KINDS = 2_000;

/**
 * Whether a held write can share a statement with its neighbours, and its kind if so: nobody waiting for its answer,
 * its values all bound (no quote in its text, so every `$n` in it is a parameter), and an insert, an upsert, or an
 * update that reads no other row (no subquery, so what it changes cannot depend on a neighbour it would no longer
 * see). An update or an upsert (`do update`) may change a row already there.
 */
function kindOf(held: Held): WriteKind | null {
  if (held.answer !== undefined || held.values === undefined) return null;
  let kind = kinds.get(held.text);
  if (kind === undefined) {
    const write = /^(insert into|update) "([^"]+)"/.exec(held.text.slice(LATER.length));
    const update = write?.[1] === 'update';
    const mergeable =
      write !== null &&
      held.text.startsWith(LATER) &&
      !/[';]/.test(held.text) &&
      !(update && /\bselect\b/i.test(held.text));
    kind = mergeable ? { table: write[2]!, changes: update || / do update /.test(held.text) } : null;
    if (kinds.size >= MAX_KINDS) kinds.clear();
    kinds.set(held.text, kind);
  }
  return kind;
}

/** `text` with its parameters `$n` numbered from `offset` on. */
const shifted = (text: string, offset: number): string =>
  offset === 0 ? text : text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);

/** Merged texts by the texts merged (joined by `;`, which no mergeable text holds), as many as MAX_MERGED. */
const merged = new Map<string, string>();
const MAX_MERGED = 500;

/**
 * The statement `run` makes: the first ones as WITH clauses of the last, each one's `$n` after the ones before. A
 * transaction's writes repeat, so the text is made once (bench: renumbering was 3% of an accept's CPU).
 */
function mergedText(run: readonly Held[]): string {
  const key = run.map(({ text }) => text).join(';');
  let text = merged.get(key);
  if (text === undefined) {
    let offset = 0;
    const bodies = run.map(({ text: one, values }) => {
      const body = shifted(one.slice(LATER.length), offset);
      offset += values!.length;
      return body;
    });
    const last = bodies.pop()!;
    text = `${LATER}with ${bodies.map((body, i) => `"w${i + 1}" as (${body})`).join(', ')} ${last}`;
    if (merged.size >= MAX_MERGED) merged.clear();
    merged.set(key, text);
  }
  return text;
}

/**
 * Held statements with each run of mergeable writes in a row made one statement: the first ones as data-modifying
 * WITH clauses of the last (`with "w1" as (insert …), "w2" as (insert …) insert …`). PostgreSQL runs every clause
 * exactly once, with the statement's snapshot, and checks foreign keys at the statement's end, so inserts that
 * referenced each other in separate statements still do. Bench: each statement costs PostgreSQL a Bind, an Execute,
 * an executor start and a Sync answered with a write of its own, about 0.03 ms of CPU on 2 cores (pgbench, five
 * statements against one), and Usher a query through node-pg. Only writes in a row merge: a read between two writes
 * must still see the first and not the second. `nameOf` names the merged text, as any statement is named.
 */
export function mergeWrites(held: readonly Held[], nameOf: (text: string) => string | undefined): Held[] {
  const out: Held[] = [];
  let run: Held[] = [];
  let parameters = 0;
  // The tables the run writes to, and whether a write there may change an existing row: one statement cannot change
  // a row twice (PostgreSQL refuses a second upsert of it and keeps only one of two updates), so such a write never
  // shares a statement with another write to its table.
  const tables = new Map<string, boolean>();
  const flush = () => {
    if (run.length === 1) out.push(run[0]!);
    if (run.length > 1) {
      const text = mergedText(run);
      const name = nameOf(text);
      out.push({ text, values: run.flatMap(({ values }) => values!), ...(name === undefined ? {} : { name }) });
    }
    run = [];
    parameters = 0;
    tables.clear();
  };
  for (const statement of held) {
    const kind = kindOf(statement);
    if (kind === null) {
      flush();
      out.push(statement);
      continue;
    }
    const { table, changes } = kind;
    const written = tables.get(table);
    if (parameters + statement.values!.length > MAX_PARAMETERS || (written !== undefined && (written || changes)))
      flush();
    run.push(statement);
    tables.set(table, (tables.get(table) ?? false) || changes);
    parameters += statement.values!.length;
  }
  flush();
  return out;
}
