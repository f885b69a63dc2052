import type { Command } from 'commander';
import { unwrap, type Schemas } from '#sdk';
import { contextOf } from '../context';
import { usageError } from '../errors';
import { addIdCommand } from '../id-command';
import type { Column } from '../table';
import { shortTime } from '../invitation-views';

const keyColumns: readonly Column<Schemas['ApiKey']>[] = [
  { header: 'id', value: (k) => k.id },
  { header: 'name', value: (k) => k.name },
  { header: 'prefix', value: (k) => k.prefix },
  { header: 'operator', value: (k) => (k.operator ? 'yes' : 'no') },
  { header: 'created', value: (k) => shortTime(k.createdAt) },
  { header: 'last used', value: (k) => shortTime(k.lastUsedAt) },
  { header: 'revoked', value: (k) => shortTime(k.revokedAt) },
];

interface LocalKeyFlags {
  readonly local?: boolean;
  readonly databaseUrl?: string;
  readonly tenant?: string;
  readonly operator?: boolean;
}

/** `usher keys list|create|revoke`: the tenant's API keys. */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description("the tenant's API keys (list, create, revoke)");

  keys
    .command('list')
    .description('list the keys, newest first (never their secrets)')
    .action(async (_flags: unknown, command: Command) => {
      const { out, client } = contextOf(command);
      const page = await unwrap(client().GET('/v1/api-keys'));
      out.table(page, page.data, keyColumns);
    });

  keys
    .command('create')
    .description('create a named key; its secret is printed once')
    .argument('<name>', 'what the key is for, e.g. "ci" or "billing app"')
    .option('--local', 'open the store directly instead of asking the server: for when you have no key yet')
    .option('--database-url <url>', 'with --local: the store (USHER_DATABASE_URL, default sqlite:./data/usher.db)')
    .option('--tenant <id-or-name>', 'with --local: the tenant (default: the first one made)')
    .option('--operator', 'with --local: an operator key, which may also manage tenants')
    .addHelpText(
      'after',
      '\nExamples:\n  $ usher keys create ci --json | jq -r .key\n  $ usher keys create tour --local',
    )
    .action(async (name: string, flags: LocalKeyFlags, command: Command) => {
      const { out, client } = contextOf(command);
      if (!flags.local) {
        if (flags.databaseUrl !== undefined || flags.tenant !== undefined || flags.operator)
          throw usageError('--database-url, --tenant and --operator go with --local');
        const key = await unwrap(client().POST('/v1/api-keys', { body: { name } }));
        out.record(key, [
          ['id', key.id],
          ['name', key.name],
          ['key', key.key],
        ]);
        if (!out.json) out.note('The key is shown this once: only its hash is stored.');
        return;
      }
      // Loaded here, not at the top: only this path opens a database.
      const { createLocalKey } = await import('./keys-local');
      const { key, tenant } = await createLocalKey({
        name,
        databaseUrl: flags.databaseUrl,
        tenant: flags.tenant,
        operator: flags.operator === true,
      });
      out.record(key, [
        ['id', key.id],
        ['name', key.name],
        ['tenant', `${tenant.name} (${tenant.id})`],
        ['operator', key.operator ? 'yes' : 'no'],
        ['key', key.key],
      ]);
      if (!out.json) out.note('The key is shown this once: only its hash is stored.');
    });

  addIdCommand(keys, 'revoke', 'revoke a key (not the one this command uses)', 'key', async ({ out, client }, id) => {
    const key = await unwrap(client().DELETE('/v1/api-keys/{id}', { params: { path: { id } } }));
    out.record(key, [
      ['id', key.id],
      ['name', key.name],
      ['revoked', key.revokedAt],
    ]);
  });
}
