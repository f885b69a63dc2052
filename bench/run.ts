/**
 * `npm run bench`: starts Usher (and a bare baseline, an SMTP sink) as child processes on
 * 127.0.0.1, drives them with autocannon from this process, and writes what it measured to
 * bench/results/<date>.json and .md. See docs/benchmarks.md for what each phase does and why.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { postgresServer, sqliteServer, type DatabaseServer } from './databases';
import { machineInfo } from './machine';
import type { PgSetting } from './postgres-throwaway';
import { parseOptions } from './options';
import { killAllChildren, PROJECT_ROOT } from './processes';
import { renderReport } from './report';
import { emptyResults } from './results';
import { runBulk } from './scenarios/bulk';
import { runDrain } from './scenarios/drain';
import { runMatrix } from './scenarios/matrix';
import { runProcesses } from './scenarios/processes';
import { runProfiles } from './scenarios/profile';
import { timeStatementsPerRequest } from './scenarios/statement-times';
import { countQueries } from './scenarios/query-count';
import { runScale } from './scenarios/scale';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = await machineInfo();
  const results = emptyResults(options, machine);
  log(`Usher bench: ${options.phases.join(', ')}${options.quick ? ' (quick)' : ''}`);
  log(
    `${machine.cpuModel}, ${machine.cores} cores, ${machine.ramGb} GB; Node ${machine.node}; ${machine.busyCoresAtStart.toFixed(2)} cores busy before the start`,
  );
  if (machine.busyCoresAtStart > 0.3) {
    results.notes.push(
      `${machine.busyCoresAtStart.toFixed(2)} of ${machine.cores} cores were busy with other work when the bench started: figures are low and noisy; run again when the machine is quiet`,
    );
    log(`WARNING: ${results.notes.at(-1)}`);
  }

  const servers: DatabaseServer[] = [];
  try {
    // Only the load phases and the profiles need database servers; the in-process counts bring their own SQLite.
    const engines = options.phases.some((p) => ['matrix', 'processes', 'scale', 'bulk', 'drain', 'profile'].includes(p))
      ? options.engines
      : [];
    const targets = engines.flatMap((engine): readonly (PgSetting | null)[] =>
      engine === 'sqlite'
        ? [null]
        : process.env.USHER_BENCH_POSTGRES_URL
          ? [options.pgSettings[0]!]
          : options.pgSettings,
    );
    for (const setting of targets) {
      const server = setting === null ? sqliteServer(machine.sqlite) : await postgresServer(setting, log);
      if (!server) {
        results.notes.push(
          'PostgreSQL was skipped: no USHER_BENCH_POSTGRES_URL and no throwaway server could be started',
        );
        continue;
      }
      servers.push(server);
      results.engines.push({ engine: server.name, version: server.version });
      if (server.name === 'postgres-fast')
        results.notes.push(
          "postgres-fast is PostgreSQL with fsync, synchronous_commit and full_page_writes off (the tests' throwaway settings): no durability cost; postgres-durable has all three on, as in production",
        );
      if (server.engine === 'postgres' && server.postmasterPid === null)
        results.notes.push("PostgreSQL's CPU not measured (remote server)");
    }
    for (const server of servers) {
      const phase = (name: string) => log(`\n== ${name}, ${server.name} ==`);
      if (options.phases.includes('matrix')) {
        phase('create / accept in turn on Usher, baseline and floor; list / view on Usher');
        await runMatrix(results, server, options, log);
      }
      if (options.phases.includes('processes') && server.engine === 'postgres') {
        phase('1, 2 and 4 Usher processes on one database');
        await runProcesses(results, server, options, log);
      }
      if (options.phases.includes('scale')) {
        phase(`list and filter with ${options.scaleRows.toLocaleString('en')} invitations`);
        await runScale(results, server, options, log);
      }
      if (options.phases.includes('bulk')) {
        phase('bulk import');
        await runBulk(results, server, options, log);
      }
      if (options.phases.includes('drain')) {
        phase(`outbox drain of ${options.emails.toLocaleString('en')} emails into SMTP`);
        await runDrain(results, server, options, log);
      }
      if (options.phases.includes('profile')) {
        phase('CPU profiles of Usher');
        await runProfiles(results, server, options, log);
      }
    }
    if (options.phases.includes('queries')) {
      log('\n== SQL statements per request (in-process, SQLite) ==');
      await countQueries(results, log);
    }
    if (options.phases.includes('statements')) {
      log('\n== Time in SQLite per statement (in-process, SQLite) ==');
      await timeStatementsPerRequest(results, log);
    }
  } finally {
    results.finishedAt = new Date().toISOString();
    const dir = join(PROJECT_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const stem = join(dir, results.startedAt.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z'));
    const report = renderReport(results);
    writeFileSync(`${stem}.json`, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(`${stem}.md`, report);
    log(`\n${report}`);
    log(`Written: ${stem}.json and .md`);
    for (const server of servers)
      await server.close().catch((error: unknown) => log(`could not clean up ${server.name}: ${String(error)}`));
    killAllChildren();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
