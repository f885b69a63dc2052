/**
 * Why a request costs what it costs: the SQL statements Usher runs for one request of each kind,
 * counted in this process through Kysely's query log, on a SQLite file opened with Usher's own
 * pragmas. Not a timing; the load phases time the real server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateToLatest, type Database } from '#db';
import { bootstrapFirstTenant } from '../../src/bootstrap';
import { tokenFromBody } from '../http';
import type { Results } from '../results';
import { BENCH_API_KEY } from '../bench-key';
import { inProcessUsher } from './in-process-usher';

export async function countQueries(results: Results, log: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'usher-bench-queries-'));
  const sqlite = new SqliteDatabase(join(dir, 'usher.db'));
  for (const pragma of ['journal_mode = WAL', 'synchronous = NORMAL', 'busy_timeout = 5000', 'foreign_keys = ON'])
    sqlite.pragma(pragma);
  let recording: string[] | null = null;
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqlite }),
    log: (event) => {
      if (event.level === 'query') recording?.push(event.query.sql);
    },
  });
  try {
    await migrateToLatest(db);
    await bootstrapFirstTenant(db, BENCH_API_KEY, new Date());
    const { built, request } = inProcessUsher(db, log);
    /** Runs `work` once unrecorded (caches, first key use) and once recorded, each after an unrecorded `prepare`. */
    const count = async (
      operation: string,
      work: () => Promise<unknown>,
      prepare: () => Promise<unknown> = async () => {},
    ) => {
      await prepare();
      await work();
      await prepare();
      recording = [];
      await work();
      const sql = recording;
      recording = null;
      const byKind: Record<string, number> = {};
      for (const statement of sql) {
        // Past a leading comment: a write marked LATER or a read marked AHEAD (src/db/held-statements.ts).
        const kind = /^\s*(?:\/\*.*?\*\/\s*)?(\w+)/.exec(statement)?.[1]?.toLowerCase() ?? '?';
        byKind[kind] = (byKind[kind] ?? 0) + 1;
      }
      results.queries.push({ operation, statements: sql.length, byKind, sql });
      log(`  ${operation.padEnd(40)} ${String(sql.length).padStart(3)} statements  ${JSON.stringify(byKind)}`);
    };

    const linkTokens: string[] = [];
    const createLink = async () =>
      linkTokens.push(tokenFromBody(await request('POST', '/v1/invitations', { channel: 'link' }))!);
    await count('POST /v1/invitations (link)', createLink);
    let email = 0;
    const createEmail = () =>
      request('POST', '/v1/invitations', { channel: 'email', recipient: { email: `count-${email++}@example.org` } });
    await count('POST /v1/invitations (email)', createEmail);
    for (let i = 0; i < 4; i++) await createLink();
    await count('GET /v1/public/invitations/{token}', () =>
      request('GET', `/v1/public/invitations/${linkTokens[0]}`, undefined, {}),
    );
    let member = 0;
    await count('POST /v1/public/invitations/{token}/accept', () =>
      request(
        'POST',
        `/v1/public/invitations/${linkTokens.pop()}/accept`,
        { subject: `member-${member++}` },
        { 'content-type': 'application/json' },
      ),
    );
    await count('GET /v1/invitations (first page)', () => request('GET', '/v1/invitations'));
    // The unrecorded pass drains what the creates above queued; the recorded one finds exactly one email.
    await count('worker: deliver one invitation email', () => built.worker.runOnce(), createEmail);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
