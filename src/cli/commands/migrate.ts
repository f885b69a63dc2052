import type { Command } from 'commander';
import { errorMessage } from '#common/errors';
import { contextOf } from '../context';
import { CliError, usageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { displayDatabaseUrl, readServerConfig } from '../server-config';

interface MigrateFlags {
  readonly databaseUrl?: string;
}

const HELP = `
Applies the migrations this Usher has and the database has not run, then says which, or that the schema
is current. Run it as a deployment step before starting processes with USHER_MIGRATE_ON_START=false:
they check the schema at start and refuse to run (exit 2) while migrations are pending.

Several \`usher migrate\` (or starting processes) at once on one PostgreSQL are safe: each waits for the
migration lock, and finds the others' work done. A database migrated by a newer Usher is refused (exit 2).

Examples:
  $ usher migrate
  $ USHER_DATABASE_URL=postgres://usher@db/usher usher migrate --json`;

/** `usher migrate`: bring a database's schema up to this version, as a step of its own. */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (USHER_DATABASE_URL), or say the schema is current')
    .option(
      '--database-url <url>',
      'sqlite:<path> or postgres://… (USHER_DATABASE_URL, default sqlite:./data/usher.db)',
    )
    .addHelpText('after', HELP)
    .action(async (flags: MigrateFlags, command: Command) => {
      const { out } = contextOf(command);
      const { databaseUrl } = readServerConfig(flags.databaseUrl);
      const shown = displayDatabaseUrl(databaseUrl);
      // Loaded here: only the commands that open a database pay for the drivers.
      const { describeSchemaMismatch, migrateToLatest, openStore, schemaStatus } = await import('#db');
      const store = openStore(databaseUrl);
      try {
        const before = await schemaStatus(store.db).catch((error: unknown) => {
          throw new CliError(ExitCode.unreachable, `cannot read the database ${shown}: ${errorMessage(error)}`);
        });
        if (before.unknown.length > 0) throw usageError(`${shown}: ${describeSchemaMismatch(before)}`);
        const applied = await migrateToLatest(store.db);
        // Read again: another process may have applied some of them while we waited for the lock.
        const total = (await schemaStatus(store.db)).applied.length;
        out.result({ database: shown, applied, migrations: total }, () =>
          applied.length === 0
            ? `The schema of ${shown} is current (${total} migrations).\n`
            : `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'} to ${shown}:\n` +
              `${applied.map((name) => `  ${name}\n`).join('')}The schema is current (${total} migrations).\n`,
        );
      } finally {
        await store.close();
      }
    });
}
