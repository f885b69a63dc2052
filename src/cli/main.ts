import { Command, type OutputConfiguration } from 'commander';
import { registerContactsCommand } from './commands/contacts';
import { registerExportCommand } from './commands/export';
import { registerIdentitiesCommand } from './commands/identities';
import { registerImportCommand } from './commands/import';
import { registerInitCommand } from './commands/init';
import { registerInviteCommand } from './commands/invite';
import { registerKeysCommand } from './commands/keys';
import { registerMigrateCommand } from './commands/migrate';
import { registerServeCommand } from './commands/serve';
import { registerStoreCommand } from './commands/store';
import { failureOf, isClosedPipe } from './errors';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes';
// Imported, not read from a path beside this file: bundled into dist/, the module no longer sits in src/cli/.
import packageJson from '../../package.json' with { type: 'json' };

const { version } = packageJson;

const EPILOG = `
Getting started:
  $ usher init                  create the first tenant and key in ./data/usher.db, save the profile
  $ usher serve                 run the server
  $ usher invite create --email ann@example.com --role contributor

Where the server and key come from: --url / --api-key, else USHER_URL / USHER_API_KEY, else the
profile saved by \`usher init\` ($USHER_CONFIG, $XDG_CONFIG_HOME/usher/config.json or
~/.config/usher/config.json). NO_COLOR turns colours off; they are off when stdout is not a terminal.

${EXIT_CODES_HELP}`;

/** Options for createProgram. */
export interface ProgramOptions {
  /** Where commander writes help and usage errors; stdout and stderr by default (tests capture them). */
  readonly output?: OutputConfiguration;
}

/** The `usher` program: every command, with the global --url, --api-key and --json flags. */
export function createProgram(options: ProgramOptions = {}): Command {
  const program = new Command('usher')
    .description(
      'Usher from the command line: run the server, make keys and identities, send, import and export invitations',
    )
    .version(version, '-V, --version', 'print the version')
    .option('--url <url>', 'the Usher server, e.g. http://127.0.0.1:8080 (else USHER_URL, else the profile)')
    .option('--api-key <key>', 'a tenant API key (else USHER_API_KEY, else the profile)')
    .option('--json', 'print machine-readable JSON on stdout, and nothing else there')
    .helpCommand('help [command]', 'show help for a command')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    // Errors come back to runCli as exceptions, so every failure leaves through one place with its exit code.
    .exitOverride()
    .addHelpText('after', EPILOG);
  if (options.output) program.configureOutput(options.output);
  // Subcommands copy these settings when they are made, so they are all set before the first one.
  registerInitCommand(program);
  registerServeCommand(program);
  registerMigrateCommand(program);
  registerStoreCommand(program);
  registerKeysCommand(program);
  registerIdentitiesCommand(program);
  registerContactsCommand(program);
  registerInviteCommand(program);
  registerImportCommand(program);
  registerExportCommand(program);
  return program;
}

/** Runs the CLI on `argv` (node, script, …args) and resolves to the exit code; messages go to stderr. */
export async function runCli(argv: readonly string[] = process.argv): Promise<number> {
  // Without a listener, a reader closing the pipe early would crash the process with a stack trace.
  process.stdout.on('error', (error) => {
    if (isClosedPipe(error)) process.exit(ExitCode.ok);
    throw error;
  });
  try {
    await createProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    const failure = failureOf(error);
    if (failure.message) process.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
}
