import { ConfigError, loadConfig, type Config } from '#config';
import { usageError } from './errors';

/** The server's configuration from this environment, `databaseUrl` (a flag) first; a bad one is exit 2. */
export function readServerConfig(databaseUrl: string | undefined): Config {
  try {
    return loadConfig({ ...process.env, ...(databaseUrl ? { USHER_DATABASE_URL: databaseUrl } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) throw usageError(`bad configuration: ${error.message}`);
    throw error;
  }
}

/** A database URL fit to print: a PostgreSQL password never reaches a terminal or a log. */
export function displayDatabaseUrl(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return databaseUrl;
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable database URL)';
  }
}
