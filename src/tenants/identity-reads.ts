/**
 * Identities by id alone, in whichever tenant holds them, for the protocol paths (ActivityPub,
 * providers, Unipile) whose ids come from our own rows or are server-wide user ids. Each reads only
 * the columns its caller names, in one statement as the callers did; never the private key.
 */
import type { Db, IdentityRow } from '#db';

type IdentityColumn = Exclude<keyof IdentityRow & string, 'private_key'>;

/** The identity with this id, its `columns` only; null when there is none. */
export async function findIdentityById<C extends IdentityColumn>(db: Db, id: string, columns: readonly C[]) {
  return (await db.selectFrom('identities').select(columns).where('id', '=', id).executeTakeFirst()) ?? null;
}

/** The identities among `ids`, their `columns` only, in no order. */
export async function findIdentitiesById<C extends IdentityColumn>(
  db: Db,
  ids: readonly string[],
  columns: readonly C[],
) {
  return db
    .selectFrom('identities')
    .select(columns)
    .where('id', 'in', [...ids])
    .execute();
}

/** How many identities are active on this server, across tenants: NodeInfo's user count. */
export async function countActiveIdentities(db: Db): Promise<number> {
  const { count } = await db
    .selectFrom('identities')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(count);
}
