import { startChild, type Child } from './processes';

/** The bench tenant's admin key (USHER_BOOTSTRAP_API_KEY needs 24+ characters). */
export const BENCH_API_KEY = 'usher-bench-key-0123456789abcdefghij';

/** Headers of an authenticated JSON request as the bench sends them. */
export const AUTH_HEADERS = { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' } as const;

export interface UsherOptions {
  readonly databaseUrl: string;
  /** Extra variables: USHER_RUN_WORKER, USHER_SMTP_URL, NODE_OPTIONS for a CPU profile. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly name?: string;
}

/**
 * Runs Usher exactly as `npm start` does (`tsx src/main.ts`) on 127.0.0.1 and a port the OS
 * picks, and waits for the line main.ts prints once it listens.
 */
export function startUsher(options: UsherOptions): Promise<Child> {
  return startChild({
    name: options.name ?? 'usher',
    script: 'src/main.ts',
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      USHER_DATABASE_URL: options.databaseUrl,
      USHER_BOOTSTRAP_API_KEY: BENCH_API_KEY,
      USHER_LOG_LEVEL: 'warn',
      ...options.env,
    },
    ready: /^Usher \S+ listening on (http:\/\/127\.0\.0\.1:\d+) /m,
    timeoutMs: 60_000,
  });
}
