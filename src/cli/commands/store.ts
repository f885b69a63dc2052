import type { Command } from 'commander';
import { contextOf } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';
import { displayDatabaseUrl } from '../server-config';

interface CopyFlags {
  readonly from: string;
  readonly to: string;
}

const COPY_HELP = `
Copies a SQLite store into an empty PostgreSQL database, for a store that outgrew one machine:
every table (tenants, keys, invitations and their tokens, memberships, contacts, webhooks, DIDComm
connections and keys, ActivityPub keys, the outbox…) with its values as they are, so hashed tokens
and API keys, private keys and webhook secrets keep working. Sequences (invitation numbers) are set
past the copied values.

Stop every Usher process on the source first: the copy reads one consistent moment of the file,
opened read-only, and whatever is written to it afterwards stays behind.

The source must be at this Usher's schema (else \`usher migrate --database-url sqlite:<path>\` first).
The target is migrated to the same schema, and refused (exit 2, nothing written) if any of Usher's
tables has a row. Everything is copied in one transaction: a failed copy leaves the target empty.
At the end the rows of each table are counted on both sides; a difference undoes the copy (exit 1).

Examples:
  $ usher store copy --from sqlite:./data/usher.db --to postgres://usher@db/usher
  $ usher store copy --from sqlite:/var/lib/usher/usher.db --to "$USHER_DATABASE_URL" --json`;

/** `usher store …`: work on a whole store, from its database. */
export function registerStoreCommand(program: Command): void {
  const store = program.command('store').description('work on a whole store: copy a SQLite store into PostgreSQL');
  store
    .command('copy')
    .description('copy a quiescent SQLite store into an empty PostgreSQL database, and verify the row counts')
    .requiredOption('--from <url>', 'the SQLite store: sqlite:<path> (opened read-only; stop Usher on it first)')
    .requiredOption('--to <url>', 'the empty PostgreSQL database: postgres://…')
    .addHelpText('after', COPY_HELP)
    .action(async (flags: CopyFlags, command: Command) => {
      const { out } = contextOf(command);
      // Loaded here: only the commands that open a database pay for the drivers.
      const { copyStore, StoreCopyError } = await import('#db/store-copy');
      const copied = await copyStore({
        from: flags.from,
        to: flags.to,
        onProgress: (table, rows) => {
          if (!out.json && rows % 100_000 === 0) out.note(`  ${table}: ${rows} rows…`);
        },
      }).catch((error: unknown) => {
        if (error instanceof StoreCopyError) {
          const code = error.kind === 'source' || error.kind === 'target' ? ExitCode.usage : ExitCode.unexpected;
          throw new CliError(code, `usher store copy: ${error.message}`);
        }
        const reason = (error as NodeJS.ErrnoException | null)?.code;
        if (reason === 'ECONNREFUSED' || reason === 'ENOTFOUND' || reason === '3D000' || reason === '28P01') {
          const detail = (error as Error).message;
          const target = displayDatabaseUrl(flags.to);
          throw new CliError(ExitCode.unreachable, `usher store copy: cannot reach ${target}: ${detail}`);
        }
        throw error;
      });
      out.table(copied, copied.tables, [
        { header: 'table', value: (count) => count.table },
        { header: 'source', value: (count) => count.source },
        { header: 'target', value: (count) => count.target },
      ]);
      if (out.json) return;
      for (const { table, column, value } of copied.sequences) out.note(`${table}.${column} continues after ${value}`);
      out.note(`Copied ${flags.from} into ${displayDatabaseUrl(flags.to)}: every count matches.`);
    });
}
