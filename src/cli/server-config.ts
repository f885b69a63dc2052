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

// One rule for printing database URLs, shared with the server's banner.
export { displayDatabaseUrl } from '#db/display-url';
