import pg from 'pg';

/**
 * Says, once per run, which store suites run. Under CI a missing PostgreSQL is a failure, not
 * a skip: CI must prove both engines.
 */
export default async function setup(): Promise<void> {
  // Suites that run the production entry or the CLI (dist/) share one build, made here before any starts: two
  // suites building side by side could each read files the other is rewriting.
  const { buildServer, distIsStale } = await import('../../scripts/build.mjs');
  if (distIsStale()) await buildServer();
  const url = process.env.USHER_TEST_POSTGRES_URL;
  if (!url) {
    if (process.env.CI === 'true')
      throw new Error('CI=true but USHER_TEST_POSTGRES_URL is not set: the PostgreSQL suites must run in CI');
    process.stdout.write(
      '\n[usher] USHER_TEST_POSTGRES_URL is not set: every store suite runs on SQLite only; the PostgreSQL suites are SKIPPED.\n' +
        '[usher] bash .ci/run starts a throwaway PostgreSQL and runs both.\n\n',
    );
    return;
  }
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`USHER_TEST_POSTGRES_URL is set but PostgreSQL does not answer: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
  process.stdout.write('\n[usher] store suites run on SQLite and on PostgreSQL.\n\n');
}
