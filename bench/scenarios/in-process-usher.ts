/**
 * Usher's app in the bench's own process, on a store the caller opened, for the phases that look
 * inside a request (statements counted, statements timed) rather than load a server over HTTP.
 */
import type { Kysely } from 'kysely';
import { createUsher, type Usher } from '#usher';
import type { AppDeps } from '#app';
import { systemClock } from '#common/clock';
import { newSecret } from '#common/secrets';
import type { Database, Engine } from '#db';
import type { Mailer } from '#delivery';
import { AUTH_HEADERS } from '../bench-key';

/** A mailer that accepts everything at once: only Usher's own work is measured. */
const acceptingMailer: Mailer = {
  send: async () => ({ accepted: true, permanent: false, responseCode: 250, response: '250 OK' }),
  close: async () => {},
};

export interface InProcessUsher {
  readonly built: Usher;
  /**
   * Sends a request to the app and returns its body; a status of 300 or more throws. Authenticated as the bench tenant
   * unless `headers` say otherwise.
   */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<string>;
}

/** Usher's app on `db`, whose dialect is `engine`'s (SQLite unless said), with `settings` over the defaults. */
export function inProcessUsher(
  db: Kysely<Database>,
  log: (line: string) => void,
  engine: Engine = 'sqlite',
  settings: Pick<AppDeps, 'configCacheMs'> = {},
): InProcessUsher {
  const built = createUsher({
    ...settings,
    db,
    engine,
    clock: systemClock,
    publicUrl: 'http://127.0.0.1:8080',
    version: 'bench',
    mailer: acceptingMailer,
    fromAddress: 'no-reply@127.0.0.1',
    allowPrivateNetwork: false,
    logError: (error) => log(`  request failed: ${String(error)}`),
    linkSecret: newSecret(),
  });
  return {
    built,
    async request(method, path, body, headers = AUTH_HEADERS) {
      const response = await built.app.request(path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
      return text;
    },
  };
}
