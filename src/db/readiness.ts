import { CompiledQuery, type Kysely } from 'kysely';
import { probeGroupConnection } from './group-commit';

/**
 * Resolves when the store can serve, throws the driver's error when it cannot. PostgreSQL (and an
 * in-memory SQLite) answer `select 1`; a SQLite file also has to take a write again once one failed
 * for want of the store, since reads still work on a full disk. Cheap: one statement while healthy.
 */
export async function checkStore(db: Kysely<any>): Promise<void> {
  await db.getExecutor().provideConnection(async (connection) => {
    if (await probeGroupConnection(connection)) return;
    await connection.executeQuery(CompiledQuery.raw('select 1'));
  });
}
