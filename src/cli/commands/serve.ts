import type { Command } from 'commander';
import { integerBetween } from '../options';

interface ServeFlags {
  readonly port?: number;
  readonly host?: string;
  readonly databaseUrl?: string;
  readonly publicUrl?: string;
  readonly worker: boolean;
}

/**
 * `usher serve`: the server itself, as `npm start` runs it. bin/usher.js starts this command in a node with npm
 * start's options (heap caps, no pretenuring) where it can; the server then loads in this process.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the Usher server (as npm start runs it); every USHER_* variable applies')
    .option('--port <port>', 'listen on this port; 0 for any free one (PORT, default 8080)', integerBetween(0, 65535))
    .option('--host <host>', 'listen on this address (HOST, default 127.0.0.1)')
    .option(
      '--database-url <url>',
      'sqlite:<path> or postgres://… (USHER_DATABASE_URL, default sqlite:./data/usher.db)',
    )
    .option('--public-url <url>', 'base of every link (USHER_PUBLIC_URL, default http://HOST:PORT)')
    .option('--no-worker', 'do not drain the outbox here: an API-only process (USHER_RUN_WORKER=false)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ usher serve\n  $ usher serve --port 3000 --database-url postgres://usher@db/usher --public-url https://invite.example.com',
    )
    .action(async (flags: ServeFlags) => {
      // The server reads its configuration once, from the environment (src/config): the flags are shorthands
      // for those variables, set before it loads, so `usher serve` and `npm start` can never disagree.
      const variables: Record<string, string | undefined> = {
        PORT: flags.port === undefined ? undefined : String(flags.port),
        HOST: flags.host,
        USHER_DATABASE_URL: flags.databaseUrl,
        USHER_PUBLIC_URL: flags.publicUrl,
        USHER_RUN_WORKER: flags.worker ? undefined : 'false',
      };
      for (const [name, value] of Object.entries(variables)) if (value !== undefined) process.env[name] = value;
      // src/main.ts starts the server when loaded and owns the process from then on (signals, exit codes).
      await import('../../main.ts');
    });
}
