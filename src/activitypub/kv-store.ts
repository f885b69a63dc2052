/**
 * Fedify's KvStore on Usher's database, so every process shares one cache of remote actors and
 * keys and one set of idempotence marks. Values are JSON text; expiry is checked on read and
 * expired rows are swept by `pruneKv`.
 */
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from '@fedify/fedify';
import { sql, type Kysely } from 'kysely';
import type { Database, Engine } from '#db';
import type { Clock } from '#common/clock';
import { isoTime } from '#common/json';

const encodeKey = (key: KvKey): string => JSON.stringify(key);

/** Fedify's KvStore, with the compare-and-swap it leaves optional always there. */
export type ApKvStore = KvStore & Required<Pick<KvStore, 'cas'>>;

/** A KvStore over the `ap_kv` table. */
export function createKvStore(db: Kysely<Database>, engine: Engine, clock: Clock): ApKvStore {
  const expiry = (options?: KvStoreSetOptions) =>
    options?.ttl ? isoTime(new Date(clock.now().getTime() + options.ttl.total('millisecond'))) : null;
  const live = () => sql<boolean>`(expires_at is null or expires_at > ${isoTime(clock.now())})`;
  const upsert = (key: KvKey, value: unknown, options?: KvStoreSetOptions) =>
    db
      .insertInto('ap_kv')
      .values({ key: encodeKey(key), value: JSON.stringify(value), expires_at: expiry(options) })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), expires_at: eb.ref('excluded.expires_at') })),
      )
      .execute();

  return {
    async get<T = unknown>(key: KvKey): Promise<T | undefined> {
      const row = await db
        .selectFrom('ap_kv')
        .select('value')
        .where('key', '=', encodeKey(key))
        .where(live())
        .executeTakeFirst();
      return row ? (JSON.parse(row.value) as T) : undefined;
    },
    async set(key, value, options) {
      await upsert(key, value, options);
    },
    async delete(key) {
      await db.deleteFrom('ap_kv').where('key', '=', encodeKey(key)).execute();
    },
    // Compare-and-swap in one transaction; on PostgreSQL the row is locked while compared.
    async cas(key, expected, next, options) {
      return db.transaction().execute(async (trx) => {
        let query = trx.selectFrom('ap_kv').select('value').where('key', '=', encodeKey(key)).where(live());
        if (engine === 'postgres') query = query.forUpdate();
        const row = await query.executeTakeFirst();
        const current = row ? (JSON.parse(row.value) as unknown) : undefined;
        if (JSON.stringify(current) !== JSON.stringify(expected)) return false;
        if (next === undefined) await trx.deleteFrom('ap_kv').where('key', '=', encodeKey(key)).execute();
        else
          await trx
            .insertInto('ap_kv')
            .values({ key: encodeKey(key), value: JSON.stringify(next), expires_at: expiry(options) })
            .onConflict((oc) =>
              oc
                .column('key')
                .doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), expires_at: eb.ref('excluded.expires_at') })),
            )
            .execute();
        return true;
      });
    },
    async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
      // Keys are JSON arrays: a prefix's entries start with its encoding minus the closing bracket.
      let query = db.selectFrom('ap_kv').select(['key', 'value']).where(live());
      if (prefix) {
        const start = encodeKey(prefix).slice(0, -1);
        const pattern = `${start.replace(/[\\%_]/g, '\\$&')},%`;
        query = query.where((eb) =>
          eb.or([eb('key', '=', encodeKey(prefix)), sql<boolean>`key like ${pattern} escape '\\'`]),
        );
      }
      for (const row of await query.orderBy('key').execute())
        yield { key: JSON.parse(row.key) as KvKey, value: JSON.parse(row.value) };
    },
  };
}

/** Deletes expired entries; returns how many. */
export async function pruneKv(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db.deleteFrom('ap_kv').where('expires_at', '<=', isoTime(now)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
