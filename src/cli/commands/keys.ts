import type { Command } from 'commander';
import { unwrap, type Schemas } from '#sdk';
import { contextOf } from '../context';
import { usageError } from '../errors';
import { collect } from '../options';
import { addIdCommand } from '../id-command';
import type { Column } from '../table';
import { shortTime } from '../invitation-views';

const keyColumns: readonly Column<Schemas['ApiKey']>[] = [
  { header: 'id', value: (k) => k.id },
  { header: 'name', value: (k) => k.name },
  { header: 'prefix', value: (k) => k.prefix },
  { header: 'operator', value: (k) => (k.operator ? 'yes' : 'no') },
  { header: 'scopes', value: (k) => k.scopes.join(',') },
  { header: 'roles', value: (k) => k.grantableRoles.join(',') },
  { header: 'targets', value: (k) => k.allowedTargets?.join(',') ?? '*' },
  { header: 'created', value: (k) => shortTime(k.createdAt) },
  { header: 'last used', value: (k) => shortTime(k.lastUsedAt) },
  { header: 'revoked', value: (k) => shortTime(k.revokedAt) },
];

interface LocalKeyFlags {
  readonly local?: boolean;
  readonly databaseUrl?: string;
  readonly tenant?: string;
  readonly operator?: boolean;
  readonly scope?: string[];
  readonly grantableRole?: string[];
  readonly allowedTarget?: string[];
}

/** A key's rights as `keys create` prints them: what the server answered, never what was asked. */
const rightsLines = (key: Schemas['ApiKey']): Array<[string, string]> => [
  ['scopes', key.scopes.join(', ')],
  ['grantable roles', key.grantableRoles.join(', ')],
  ['allowed targets', key.allowedTargets?.join(', ') ?? 'any'],
];

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
    .option(
      '--scope <scope>',
      "what the key may do, e.g. invitations:read (repeatable; default: this key's own)",
      collect,
    )
    .option(
      '--grantable-role <role>',
      "a role its invitations may grant, * for any (repeatable; default: this key's own)",
      collect,
    )
    .option(
      '--allowed-target <iri-prefix>',
      "a target IRI prefix its invitations may name (repeatable; default: this key's own)",
      collect,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ usher keys create ci --json | jq -r .key\n  $ usher keys create tour --local\n' +
        '  $ usher keys create crm --scope invitations:read --scope invitations:write --grantable-role member',
    )
    .action(async (name: string, flags: LocalKeyFlags, command: Command) => {
      const { out, client } = contextOf(command);
      if (!flags.local) {
        if (flags.databaseUrl !== undefined || flags.tenant !== undefined || flags.operator)
          throw usageError('--database-url, --tenant and --operator go with --local');
        const rights = {
          // The server checks the names and refuses what this key may not give (403, printed as the problem says).
          ...(flags.scope ? { scopes: flags.scope as Schemas['CreateApiKey']['scopes'] } : {}),
          ...(flags.grantableRole ? { grantableRoles: flags.grantableRole } : {}),
          ...(flags.allowedTarget ? { allowedTargets: flags.allowedTarget } : {}),
        };
        const key = await unwrap(client().POST('/v1/api-keys', { body: { name, ...rights } }));
        out.record(key, [['id', key.id], ['name', key.name], ...rightsLines(key), ['key', key.key]]);
        if (!out.json) out.note('The key is shown this once: only its hash is stored.');
        return;
      }
      // Loaded here, not at the top: only this path opens a database.
      const { createLocalKey } = await import('./keys-local');
      if (flags.scope || flags.grantableRole || flags.allowedTarget)
        throw usageError('--scope, --grantable-role and --allowed-target go without --local');
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
