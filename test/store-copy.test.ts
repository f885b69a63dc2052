import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '#db/migrations/index';
import { apiClient, type ApiClient } from '#support/api-client';
import { createCliHome, type CliHome } from '#support/cli';
import { closedPort } from '#support/ports';
import { startUsher, stopAllUshers, type RunningUsher } from '#support/process';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';
import { tokenOf } from '#support/usher';

// The last resort: nothing this file started outlives it, whatever failed.
afterAll(stopAllUshers);

const postgresUrl = process.env.USHER_TEST_POSTGRES_URL;
// Locally without PostgreSQL this suite is a visible skip; under CI a missing server is a failure.
if (!postgresUrl && process.env.CI) throw new Error('store-copy.test.ts needs USHER_TEST_POSTGRES_URL under CI');

/** Every row of every table (but Kysely's own), sorted, so two stores can be compared value for value. */
async function everyRow(url: string): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  const sort = (list: unknown[]) => list.map((row) => JSON.stringify(row)).sort();
  if (url.startsWith('sqlite:')) {
    const db = new SqliteDatabase(url.slice('sqlite:'.length), { readonly: true });
    const tables = db
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'",
      )
      .all() as { name: string }[];
    for (const { name } of tables) rows[name] = sort(db.prepare(`select * from "${name}"`).all());
    db.close();
    return rows;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const tables = await client.query<{ name: string }>(
    "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%'",
  );
  for (const { name } of tables.rows) rows[name] = sort((await client.query(`select * from "${name}"`)).rows);
  await client.end();
  return rows;
}

describe.skipIf(!postgresUrl)('usher store copy: a SQLite store moved to PostgreSQL keeps working', () => {
  let home: CliHome;
  let source: ScratchDatabase;
  let peerStore: ScratchDatabase;
  let target: ScratchDatabase;
  let port: number;
  let peer: RunningUsher;
  let b: ApiClient;

  // What the SQLite Usher made, to look for on PostgreSQL.
  const made = {} as {
    apiKey: string;
    linkToken: string;
    linkId: string;
    acceptedEmailId: string;
    actorPath: string;
    actor: unknown;
    connectionId: string;
    highestNumber: number;
  };

  beforeAll(async () => {
    home = createCliHome();
    [source, peerStore, target] = await Promise.all([
      createScratchDatabase('sqlite'),
      createScratchDatabase('sqlite'),
      createScratchDatabase('postgres'),
    ]);
    port = await closedPort();
    const env = { USHER_ALLOW_PRIVATE_NETWORK: 'true', PORT: String(port) };
    const [usher, other] = await Promise.all([
      startUsher({ databaseUrl: source.url, env, startupTimeoutMs: 40_000 }),
      startUsher({
        databaseUrl: peerStore.url,
        env: { USHER_ALLOW_PRIVATE_NETWORK: 'true' },
        startupTimeoutMs: 40_000,
      }),
    ]);
    peer = other;
    b = apiClient(peer);
    const a = apiClient(usher);
    const created = async (path: string, body: unknown) => {
      const response = await a.call('POST', path, body);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body;
    };

    made.apiKey = (await created('/v1/api-keys', { name: 'kept' })).key;
    const link = await created('/v1/invitations', { channel: 'link', role: 'guest', usesAllowed: 3 });
    made.linkToken = tokenOf(link.url);
    made.linkId = link.id;
    await created('/v1/invitations', { channel: 'link', role: 'guest' });
    const ann = await created('/v1/invitations', { recipient: { email: 'ann@example.com' }, role: 'contributor' });
    await created('/v1/invitations', { recipient: { email: 'bob@example.com' } });
    made.acceptedEmailId = ann.id;
    const mailbox = await a.until(
      () => a.call('GET', '/v1/mailbox'),
      (r) => r.body.data.some((m: any) => m.to === 'ann@example.com'),
      'mailed Ann',
    );
    const mail = mailbox.body.data.find((m: any) => m.to === 'ann@example.com');
    const annToken = /\/i\/([A-Za-z0-9_-]+)/.exec(mail.html)![1]!;
    const accepted = await a.call('POST', `/v1/public/invitations/${annToken}/accept`, {});
    expect(accepted.status, JSON.stringify(accepted.body)).toBeLessThan(300);
    await created('/v1/contacts', { name: 'Carol', email: 'carol@example.com' });
    await created('/v1/webhooks', { url: `${peer.url}/nowhere`, events: ['invitation.accepted'] });

    const handle = (await a.call('GET', '/v1/identities')).body.data[0].handle;
    made.actorPath = `/ap/users/${handle}`;
    made.actor = await (
      await fetch(`${usher.url}${made.actorPath}`, { headers: { accept: 'application/activity+json' } })
    ).json();

    const oob = await created('/v1/invitations', { channel: 'didcomm', label: 'A corp' });
    const theirs = await b.call('POST', '/v1/didcomm/accept', { invitationUrl: oob.url, label: 'B corp' });
    expect(theirs.status, JSON.stringify(theirs.body)).toBe(201);
    await b.until(
      () => b.call('GET', `/v1/connections/${theirs.body.id}`),
      (r) => r.body.state === 'completed',
      'completed on B',
    );
    const ours = await a.until(
      () => a.call('GET', `/v1/connections?invitationId=${oob.id}`),
      (r) => r.body.data[0]?.state === 'completed',
      'completed on A',
    );
    made.connectionId = ours.body.data[0].id;

    const listed = (await a.call('GET', '/v1/invitations?limit=100')).body.data as { number: number }[];
    made.highestNumber = Math.max(...listed.map((invitation) => invitation.number));
    // Quiescent: the source's process is gone before the copy reads it.
    await usher.stop();
  }, 120_000);

  afterAll(async () => {
    await stopAllUshers();
    await Promise.all([source, peerStore, target].map((scratch) => scratch?.drop()));
    home?.remove();
  });

  it('copies every row as it is, prints the counts, and refuses to copy again into the filled target', async () => {
    const copied = await home.run(['store', 'copy', '--from', source.url, '--to', target.url]);
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toMatch(/^TABLE +SOURCE +TARGET$/m);
    expect(copied.stdout).toMatch(/^invitations +5 +5$/m);
    expect(copied.stderr).toContain('every count matches');
    const [before, after] = await Promise.all([everyRow(source.url), everyRow(target.url)]);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    // Value for value: hashed keys and tokens, private keys, webhook secrets, JSON and timestamps as text.
    for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
    expect(before.didcomm_keys!.length).toBeGreaterThan(0);
    expect(before.ap_keys!.length).toBeGreaterThan(0);

    const again = await home.run(['store', 'copy', '--from', source.url, '--to', target.url]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/the target is not empty \(table \w+ has rows\)/);
    expect(await everyRow(target.url)).toEqual(after);
  }, 60_000);

  it('serves the copy on PostgreSQL: keys, links, memberships, actor keys, DIDComm and numbering carry on', async () => {
    const usher = await startUsher({
      databaseUrl: target.url,
      env: { USHER_ALLOW_PRIVATE_NETWORK: 'true', PORT: String(port) },
      startupTimeoutMs: 40_000,
    });
    const a = apiClient(usher);
    const withKey = await fetch(`${usher.url}/v1/invitations/${made.linkId}`, {
      headers: { authorization: `Bearer ${made.apiKey}` },
    });
    expect(withKey.status).toBe(200);

    expect((await a.call('GET', `/v1/public/invitations/${made.linkToken}`)).status).toBe(200);
    const accepted = await a.call('POST', `/v1/public/invitations/${made.linkToken}/accept`, {
      subject: 'after-the-move',
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBeLessThan(300);

    expect((await a.call('GET', `/v1/invitations/${made.acceptedEmailId}`)).body).toMatchObject({
      status: 'accepted',
      usesCount: 1,
    });
    const members = (await a.call('GET', '/v1/memberships?limit=100')).body.data as any[];
    expect(members.map((m) => m.member?.email ?? m.member?.subject ?? null)).toEqual(
      expect.arrayContaining(['ann@example.com']),
    );

    const actor = await (
      await fetch(`${usher.url}${made.actorPath}`, { headers: { accept: 'application/activity+json' } })
    ).json();
    expect(actor).toEqual(made.actor);

    // B answers the ping encrypted to A's keys: only the copied private keys can read the answer.
    expect((await a.call('GET', '/v1/connections')).body.data.map((c: any) => c.id)).toContain(made.connectionId);
    expect((await a.call('POST', `/v1/connections/${made.connectionId}/ping`)).status).toBe(202);
    await a.until(
      () => a.call('GET', `/v1/connections/${made.connectionId}`),
      (r) => r.body.lastPingResponseAt !== null,
      'pinged back',
    );

    const next = await a.call('POST', '/v1/invitations', { channel: 'link' });
    expect(next.status).toBe(201);
    expect(next.body.number).toBe(made.highestNumber + 1);
  }, 90_000);
});

describe.skipIf(!postgresUrl)(
  'usher store copy refuses what it cannot copy faithfully, and leaves the target empty',
  () => {
    it('refuses a source behind the code, a table on one side only, and undoes a copy PostgreSQL refused a row of', async () => {
      const home = createCliHome();
      const [behind, extra, bad, target] = await Promise.all([
        createScratchDatabase('sqlite'),
        createScratchDatabase('sqlite'),
        createScratchDatabase('sqlite'),
        createScratchDatabase('postgres'),
      ]);
      const sqlite = (scratch: ScratchDatabase, statement: string) => {
        const db = new SqliteDatabase(scratch.url.slice('sqlite:'.length));
        db.exec(statement);
        db.close();
      };
      const targetRows = async () =>
        Object.values(await everyRow(target.url)).reduce((sum, rows) => sum + rows.length, 0);
      try {
        sqlite(behind, 'create table if not exists placeholder (id text)');
        const early = await home.run(['store', 'copy', '--from', behind.url, '--to', target.url]);
        expect(early.code).toBe(2);
        expect(early.stderr).toContain(
          `${Object.keys(migrations).length} migrations pending; run \`usher migrate\` --database-url ${behind.url} on it first`,
        );
        expect(Object.keys(await everyRow(target.url))).toEqual([]);

        for (const scratch of [extra, bad])
          expect((await home.run(['init', '--no-save', '--database-url', scratch.url])).code).toBe(0);
        sqlite(extra, 'create table notes (id text)');
        const drifted = await home.run(['store', 'copy', '--from', extra.url, '--to', target.url]);
        expect(drifted.code).toBe(1);
        expect(drifted.stderr).toContain('table notes exists only in the source');

        // SQLite keeps text in an integer column; PostgreSQL refuses it, after the tenant was inserted.
        sqlite(bad, "update api_keys set operator = 'yes'");
        const refused = await home.run(['store', 'copy', '--from', bad.url, '--to', target.url]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('PostgreSQL refused a row of api_keys');
        expect(await targetRows()).toBe(0);
        // The target is left migrated and empty: a corrected source copies into it.
        sqlite(bad, 'update api_keys set operator = 1');
        expect((await home.run(['store', 'copy', '--from', bad.url, '--to', target.url])).code).toBe(0);
        expect(await targetRows()).toBeGreaterThan(0);
      } finally {
        home.remove();
        await Promise.all([behind, extra, bad, target].map((scratch) => scratch.drop()));
      }
    }, 90_000);
  },
);
