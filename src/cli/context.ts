import type { Command } from 'commander';
import type { UsherClient } from '#sdk';
import { createClient, resolveConnection, type Connection } from './connection';
import { readCliEnvironment, type CliEnvironment } from './environment';
import { createOutput, type Output } from './output';

/** The global flags every command accepts (declared on the program, so they work before or after the command name). */
export interface GlobalFlags {
  readonly url?: string;
  readonly apiKey?: string;
  readonly json?: boolean;
}

/** What a command handler needs: its output, its environment and, when it calls Usher, a client. */
export interface CommandContext {
  readonly env: CliEnvironment;
  readonly flags: GlobalFlags;
  readonly out: Output;
  /** The server and key from flags, environment or profile; exit 2 when either is missing. */
  connection(): Connection;
  /** A client for `connection()`. */
  client(): UsherClient;
}

/** The context of the command being run; the connection is resolved only when asked for, so `--help` needs none. */
export function contextOf(command: Command): CommandContext {
  const env = readCliEnvironment();
  const flags = command.optsWithGlobals<GlobalFlags>();
  const connection = () => resolveConnection(flags, env);
  return {
    env,
    flags,
    out: createOutput({ json: flags.json === true, env }),
    connection,
    client: () => {
      const { url, apiKey } = connection();
      return createClient(url, apiKey);
    },
  };
}
