/**
 * The floor: what Usher's own create and accept cost at the least, so the bench can say how much
 * of the gap to the bare baseline is Usher's layers and how much is the work itself.
 *
 * Same framework as the baseline (Hono on @hono/node-server), but on Usher's schema (its
 * migrations, every index) and writing what Usher writes for a link invitation, as hand-prepared
 * statements with no query builder, no validation layer and no middleware:
 *
 *   POST /create         the API key looked up by its hash (with the tenant's settings), then in one
 *                        transaction: the invitation's number, its row, its token's hash, its
 *                        `created` event, and the webhook endpoints a `created` event fans out to
 *   POST /accept/:token  in one transaction: the invitation found and locked by its token's hash,
 *                        moved to accepted (uses and version counted), the membership upserted, the
 *                        redemption and `accepted` event written, the webhook endpoints read; then
 *                        the tenant's active key read and an Ed25519 acceptance token signed
 *
 * Transactions share COMMITs as Usher's do on SQLite (src/db/group-commit.ts): each but the first
 * runs inside a SAVEPOINT of one open transaction, which commits at the end of a turn of the event
 * loop that brought it no new member, and nobody is answered before that; the writer keeps
 * temporary storage in memory, as Usher's does. What the floor leaves out is what Usher could in
 * principle cache or skip: the default identity and tenant re-read per request, zod validation,
 * idempotency, request ids, metrics, body limits. SQLite only. Run as a child: FLOOR_DATABASE_PATH=<file>.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import SqliteDatabase from 'better-sqlite3';
import { Hono } from 'hono';
import { Kysely, SqliteDialect } from 'kysely';
import { signCompactJws } from '../src/acceptance/jws';
import { getActiveSigningKey } from '../src/acceptance/signing-keys';
import { bootstrapFirstTenant } from '../src/bootstrap';
import { migrateToLatest, openSqlite, openSqliteWriter, type Database } from '../src/db';
import { BENCH_API_KEY } from './bench-key';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const DAY_MS = 24 * 60 * 60 * 1000;
/** Members after which a group commits at the end of its turn, as Usher's (src/db/group-commit.ts). */
const GROUP_LIMIT = 64;

/** Usher's schema, its first tenant and key, and the tenant's signing key, made by Usher's own code. */
async function prepareStore(path: string): Promise<void> {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(path) }) });
  try {
    await migrateToLatest(db);
    const created = await bootstrapFirstTenant(db, BENCH_API_KEY, new Date());
    const tenant = created?.tenant.id ?? (await db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id;
    await getActiveSigningKey(db, tenant, new Date());
  } finally {
    await db.destroy();
  }
}

/**
 * One open transaction that requests share, committed as Usher's group is: at the end of a turn of
 * the event loop that brought no new member, or once it has GROUP_LIMIT members. The floor keeps no
 * line, so a request arriving in a full group's last turn still joins it.
 */
function groupCommit(sqlite: SqliteDatabase.Database) {
  let waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  let membersAtLastTurn = 0;
  const endOfTurn = () => {
    if (waiting.length > membersAtLastTurn && waiting.length < GROUP_LIMIT) {
      membersAtLastTurn = waiting.length;
      setImmediate(endOfTurn);
      return;
    }
    membersAtLastTurn = 0;
    const members = waiting;
    waiting = [];
    try {
      sqlite.exec('commit');
      for (const member of members) member.resolve();
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('rollback');
      for (const member of members) member.reject(error);
    }
  };
  // As Usher's: the group's first member runs without a savepoint and, failing, rolls back the transaction.
  return <T>(work: () => T): Promise<T> => {
    const first = waiting.length === 0;
    sqlite.exec(first ? 'begin immediate' : 'savepoint member');
    let result: T;
    try {
      result = work();
      if (!first) sqlite.exec('release member');
    } catch (error) {
      if (first) sqlite.exec('rollback');
      else sqlite.exec('rollback to member; release member');
      return Promise.reject(error);
    }
    if (first) setImmediate(endOfTurn);
    return new Promise<T>((resolve, reject) => waiting.push({ resolve: () => resolve(result), reject }));
  };
}

interface InvitationRow {
  id: string;
  tenant_id: string;
  status: string;
  target_type: string;
  target_key: string;
  target_iri: string | null;
  target_name: string | null;
  role: string | null;
  uses_allowed: number | null;
  uses_count: number;
  version: number;
  expires_at: string;
}

function openFloor(path: string) {
  const sqlite = openSqliteWriter(path);
  const inTransaction = groupCommit(sqlite);
  const statement = (text: string) => sqlite.prepare(text);
  const auth = statement(
    'select api_keys.id, api_keys.tenant_id, api_keys.revoked_at, tenants.settings from api_keys join tenants on tenants.id = api_keys.tenant_id where api_keys.key_hash = ?',
  );
  const identity = statement('select id from identities where tenant_id = ? and is_default = 1');
  const number = statement('insert into invitation_numbers (invitation_id) values (?) returning number').pluck();
  const insertInvitation =
    statement(`insert into invitations (id, number, tenant_id, identity_id, channel, direction, status, target_type, target_key,
    public, uses_allowed, uses_count, expires_at, metadata, version, created_at, updated_at)
    values (?, ?, ?, ?, 'link', 'outgoing', 'pending', 'tenant', ?, 0, 1, 0, ?, '{}', 0, ?, ?)`);
  const insertToken = statement(
    "insert into invitation_tokens (token_hash, invitation_id, tenant_id, minted_for, created_at) values (?, ?, ?, 'link', ?)",
  );
  const insertEvent = statement(
    'insert into invitation_events (id, tenant_id, invitation_id, type, previous_status, new_status, actor, data, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const endpoints = statement(
    "select * from webhook_endpoints where tenant_id = ? and status = 'active' order by created_at, id",
  );
  const byToken = statement(
    'select invitations.* from invitation_tokens join invitations on invitations.id = invitation_tokens.invitation_id where invitation_tokens.token_hash = ? and invitation_tokens.revoked_at is null',
  );
  const accept = statement(
    "update invitations set status = 'accepted', uses_count = ?, version = ?, updated_at = ? where id = ? and version = ?",
  );
  const membership =
    statement(`insert into memberships (id, tenant_id, target_key, target_type, target_iri, target_name, member_key, member_subject, role, rules, invitation_id, created_at, updated_at)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?)
    on conflict (tenant_id, target_key, member_key) do update set role = excluded.role, invitation_id = excluded.invitation_id, updated_at = excluded.updated_at returning id`).pluck();
  const redemption = statement(
    'insert into redemptions (id, tenant_id, invitation_id, acceptor, membership_id, created_at) values (?, ?, ?, ?, ?, ?)',
  );
  const signingKey = statement(
    "select kid, private_key from signing_keys where tenant_id = ? and status = 'active' order by created_at desc, kid desc limit 1",
  );

  return {
    authenticate(secret: string): string | null {
      const key = auth.get(sha256(secret)) as
        { tenant_id: string; revoked_at: string | null; settings: string } | undefined;
      return key && key.revoked_at === null ? key.tenant_id : null;
    },
    create(tenantId: string, base: string) {
      const token = randomBytes(32).toString('base64url');
      const id = randomUUID();
      const now = new Date();
      const at = now.toISOString();
      const expiresAt = new Date(now.getTime() + 7 * DAY_MS).toISOString();
      return inTransaction(() => {
        const { id: identityId } = identity.get(tenantId) as { id: string };
        const n = number.get(id) as number;
        insertInvitation.run(id, n, tenantId, identityId, `tenant:${tenantId}`, expiresAt, at, at);
        insertToken.run(sha256(token), id, tenantId, at);
        insertEvent.run(
          randomUUID(),
          tenantId,
          id,
          'invitation.created',
          null,
          'pending',
          '{"type":"api_key"}',
          '{"channel":"link"}',
          at,
        );
        endpoints.all(tenantId);
        return {
          id,
          number: n,
          channel: 'link',
          status: 'pending',
          target: { type: 'tenant', key: `tenant:${tenantId}` },
          expiresAt,
          createdAt: at,
          url: `${base}/i/${token}`,
        };
      });
    },
    async accept(token: string, subject: string, issuer: string) {
      const now = new Date();
      const at = now.toISOString();
      const accepted = await inTransaction(() => {
        const row = byToken.get(sha256(token)) as InvitationRow | undefined;
        if (!row || row.status !== 'pending' || row.expires_at <= at) return null;
        accept.run(row.uses_count + 1, row.version + 1, at, row.id, row.version);
        const memberKey = `subject:${subject}`;
        const membershipId = membership.get(
          randomUUID(),
          row.tenant_id,
          row.target_key,
          row.target_type,
          row.target_iri,
          row.target_name,
          memberKey,
          subject,
          row.role,
          row.id,
          at,
          at,
        ) as string;
        const redemptionId = randomUUID();
        redemption.run(redemptionId, row.tenant_id, row.id, memberKey, membershipId, at);
        insertEvent.run(
          randomUUID(),
          row.tenant_id,
          row.id,
          'invitation.accepted',
          'pending',
          'accepted',
          `{"type":"invitee","key":"${memberKey}"}`,
          '{}',
          at,
        );
        endpoints.all(row.tenant_id);
        return { row, memberKey, membershipId, redemptionId };
      });
      if (!accepted) return null;
      const { row, memberKey, membershipId, redemptionId } = accepted;
      const key = signingKey.get(row.tenant_id) as { kid: string; private_key: string };
      const iat = Math.floor(now.getTime() / 1000);
      const claims = {
        iss: issuer,
        aud: row.tenant_id,
        sub: memberKey,
        iat,
        nbf: iat,
        exp: iat + 300,
        jti: redemptionId,
        invitation: row.id,
        tenant: row.tenant_id,
        target: { type: row.target_type, iri: row.target_iri, name: row.target_name },
        role: row.role,
        rules: [],
        recipient: { key: memberKey, email: null, did: null, actorIri: null, subject, name: null },
        redemption: redemptionId,
        membership: membershipId,
      };
      const acceptanceToken = signCompactJws(
        { alg: 'EdDSA', typ: 'JWT', kid: key.kid },
        claims,
        Buffer.from(key.private_key, 'base64url'),
      );
      return {
        id: row.id,
        status: 'accepted',
        membershipId,
        acceptanceToken: { token: acceptanceToken, expiresAt: new Date((iat + 300) * 1000).toISOString() },
      };
    },
  };
}

async function main(): Promise<void> {
  const path = process.env.FLOOR_DATABASE_PATH ?? '';
  if (!path) throw new Error('FLOOR_DATABASE_PATH is not set');
  await prepareStore(path);
  const floor = openFloor(path);
  let base = '';
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.post('/create', async (c) => {
    const tenantId = floor.authenticate((c.req.header('authorization') ?? '').replace(/^Bearer /, ''));
    if (!tenantId) return c.json({ code: 'unauthorized' }, 401);
    const body = (await c.req.json()) as { channel?: string };
    if (body.channel !== 'link') return c.json({ code: 'invalid_request', field: 'channel' }, 400);
    return c.json(await floor.create(tenantId, base), 201);
  });
  app.post('/accept/:token', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { subject?: string };
    const accepted = await floor.accept(c.req.param('token'), body.subject ?? 'anonymous', base);
    return accepted ? c.json(accepted, 200) : c.json({ code: 'invitation_not_pending' }, 410);
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
  process.stdout.write(`floor listening on ${base}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`floor: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
