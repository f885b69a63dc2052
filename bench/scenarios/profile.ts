/**
 * CPU profiles of the Usher server (node --cpu-prof) while it serves one kind of request, to say
 * where the time goes when a target is missed. Only with `--only=profile` (or listed among
 * others): a profiled server is slower, so these runs are never the published figures.
 */
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseServer } from '../databases';
import { followCursors } from '../http';
import { runLoad } from '../load';
import type { BenchOptions } from '../options';
import type { Child } from '../processes';
import { summarizeProfile } from '../profile-summary';
import type { Results } from '../results';
import { AUTH_HEADERS, startUsher } from '../usher-process';
import { drainOnce } from './drain';
import { acceptRun, createRun, USHER_ROUTES } from './matrix';

/**
 * Runs `work` with a NODE_OPTIONS that profiles the Usher it starts, and summarizes the server's profile (the largest
 * file: tsx's own is tiny).
 */
async function profiled(
  results: Results,
  scenario: string,
  work: (env: Record<string, string>) => Promise<unknown>,
  log: (line: string) => void,
): Promise<void> {
  // Raw profiles are megabytes: they stay in the temp folder (open them in Chrome DevTools), the summary goes in the
  // results.
  const dir = join(
    tmpdir(),
    `usher-bench-profiles-${results.startedAt.replace(/[:.]/g, '-')}`,
    scenario.replace(/\W+/g, '-'),
  );
  await work({ NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` });
  const file = readdirSync(dir)
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (!file) throw new Error(`no CPU profile was written to ${dir}`);
  const summary = summarizeProfile(file);
  results.profiles.push({ scenario, file, ...summary });
  log(`  ${scenario}: ${file}`);
  for (const { area, selfPercent } of summary.byArea.slice(0, 6))
    log(`    ${selfPercent.toFixed(1).padStart(5)}%  ${area}`);
}

/**
 * Starts Usher with `env`, runs `work` against it, and stops it gracefully: Node writes the profile only on a clean
 * exit.
 */
async function withUsher(
  databaseUrl: string,
  env: Record<string, string>,
  work: (usher: Child) => Promise<unknown>,
): Promise<void> {
  const usher = await startUsher({ databaseUrl, env });
  try {
    await work(usher);
  } finally {
    await usher.stop(30_000);
  }
}

export async function runProfiles(
  results: Results,
  databases: DatabaseServer,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<void> {
  // Each scenario is named for the store it ran on: a PostgreSQL profile shows the driver's share beside SQLite's.
  const on = (scenario: string) => `${scenario}, ${databases.name}`;
  const database = await databases.create('profile');
  const pool: string[] = [];
  await profiled(
    results,
    on('create (link), 10 connections'),
    (env) =>
      withUsher(database.url, env, async (usher) => {
        await createRun(usher, USHER_ROUTES, 10, options.warmupS, pool);
        await createRun(usher, USHER_ROUTES, 10, options.durationS, pool);
      }),
    log,
  );
  await profiled(
    results,
    on('accept, 10 connections'),
    (env) => withUsher(database.url, env, (usher) => acceptRun(usher, USHER_ROUTES, 10, options.durationS, pool)),
    log,
  );
  await profiled(
    results,
    on('list first page, 10 connections'),
    (env) =>
      withUsher(database.url, env, async ({ url }) => {
        await followCursors(url, '/v1/invitations', 1);
        await runLoad({
          url,
          connections: 10,
          durationS: options.durationS,
          request: { method: 'GET', path: '/v1/invitations', headers: AUTH_HEADERS },
        });
      }),
    log,
  );
  const drainDb = await databases.create('profile-drain');
  const emails = Math.min(options.emails, 2000);
  await profiled(
    results,
    on(`outbox drain of ${emails} emails (worker process)`),
    (env) =>
      drainOnce(
        results,
        { engine: databases.name, databaseUrl: drainDb.url, emails, warmup: 0, workerEnv: env, recordMemory: false },
        log,
      ),
    log,
  );
}
