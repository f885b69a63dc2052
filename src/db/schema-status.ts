import type { Kysely } from 'kysely';
import type { Database } from './schema';
import { migrations } from './migrations/index';

/** Kysely's record of the migrations a store has run (its Migrator's default table name). */
const MIGRATION_TABLE = 'kysely_migration';

/** How a store's schema stands against this code's migrations. */
export interface SchemaStatus {
  /** Migrations the store has run, in order. */
  readonly applied: readonly string[];
  /** This code's migrations the store has not run yet: `usher migrate` applies them. */
  readonly pending: readonly string[];
  /** Migrations the store has run that this code does not know: a newer Usher migrated it. */
  readonly unknown: readonly string[];
}

/** Reads which migrations a store has run, without changing it (a store never migrated has run none). */
export async function schemaStatus(db: Kysely<Database>): Promise<SchemaStatus> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  const applied = tables.some((table) => table.name === MIGRATION_TABLE)
    ? (
        await (db as unknown as Kysely<{ kysely_migration: { name: string } }>)
          .selectFrom(MIGRATION_TABLE)
          .select('name')
          .orderBy('name')
          .execute()
      ).map((row) => row.name)
    : [];
  const known = Object.keys(migrations).sort();
  return Object.freeze({
    applied,
    pending: known.filter((name) => !applied.includes(name)),
    unknown: applied.filter((name) => !known.includes(name)),
  });
}

/** One line saying why this code cannot run on a store in `status`, or null when the schema is current. */
export function describeSchemaMismatch(status: SchemaStatus): string | null {
  if (status.unknown.length > 0) {
    const names = status.unknown.join(', ');
    const unknown = `${plural(status.unknown.length, 'migration')} this Usher does not know (${names})`;
    return `the database has ${unknown}: a newer Usher migrated it; run that version or a newer one`;
  }
  if (status.pending.length > 0) {
    const pending = plural(status.pending.length, 'migration');
    return `the database schema is behind: ${pending} pending; run \`usher migrate\``;
  }
  return null;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
