import type { Command } from 'commander';
import { unwrap, type Schemas } from '#sdk';
import { contextOf } from '../context';
import { usageError } from '../errors';
import { collect, integerBetween } from '../options';
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
  { header: 'quota', value: (k) => quotaText(k.inviteQuota) },
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
  readonly invitesPerHour?: number;
  readonly invitesPerDay?: number;
}

/** A key's own quota as the server stores it: both windows named, null in one: no limit there. */
type KeyQuota = { perHour: number | null; perDay: number | null } | null;

/** A key's quota as a line: "10/hour, no limit/day"; "tenant default" when it has none of its own. */
const quotaText = (quota: Schemas['ApiKey']['inviteQuota']): string =>
  quota === null ? 'tenant default' : `${quota.perHour ?? 'no limit'}/hour, ${quota.perDay ?? 'no limit'}/day`;

/** What the flags ask: undefined when neither is given (a new key inherits its maker's); a window left out: no limit. */
const quotaOf = (flags: { invitesPerHour?: number; invitesPerDay?: number }): KeyQuota | undefined =>
  flags.invitesPerHour === undefined && flags.invitesPerDay === undefined
    ? undefined
    : { perHour: flags.invitesPerHour ?? null, perDay: flags.invitesPerDay ?? null };

const MAX_QUOTA = 1_000_000;

/** A key's rights as `keys create` prints them: what the server answered, never what was asked. */
const rightsLines = (key: Schemas['ApiKey']): Array<[string, string]> => [
  ['scopes', key.scopes.join(', ')],
  ['grantable roles', key.grantableRoles.join(', ')],
  ['allowed targets', key.allowedTargets?.join(', ') ?? 'any'],
  ['invite quota', quotaText(key.inviteQuota)],
];

/** `usher keys list|create|quota|revoke`: the tenant's API keys. */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description("the tenant's API keys (list, create, quota, revoke)");

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
    .option(
      '--invites-per-hour <n>',
      "its own invitation quota per hour (default: its maker's)",
      integerBetween(0, MAX_QUOTA),
    )
    .option(
      '--invites-per-day <n>',
      "its own invitation quota per day (default: its maker's)",
      integerBetween(0, MAX_QUOTA),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ usher keys create ci --json | jq -r .key\n  $ usher keys create tour --local\n' +
        '  $ usher keys create crm-ann --invites-per-hour 10 --invites-per-day 50\n' +
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
        const inviteQuota = quotaOf(flags);
        const body = { name, ...rights, ...(inviteQuota === undefined ? {} : { inviteQuota }) };
        const key = await unwrap(client().POST('/v1/api-keys', { body }));
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
        inviteQuota: quotaOf(flags) ?? null,
      });
      out.record(key, [
        ['id', key.id],
        ['name', key.name],
        ['tenant', `${tenant.name} (${tenant.id})`],
        ['operator', key.operator ? 'yes' : 'no'],
        ['invite quota', quotaText(key.inviteQuota)],
        ['key', key.key],
      ]);
      if (!out.json) out.note('The key is shown this once: only its hash is stored.');
    });

  keys
    .command('quota')
    .description("set a key's own invitation quota, or --default to give it the tenant's again (not this key's own)")
    .argument('<id>', "the key's id")
    .option(
      '--invites-per-hour <n>',
      'invitations it may create per hour (a window not given: no limit)',
      integerBetween(0, MAX_QUOTA),
    )
    .option(
      '--invites-per-day <n>',
      'invitations it may create per day (a window not given: no limit)',
      integerBetween(0, MAX_QUOTA),
    )
    .option('--default', "no quota of its own: the tenant's settings.inviteQuotas.perKey applies")
    .addHelpText(
      'after',
      '\nExamples:\n  $ usher keys quota <id> --invites-per-day 50\n  $ usher keys quota <id> --default',
    )
    .action(
      async (
        id: string,
        flags: Pick<LocalKeyFlags, 'invitesPerHour' | 'invitesPerDay'> & { default?: boolean },
        command: Command,
      ) => {
        const { out, client } = contextOf(command);
        const asked = quotaOf(flags);
        if ((asked === undefined) === (flags.default !== true))
          throw usageError('give --invites-per-hour and/or --invites-per-day, or --default');
        const inviteQuota = asked ?? null;
        const key = await unwrap(
          client().PATCH('/v1/api-keys/{id}', { params: { path: { id } }, body: { inviteQuota } }),
        );
        out.record(key, [
          ['id', key.id],
          ['name', key.name],
          ['invite quota', quotaText(key.inviteQuota)],
        ]);
      },
    );

  addIdCommand(keys, 'revoke', 'revoke a key (not the one this command uses)', 'key', async ({ out, client }, id) => {
    const key = await unwrap(client().DELETE('/v1/api-keys/{id}', { params: { path: { id } } }));
    out.record(key, [
      ['id', key.id],
      ['name', key.name],
      ['revoked', key.revokedAt],
    ]);
  });
}
