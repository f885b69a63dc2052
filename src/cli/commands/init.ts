import type { Command } from 'commander';
import { unwrap } from '#sdk';
import { createClient, parseServerUrl } from '../connection';
import { contextOf, type CommandContext } from '../context';
import { usageError } from '../errors';
import { saveProfile } from '../profile';

interface InitFlags {
  readonly databaseUrl?: string;
  readonly tenant?: string;
  readonly save: boolean;
}

const HELP = `
Local (no --api-key): opens the database directly (USHER_DATABASE_URL or --database-url, default
sqlite:./data/usher.db), creates the first tenant and an admin key when it is empty, or with --tenant
another tenant, and prints the key once. --url names where the server will answer (default: where
\`usher serve\` would listen with this environment).

Remote (--api-key): checks the key against the server at --url (or USHER_URL) and keeps it.

Both save the profile {url, apiKey} to $USHER_CONFIG, else $XDG_CONFIG_HOME/usher/config.json,
else ~/.config/usher/config.json, readable by you only (0600). Other commands use it when no
--url/--api-key flag or USHER_URL/USHER_API_KEY variable says otherwise.

Examples:
  $ usher init
  $ usher init --database-url postgres://usher@db/usher --tenant "Acme Events" --url https://invite.example.com
  $ usher init --url https://invite.example.com --api-key usk_…`;

/** `usher init`: make a tenant in a local store, or check a remote key; either way, save the profile. */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('create the first tenant and key in a local database, or check a key on a server; saves the profile')
    .option('--database-url <url>', 'local: the database to open (USHER_DATABASE_URL, default sqlite:./data/usher.db)')
    .option('--tenant <name>', 'local: create a tenant with this name, also when the store already has one')
    .option('--no-save', 'do not write the profile')
    .addHelpText('after', HELP)
    .action(async (flags: InitFlags, command: Command) => {
      const context = contextOf(command);
      if (context.flags.apiKey !== undefined) await initRemote(context, flags);
      else await initLocal(context, flags);
    });
}

async function initRemote(context: CommandContext, flags: InitFlags): Promise<void> {
  const { out, env } = context;
  if (flags.databaseUrl !== undefined || flags.tenant !== undefined)
    throw usageError('--database-url and --tenant are for local init, without --api-key');
  const rawUrl = context.flags.url ?? env.url;
  if (!rawUrl) throw usageError('remote init needs the server: pass --url (or set USHER_URL) with --api-key');
  const url = parseServerUrl(rawUrl);
  const apiKey = context.flags.apiKey!;
  const tenant = await unwrap(createClient(url, apiKey).GET('/v1/tenant'));
  if (flags.save) saveProfile(env.configPath, { url, apiKey });
  out.result({ tenant, url, profile: flags.save ? env.configPath : null }, () =>
    [
      `The key works: tenant "${tenant.name}" (${tenant.id}) on ${url}`,
      profileLine(flags.save, env.configPath, url),
      '',
    ].join('\n'),
  );
}

async function initLocal(context: CommandContext, flags: InitFlags): Promise<void> {
  const { out, env } = context;
  // Loaded here, not at the top: only this command opens a database, and the others start faster without it.
  const { initLocalStore } = await import('./init-local');
  const { created, publicUrl, keyFromEnvironment } = await initLocalStore(flags);
  const url = context.flags.url ? parseServerUrl(context.flags.url) : publicUrl;
  if (flags.save) saveProfile(env.configPath, { url, apiKey: created.apiKey.key });
  out.result({ ...created, url, profile: flags.save ? env.configPath : null }, () =>
    [
      `Created tenant "${created.tenant.name}" (${created.tenant.id}) with default identity ${created.identity.did}`,
      keyFromEnvironment
        ? 'Admin API key: the value of USHER_BOOTSTRAP_API_KEY'
        : `Admin API key (shown once, only its hash is stored): ${created.apiKey.key}`,
      profileLine(flags.save, env.configPath, url),
      'Next: `usher serve`, then `usher invite create --email someone@example.com`',
      '',
    ].join('\n'),
  );
}

const profileLine = (saved: boolean, path: string, url: string) =>
  saved ? `Profile saved to ${path} (server ${url}, readable by you only)` : 'Profile not saved (--no-save)';
