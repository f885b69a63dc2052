/** What the example reads from its environment, once, at start. */
export interface HostAppConfig {
  /** Where Usher runs, e.g. http://127.0.0.1:8080 (USHER_URL). */
  readonly usherUrl: string;
  /** A tenant API key of that Usher (USHER_API_KEY). */
  readonly usherApiKey: string;
  /** The port to listen on; 3000 by default, 0 for any free one (PORT). */
  readonly port: number;
  /** The address to listen on; 127.0.0.1 by default (HOST). */
  readonly host: string;
  /** How browsers and Usher reach this app; http://<HOST>:<port> by default (APP_URL). */
  readonly appUrl: string | null;
  /** The app's own SQLite file; ./data/host-app.db by default (HOST_APP_DB). */
  readonly databasePath: string;
}

/** Reads the configuration, or throws naming the variable at fault. */
export function readConfig(env: NodeJS.ProcessEnv): HostAppConfig {
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new Error(`${name} is required (see README.md)`);
    return value;
  };
  const port = Number(env.PORT ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  return Object.freeze({
    usherUrl: required('USHER_URL').replace(/\/+$/, ''),
    usherApiKey: required('USHER_API_KEY'),
    port,
    host: env.HOST?.trim() || '127.0.0.1',
    appUrl: env.APP_URL?.trim().replace(/\/+$/, '') || null,
    databasePath: env.HOST_APP_DB?.trim() || './data/host-app.db',
  });
}
