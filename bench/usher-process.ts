import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startNodeOptions } from '../src/start-options.mjs';
import { BENCH_API_KEY } from './bench-key';
import { PROJECT_ROOT, startChild, type Child } from './processes';

export { AUTH_HEADERS, BENCH_API_KEY } from './bench-key';

export interface UsherOptions {
  readonly databaseUrl: string;
  /** Extra variables: USHER_RUN_WORKER, USHER_SMTP_URL, NODE_OPTIONS for a CPU profile. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly name?: string;
}

let built = false;

/**
 * Compiles the server as `npm start` does (scripts/build.mjs → dist/main.js), once per bench run, so the bench measures
 * the code as it is now.
 */
function buildOnce(): void {
  if (built) return;
  execFileSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'node'), ['scripts/build.mjs'], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
  built = true;
}

/**
 * Runs Usher exactly as `npm start` does (`node dist/main.js`, built first) on 127.0.0.1 and a
 * port the OS picks, and waits for the line main.ts prints once it listens.
 */
export function startUsher(options: UsherOptions): Promise<Child> {
  buildOnce();
  return startChild({
    name: options.name ?? 'usher',
    script: 'dist/main.js',
    // npm start's own node options (source maps, heap sizes), read from package.json.
    nodeArgs: startNodeOptions(pathToFileURL(join(PROJECT_ROOT, 'package.json'))),
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      USHER_DATABASE_URL: options.databaseUrl,
      USHER_BOOTSTRAP_API_KEY: BENCH_API_KEY,
      USHER_LOG_LEVEL: 'warn',
      // The bench stops servers between phases; a load balancer's drain window would only add idle seconds.
      USHER_SHUTDOWN_DRAIN_MS: '0',
      // The bench is one client sending thousands a second: limits it never reaches keep their counter in the cost.
      USHER_CLIENT_LIMIT_PUBLIC: '1000000',
      USHER_CLIENT_LIMIT_DIDCOMM: '1000000',
      USHER_CLIENT_LIMIT_INBOX: '1000000',
      ...options.env,
    },
    ready: /^Usher \S+ listening on (http:\/\/127\.0\.0\.1:\d+) /m,
    timeoutMs: 60_000,
  });
}
