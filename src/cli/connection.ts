import { createUsherClient, type UsherClient } from '#sdk';
import { errorMessage } from '#common/errors';
import type { CliEnvironment } from './environment';
import { CliError, usageError } from './errors';
import { ExitCode } from './exit-codes';
import { readProfile } from './profile';

/** The server and key a command talks to. */
export interface Connection {
  readonly url: string;
  readonly apiKey: string;
}

/** The --url and --api-key flags, when given. */
export interface ConnectionFlags {
  readonly url?: string;
  readonly apiKey?: string;
}

/** Checks a server URL given on the command line or in the environment; returns it without a trailing slash. */
export function parseServerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`not a URL: "${value}" (expected e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError(`expected an http(s) URL, got "${value}"`);
  return url.toString().replace(/\/+$/, '');
}

/**
 * Flags first, then USHER_URL / USHER_API_KEY, then the profile. The profile's key is used only
 * with the profile's own server: `--url` pointing elsewhere must not carry that key to a stranger.
 */
export function resolveConnection(flags: ConnectionFlags, env: CliEnvironment): Connection {
  const given = { url: flags.url ?? env.url, apiKey: flags.apiKey ?? env.apiKey };
  // The profile is read only when needed, so a broken one never stands in the way of explicit flags.
  const profile = given.url !== undefined && given.apiKey !== undefined ? null : readProfile(env.configPath);
  const rawUrl = given.url ?? profile?.url;
  if (!rawUrl) throw usageError('no Usher URL: pass --url, set USHER_URL, or run `usher init` to save a profile');
  const url = parseServerUrl(rawUrl);
  const profileKey = profile && parseServerUrl(profile.url) === url ? profile.apiKey : undefined;
  const apiKey = given.apiKey ?? profileKey;
  if (!apiKey) {
    throw usageError(
      `no API key for ${url}: pass --api-key, set USHER_API_KEY, or run \`usher init --url ${url} --api-key <key>\``,
    );
  }
  return { url, apiKey };
}

/** A typed client whose network failures become exit code 5 with the server named, instead of "fetch failed". */
export function createClient(url: string, apiKey?: string): UsherClient {
  const reachOrExplain = async (input: Request): Promise<Response> => {
    try {
      return await fetch(input);
    } catch (error) {
      throw new CliError(ExitCode.unreachable, `cannot reach Usher at ${url}: ${networkCause(error)}`);
    }
  };
  return createUsherClient({ baseUrl: url, ...(apiKey ? { apiKey } : {}), fetch: reachOrExplain });
}

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.message ?? cause?.code ?? errorMessage(error);
}
