/**
 * The bare baseline: the same HTTP framework as Usher (Hono on @hono/node-server) with the least
 * work an invitation engine must do, so Usher's create and accept can be read as a ratio to it.
 *
 *   POST /create          one prepared INSERT of a row with a fresh random token's SHA-256
 *   POST /accept/:token   SELECT the row by the token's hash, UPDATE it to accepted, in one transaction
 *
 * No auth, no validation beyond JSON parsing, no events, no outbox: everything Usher does beyond
 * this is what the ratio measures. Run as a child: BASELINE_DATABASE_URL=sqlite:<file>|postgres://…
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import SqliteDatabase from 'better-sqlite3';
import { Hono } from 'hono';
import pg from 'pg';

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** One store operation per route; `accept` answers null when the token opens nothing still pending. */
interface BaselineStore {
  create(row: { id: string; tokenHash: string; channel: string; at: string }): Promise<void>;
  accept(tokenHash: string, subject: string, at: string): Promise<string | null>;
}

const TABLE = `create table if not exists invitations (
  id text primary key, token_hash text not null unique, channel text not null, status text not null,
  subject text, uses_count integer not null default 0, created_at text not null, updated_at text not null)`;

function openSqlite(path: string): BaselineStore {
  const db = new SqliteDatabase(path);
  // Usher's own pragmas (src/db/index.ts), so the engine is configured the same way.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(TABLE);
  const insert = db.prepare(
    "insert into invitations (id, token_hash, channel, status, created_at, updated_at) values (?, ?, ?, 'pending', ?, ?)",
  );
  const select = db.prepare('select id, status from invitations where token_hash = ?');
  const update = db.prepare(
    "update invitations set status = 'accepted', subject = ?, uses_count = uses_count + 1, updated_at = ? where id = ?",
  );
  const accept = db.transaction((tokenHash: string, subject: string, at: string) => {
    const row = select.get(tokenHash) as { id: string; status: string } | undefined;
    if (!row || row.status !== 'pending') return null;
    update.run(subject, at, row.id);
    return row.id;
  });
  return {
    async create(row) {
      insert.run(row.id, row.tokenHash, row.channel, row.at, row.at);
    },
    async accept(tokenHash, subject, at) {
      return accept.immediate(tokenHash, subject, at);
    },
  };
}

async function openPostgres(url: string): Promise<BaselineStore> {
  // Usher's pool size (src/db/index.ts).
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(TABLE);
  return {
    async create(row) {
      await pool.query({
        name: 'create',
        text: "insert into invitations (id, token_hash, channel, status, created_at, updated_at) values ($1, $2, $3, 'pending', $4, $4)",
        values: [row.id, row.tokenHash, row.channel, row.at],
      });
    },
    async accept(tokenHash, subject, at) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        // FOR UPDATE, as Usher reads the row it accepts on PostgreSQL: accepts of one row queue.
        const found = await client.query<{ id: string; status: string }>({
          name: 'select',
          text: 'select id, status from invitations where token_hash = $1 for update',
          values: [tokenHash],
        });
        const row = found.rows[0];
        if (!row || row.status !== 'pending') {
          await client.query('rollback');
          return null;
        }
        await client.query({
          name: 'update',
          text: "update invitations set status = 'accepted', subject = $1, uses_count = uses_count + 1, updated_at = $2 where id = $3",
          values: [subject, at, row.id],
        });
        await client.query('commit');
        return row.id;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

async function main(): Promise<void> {
  const databaseUrl = process.env.BASELINE_DATABASE_URL ?? '';
  const store = databaseUrl.startsWith('sqlite:')
    ? openSqlite(databaseUrl.slice('sqlite:'.length))
    : await openPostgres(databaseUrl);
  let base = '';
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.post('/create', async (c) => {
    const body = (await c.req.json()) as { channel?: string };
    const token = randomBytes(32).toString('base64url');
    const id = randomUUID();
    await store.create({ id, tokenHash: hash(token), channel: body.channel ?? 'link', at: new Date().toISOString() });
    return c.json({ id, status: 'pending', url: `${base}/i/${token}` }, 201);
  });
  app.post('/accept/:token', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { subject?: string };
    const id = await store.accept(hash(c.req.param('token')), body.subject ?? 'anonymous', new Date().toISOString());
    return id ? c.json({ id, status: 'accepted' }, 200) : c.json({ code: 'invitation_not_pending' }, 410);
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
  process.stdout.write(`baseline listening on ${base}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
