/**
 * One owner per table: a table is queried only by the capability folder that owns it; every other
 * capability calls the functions its owner exports. This scans the source for Kysely's table
 * arguments, the project's insert helpers and table names in raw SQL, and fails on any query of a
 * table outside its owner's folder that is not one of the exceptions named below with their reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Each table and the folder under src/ that owns it. */
const OWNERS: Readonly<Record<string, string>> = {
  tenants: 'tenants',
  api_keys: 'tenants',
  identities: 'tenants',
  contacts: 'tenants',
  contact_tags: 'tenants',
  rate_limit_windows: 'tenants',
  invite_quota_windows: 'invitations',
  invitations: 'invitations',
  invitation_tokens: 'invitations',
  invitation_events: 'invitations',
  invitation_numbers: 'invitations',
  did_challenges: 'invitations',
  redemptions: 'invitations',
  email_proofs: 'invitations',
  idempotency_keys: 'invitations',
  memberships: 'memberships',
  outbox: 'delivery',
  delivery_attempts: 'delivery',
  mailbox: 'delivery',
  webhook_endpoints: 'delivery',
  signing_keys: 'acceptance',
  console_sessions: 'web/console',
  didcomm_keys: 'didcomm',
  didcomm_connections: 'didcomm',
  didcomm_held_messages: 'didcomm',
  didcomm_mediators: 'didcomm',
  didcomm_mediated_keys: 'didcomm',
  ap_keys: 'activitypub',
  ap_kv: 'activitypub',
  ap_activities: 'activitypub',
  ap_targets: 'activitypub',
  provider_accounts: 'providers',
  provider_sends: 'providers',
  proven_deletions: 'compat/proven',
  client_limit_windows: 'limits',
  sign_in_failures: 'limits',
  audit_events: 'audit',
  join_requests: 'invitations',
};

/** Files or folders (under src/) allowed to touch tables they do not own, each with why. */
interface Exception {
  readonly path: string;
  readonly tables: readonly string[] | '*';
  readonly reason: string;
}

const EXCEPTIONS: readonly Exception[] = [
  { path: 'db/migrations/', tables: '*', reason: 'migrations are frozen history that shape every table' },
  {
    path: 'compat/proven/queries.ts',
    tables: ['invitations'],
    reason:
      "Proven's reads filter invitations by its own proven_deletions (NOT EXISTS) and count and page them with an " +
      'offset, one statement each; split by owner they would cost a round trip a page, or move its table into ' +
      'invitations',
  },
  {
    path: 'activitypub/object-routes.ts',
    tables: ['identities'],
    reason: 'a target object names its actor by handle: one join on a public GET, where a second read is a round trip',
  },
  {
    path: 'web/console/sessions.ts',
    tables: ['api_keys'],
    reason: "every console request checks its session and that the session's key is not revoked in one join",
  },
];

/** A query of `table` at `file:line`. */
interface TableUse {
  readonly file: string;
  readonly line: number;
  readonly table: string;
}

// Kysely's builders and joins take the table first, as 'name' or 'name as alias'; insertRow(s) take it second.
const BUILDERS = ['selectFrom', 'updateTable', 'insertInto', 'replaceInto', 'mergeInto', 'deleteFrom'];
const JOINS = '(?:inner|left|right|full|cross)Join';
const QUOTED_TABLE = `['"\`]([a-z_]+)(?:\\s+as\\s+\\w+)?['"\`]`;
const BUILDER = new RegExp(`\\b(?:${[...BUILDERS, JOINS].join('|')})\\(\\s*\\[?\\s*${QUOTED_TABLE}`, 'g');
const HELPER = /\binsertRows?(?:Later)?\(\s*[\w.]+\s*,\s*['"`]([a-z_]+)['"`]/g;
const WITH_NAME = /\.with\(\s*['"`]([a-z_]+)['"`]/g;
// Raw SQL: a sql`…` template naming a known table after from, into, update, join or table.
const RAW_SQL = /\bsql(?:<[^`]*?>)?`([^`]*)`/g;
const RAW_TABLE = /\b(?:from|into|update|join|table)\s+"?([a-z_]+)"?/gi;

/** The tables `source` queries, with their line numbers. */
function tableUses(file: string, source: string): TableUse[] {
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  const uses: TableUse[] = [];
  // A WITH query's name (`.with('taken', …)`) is read like a table but is the statement's own.
  const named = new Set([...source.matchAll(WITH_NAME)].map((match) => match[1]!));
  for (const pattern of [BUILDER, HELPER]) {
    for (const match of source.matchAll(pattern))
      if (!named.has(match[1]!)) uses.push({ file, line: lineOf(match.index), table: match[1]! });
  }
  for (const match of source.matchAll(RAW_SQL)) {
    for (const named of match[1]!.matchAll(RAW_TABLE)) {
      if (named[1]! in OWNERS) uses.push({ file, line: lineOf(match.index), table: named[1]! });
    }
  }
  return uses;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const covers = (e: Exception, use: TableUse) =>
  use.file.startsWith(e.path) && (e.tables === '*' || e.tables.includes(use.table));
const excused = (use: TableUse) => EXCEPTIONS.some((e) => covers(e, use));
const owned = (use: TableUse) => use.file.startsWith(`${OWNERS[use.table]}/`);

/** Every query of a table outside its owner's folder that no exception covers, as `file:line table`. */
function strays(uses: readonly TableUse[]): string[] {
  return uses
    .filter((use) => !owned(use) && !excused(use))
    .map((use) => `${use.file}:${use.line} ${use.table} (owner: ${OWNERS[use.table] ?? 'none'})`);
}

const uses = sourceFiles(SRC).flatMap((path) => tableUses(relative(SRC, path), readFileSync(path, 'utf8')));

describe('one owner per table', () => {
  it('names an owner for every table of the schema', () => {
    const schema = readFileSync(join(SRC, 'db', 'schema.ts'), 'utf8');
    const database = /export interface Database \{([^}]*)\}/.exec(schema)![1]!;
    const tables = [...database.matchAll(/^\s*([a-z_]+):/gm)].map((m) => m[1]!);
    expect(tables.length).toBeGreaterThan(20);
    expect(Object.keys(OWNERS).sort()).toEqual(tables.sort());
  });

  it("queries each table only in its owner's folder, or through an exception named with its reason", () => {
    expect(uses.length).toBeGreaterThan(100);
    expect(strays(uses)).toEqual([]);
  });

  it('keeps no exception that nothing needs', () => {
    const unused = EXCEPTIONS.filter((e) => !uses.some((use) => !owned(use) && covers(e, use)));
    expect(unused.map((e) => e.path)).toEqual([]);
  });

  it('sees a stray in each form the scan knows: builders, joins, aliases, subqueries, helpers and raw SQL', () => {
    const stray = `
      await db.selectFrom('invitations').selectAll().execute();
      await trx.updateTable("invitations").set({ a: 1 }).execute();
      await db.selectFrom('invitation_events as e').innerJoin('invitations as i', 'i.id', 'e.invitation_id');
      await db.selectFrom('contacts').leftJoin('memberships', 'a', 'b');
      await db.deleteFrom('outbox').where('id', 'in', (eb) => eb.selectFrom('delivery_attempts').select('id'));
      await insertRow(trx, 'redemptions', row);
      await sql\`update invitations set status = 'x'\`.execute(db);
    `;
    const where = (s: string) => s.split(' ').slice(0, 2).join(' ');
    expect(strays(tableUses('observability/example.ts', stray)).map(where)).toEqual([
      'observability/example.ts:2 invitations',
      'observability/example.ts:3 invitations',
      'observability/example.ts:4 invitation_events',
      'observability/example.ts:4 invitations',
      'observability/example.ts:5 contacts',
      'observability/example.ts:5 memberships',
      'observability/example.ts:6 outbox',
      'observability/example.ts:6 delivery_attempts',
      'observability/example.ts:7 redemptions',
      'observability/example.ts:8 invitations',
    ]);
    const tables = strays(tableUses('invitations/example.ts', stray)).map((s) => s.split(' ')[1]);
    expect(tables).toEqual(['contacts', 'memberships', 'outbox', 'delivery_attempts']);
  });
});
