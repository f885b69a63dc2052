import { expect, it } from 'vitest';
import { describeEachStore, useScratchStore } from '#support/stores';
import type { TenantRow } from './schema';
import { insertRow, insertRows, preparedQuery } from './prepared-query';

const tenant = (id: string, name: string): TenantRow => ({
  id,
  name,
  settings: '{}',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-02T00:00:00.000Z',
});

describeEachStore('prepared queries', (engine) => {
  const store = useScratchStore(engine);

  it("binds each call's values where the parameters were, and keeps the query's own constants", async () => {
    const db = store.current.db;
    await insertRow(db, 'tenants', tenant('t-1', 'One'));
    await insertRow(db, 'tenants', tenant('t-2', 'Two'));
    let builds = 0;
    const named = preparedQuery((db, p: { name: string }) => {
      builds += 1;
      return db
        .selectFrom('tenants')
        .select(['id', 'name'])
        .where('name', '=', p.name)
        .where('created_at', '=', '2026-01-01T00:00:00.000Z');
    });
    expect(await named.execute(db, { name: 'One' })).toEqual([{ id: 't-1', name: 'One' }]);
    expect(await named.executeTakeFirst(db, { name: 'Two' })).toEqual({ id: 't-2', name: 'Two' });
    expect(await named.executeTakeFirst(db, { name: 'Three' })).toBeUndefined();
    // Inside a transaction too, and still compiled only the once.
    await db
      .transaction()
      .execute(async (trx) => expect(await named.execute(trx, { name: 'Two' })).toEqual([{ id: 't-2', name: 'Two' }]));
    expect(builds).toBe(1);
  });

  it('binds a parameter used twice in both places, and counts the rows a write changed', async () => {
    const db = store.current.db;
    await insertRow(db, 'tenants', tenant('t-3', 't-3'));
    const renamed = preparedQuery((db, p: { id: string; name: string }) =>
      db.updateTable('tenants').set({ name: p.name }).where('id', '=', p.id).where('name', '=', p.id),
    );
    expect(await renamed.numAffectedRows(db, { id: 't-3', name: 'Renamed' })).toBe(1n);
    expect(await renamed.numAffectedRows(db, { id: 't-3', name: 'Again' })).toBe(0n);
    expect(await db.selectFrom('tenants').select('name').where('id', '=', 't-3').executeTakeFirst()).toEqual({
      name: 'Renamed',
    });
  });

  it('refuses a parameter that the query changed instead of binding it whole', async () => {
    const db = store.current.db;
    const prefixed = preparedQuery((db, p: { name: string }) =>
      db.selectFrom('tenants').selectAll().where('name', 'like', `${p.name}%`),
    );
    await expect(prefixed.execute(db, { name: 'O' })).rejects.toThrow(/not bound as a whole value/);
    const counted = preparedQuery((db, p: { limit: number }) =>
      db.selectFrom('tenants').selectAll().limit(Number(p.limit)),
    );
    await expect(counted.execute(db, { limit: 1 })).rejects.toThrow(/limit were read but not bound/);
  });

  it('inserts rows of different shapes, leaving out undefined columns as Kysely does', async () => {
    const db = store.current.db;
    await insertRow(db, 'contacts', {
      id: 'c-1',
      tenant_id: 't-1',
      name: 'Ada',
      email: 'ada@example.test',
      email_normalized: 'ada@example.test',
      did: null,
      actor_iri: null,
      provider_handles: '{}',
      tags: '[]',
      created_at: 'x',
      updated_at: 'x',
    });
    await insertRow(db, 'contacts', {
      id: 'c-2',
      tenant_id: 't-1',
      name: undefined as never,
      email: null,
      email_normalized: null,
      did: 'did:key:z1',
      actor_iri: null,
      provider_handles: '{}',
      tags: '[]',
      created_at: 'y',
      updated_at: 'y',
    });
    const rows = await db
      .selectFrom('contacts')
      .select(['id', 'name', 'email', 'did', 'created_at'])
      .where('tenant_id', '=', 't-1')
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 'c-1', name: 'Ada', email: 'ada@example.test', did: null, created_at: 'x' },
      { id: 'c-2', name: null, email: null, did: 'did:key:z1', created_at: 'y' },
    ]);
    // The store's own errors come through: a second row with the same key is refused.
    await expect(insertRow(db, 'tenants', tenant('t-1', 'Again'))).rejects.toThrow();
  });

  it('inserts several rows in one statement, and rows naming different columns as Kysely would', async () => {
    const db = store.current.db;
    await insertRows(db, 'tenants', [tenant('t-4', 'Four'), tenant('t-5', 'Five')]);
    const key = (id: string, lastUsedAt?: string) => ({
      id,
      tenant_id: 't-4',
      name: id,
      prefix: 'p',
      key_hash: `hash-${id}`,
      operator: 0,
      created_at: 'x',
      last_used_at: lastUsedAt as string,
      revoked_at: null,
      scopes: null,
      grantable_roles: null,
      allowed_targets: null,
      invite_quota: null,
    });
    // The second key names no last_used_at: Kysely writes DEFAULT (PostgreSQL) or NULL (SQLite) for it.
    await insertRows(db, 'api_keys', [key('k-1', 'used'), key('k-2')]);
    expect(
      await db.selectFrom('tenants').select(['id', 'name']).where('id', 'in', ['t-4', 't-5']).orderBy('id').execute(),
    ).toEqual([
      { id: 't-4', name: 'Four' },
      { id: 't-5', name: 'Five' },
    ]);
    expect(
      await db
        .selectFrom('api_keys')
        .select(['id', 'last_used_at'])
        .where('tenant_id', '=', 't-4')
        .orderBy('id')
        .execute(),
    ).toEqual([
      { id: 'k-1', last_used_at: 'used' },
      { id: 'k-2', last_used_at: null },
    ]);
  });
});
