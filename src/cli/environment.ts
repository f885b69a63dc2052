import { homedir } from 'node:os';
import { join } from 'node:path';

/** What the CLI takes from its environment, read once (the server's own variables stay with #config). */
export interface CliEnvironment {
  /** USHER_URL: the server to talk to, below the --url flag. */
  readonly url: string | undefined;
  /** USHER_API_KEY: the tenant key, below the --api-key flag. */
  readonly apiKey: string | undefined;
  /**
   * Where the profile lives: $USHER_CONFIG, else $XDG_CONFIG_HOME/usher/config.json, else ~/.config/usher/config.json.
   */
  readonly configPath: string;
  /** Colours on stdout: only on a terminal and never with NO_COLOR (https://no-color.org). */
  readonly color: boolean;
  /** Whether stderr is a terminal, so progress may redraw one line. */
  readonly stderrIsTty: boolean;
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** Reads the CLI's variables; `env` and the streams are parameters so the rules can be read at a glance. */
export function readCliEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
  streams: { stdout: { isTTY?: boolean }; stderr: { isTTY?: boolean } } = process,
): CliEnvironment {
  const configHome = nonEmpty(env.XDG_CONFIG_HOME) ?? join(nonEmpty(env.HOME) ?? homedir(), '.config');
  return Object.freeze({
    url: nonEmpty(env.USHER_URL),
    apiKey: nonEmpty(env.USHER_API_KEY),
    configPath: nonEmpty(env.USHER_CONFIG) ?? join(configHome, 'usher', 'config.json'),
    color: Boolean(streams.stdout.isTTY) && !env.NO_COLOR,
    stderrIsTty: Boolean(streams.stderr.isTTY),
  });
}
