/** The report's PostgreSQL sections: the statements it spent its time on and what its backends waited for. */
import type { StoreName } from './databases';
import { fixed, table } from './markdown-table';
import { createsPerCoreSecond, serverOf, type Results } from './results';

const cell = (sql: string) => `\`${sql.replace(/\s+/g, ' ').slice(0, 90).replace(/\|/g, '\\|')}\``;

/** Top statements per request of Usher's runs at 10 connections, and the waits of every run; '' with none. */
export function postgresStatsReport(results: Results, engine: StoreName): string {
  const rows = results.load.filter((row) => row.engine === engine && row.postgres);
  if (rows.length === 0) return '';
  const statements = rows
    .filter((row) => row.connections === 10)
    .flatMap((row) => {
      const total = row.postgres!.statements.reduce((sum, s) => sum + s.totalMs, 0);
      return row
        .postgres!.statements.slice(0, 4)
        .map((s) => [
          row.scenario,
          fixed(s.calls / Math.max(1, row.ok), 2),
          fixed(s.meanMs, 3),
          fixed(s.rows / Math.max(1, s.calls), 1),
          `${fixed((100 * s.totalMs) / Math.max(total, Number.MIN_VALUE), 0)}%`,
          cell(s.query),
        ]);
    });
  const waits = rows.map((row) => [
    row.scenario,
    String(row.connections),
    String(row.postgres!.samples),
    row
      .postgres!.waits.slice(0, 4)
      .map((w) => `${w.event} ${fixed(w.backends / Math.max(1, row.postgres!.samples), 2)}`)
      .join(', ') || 'none',
  ]);
  return [
    `### PostgreSQL's statements in Usher's runs, ${engine} (pg_stat_statements, 10 connections, top 4 by time)\n\n` +
      table(['scenario', 'calls/req', 'mean ms', 'rows/call', "of the run's statement time", 'statement'], statements),
    `### What Usher's backends waited for, ${engine} (pg_stat_activity every 100 ms: backends waiting, a sample)\n\n` +
      table(['scenario', 'connections', 'samples', 'waits (Lock, LWLock, IO...: backends waiting, average)'], waits),
  ].join('\n\n');
}

/**
 * Processes on one database, Usher's and the bare baseline's: throughput, CPU per request of all of them and
 * PostgreSQL's, context switches, and the waits.
 */
export function processesReport(results: Results): string {
  if (results.processes.length === 0) return '';
  return `### Processes on one PostgreSQL database (link creates, 10 connections split across them)\n\n${table(
    [
      'engine',
      'server',
      'processes',
      'creates/s',
      'worst p99 ms',
      'server CPU ms/req (all)',
      'PostgreSQL CPU ms/req',
      'creates per core-second',
      "of one process's per core",
      'context switches/req',
      'waits (backends waiting, average)',
      'failed',
    ],
    results.processes.map((row) => {
      const one = results.processes.find(
        (r) => r.engine === row.engine && serverOf(r) === serverOf(row) && r.processes === 1,
      );
      return [
        row.engine,
        serverOf(row),
        String(row.processes),
        fixed(row.rps, 0),
        fixed(row.p99, 1),
        fixed(row.usherCpuMsPerRequest, 2),
        fixed(row.postgresCpuMsPerRequest, 2),
        fixed(createsPerCoreSecond(row), 0),
        one ? `${fixed((100 * createsPerCoreSecond(row)) / createsPerCoreSecond(one), 0)}%` : '',
        row.switchesPerRequest === undefined ? '' : fixed(row.switchesPerRequest, 2),
        serverOf(row) === 'baseline'
          ? ''
          : row.postgres?.waits
              .slice(0, 3)
              .map((w) => `${w.event} ${fixed(w.backends / Math.max(1, row.postgres!.samples), 2)}`)
              .join(', ') || 'none',
        String(row.failed),
      ];
    }),
  )}`;
}
