import { startChild, type Child } from './processes';

/** Starts the bare baseline (bench/baseline-server.ts) on `databaseUrl` and waits until it listens. */
export function startBaseline(databaseUrl: string, name = 'baseline'): Promise<Child> {
  return startChild({
    name,
    script: 'bench/baseline-server.ts',
    env: { BASELINE_DATABASE_URL: databaseUrl },
    ready: /^baseline listening on (http:\/\/127\.0\.0\.1:\d+)/m,
  });
}
