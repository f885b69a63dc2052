/** Turns results into the markdown tables and target verdicts that the run prints and docs/benchmarks.md shows. */
import type { StoreName } from './databases';
import { fixed, table } from './markdown-table';
import { postgresStatsReport, processesReport } from './postgres-report';
import { postgresTargetsReport } from './postgres-targets';
import type { LoadRow, Results } from './results';

const cpu = (row: LoadRow) => fixed(row.serverCpuMsPerRequest ?? Number.NaN, 2);
const whole = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en') : '–');

function find(
  results: Results,
  engine: StoreName,
  server: LoadRow['server'],
  scenario: string,
  connections: number,
): LoadRow | undefined {
  return results.load.find(
    (row) =>
      row.engine === engine && row.server === server && row.scenario === scenario && row.connections === connections,
  );
}

const SERVER_ORDER: readonly LoadRow['server'][] = ['usher', 'baseline', 'floor'];

function matrixTable(results: Results, engine: StoreName): string {
  // PostgreSQL's postmaster and backends, beside the server's own CPU, when the database runs on this machine.
  const withPostgres = results.load.some((row) => row.engine === engine && row.postgresCpuMsPerRequest !== undefined);
  // The servers took turns (scenarios/alternate.ts); the table keeps each server's runs together, Usher's first.
  const rows = results.load
    .filter((row) => row.engine === engine)
    .sort((a, b) => SERVER_ORDER.indexOf(a.server) - SERVER_ORDER.indexOf(b.server))
    .map((row) => {
      const baseline =
        row.server === 'usher' ? find(results, engine, 'baseline', row.scenario, row.connections) : undefined;
      // The floor runs at 10 operations at a time only: every Usher run is set against it.
      const floor = row.server === 'usher' ? find(results, engine, 'floor', row.scenario, 10) : undefined;
      const total = (r: LoadRow) => (r.serverCpuMsPerRequest ?? Number.NaN) + (r.postgresCpuMsPerRequest ?? 0);
      return [
        row.server,
        row.scenario,
        String(row.connections),
        whole(row.rps),
        fixed(row.p50, 2),
        fixed(row.p99, 2),
        baseline ? `${fixed((100 * row.rps) / baseline.rps, 0)}%` : '',
        floor ? `${fixed((100 * row.rps) / floor.rps, 0)}%` : '',
        floor ? `${fixed(total(row) / total(floor), 1)}×` : '',
        fixed(row.serverCpuMsPerRequest ?? Number.NaN, 2),
        ...(withPostgres
          ? [
              fixed(row.postgresCpuMsPerRequest ?? Number.NaN, 2),
              fixed((row.serverCpuMsPerRequest ?? Number.NaN) + (row.postgresCpuMsPerRequest ?? Number.NaN), 2),
            ]
          : []),
        row.failed > 0
          ? `${row.failed} (${Object.entries(row.statusCodes)
              .filter(([code]) => !code.startsWith('2'))
              .map(([code, n]) => `${code}×${n}`)
              .join(' ')})`
          : '0',
      ];
    });
  return table(
    [
      'server',
      'scenario',
      'connections',
      'req/s',
      'p50 ms',
      'p99 ms',
      'of baseline',
      'of floor',
      'CPU ÷ floor CPU',
      'server CPU ms/req',
      ...(withPostgres ? ['PostgreSQL CPU ms/req', 'server + PostgreSQL ms/req'] : []),
      'failed',
    ],
    rows,
  );
}

function scaleTable(results: Results, engine: StoreName): string {
  const rows = results.scale
    .filter((row) => row.engine === engine)
    .map((row) => [
      row.query,
      `\`${row.path.length > 70 ? `${row.path.slice(0, 67)}…` : row.path}\``,
      String(row.connections),
      whole(row.rps),
      fixed(row.p50, 2),
      fixed(row.p99, 2),
      fixed(row.serverCpuMsPerRequest ?? Number.NaN, 2),
      String(row.failed),
    ]);
  return table(['query', 'request', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'failed'], rows);
}

/** A target: its verdict and the figures behind it. */
export interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean | null;
}

/** The issue's targets, judged on SQLite as stated there (PostgreSQL's: postgres-targets.ts). */
export function verdicts(results: Results): Verdict[] {
  const out: Verdict[] = [];
  for (const scenario of ['create', 'accept']) {
    for (const connections of [10, 100]) {
      const usher = find(results, 'sqlite', 'usher', scenario, connections);
      const baseline = find(results, 'sqlite', 'baseline', scenario, connections);
      const floor = find(results, 'sqlite', 'floor', scenario, connections);
      const ratio = usher && baseline ? usher.rps / baseline.rps : Number.NaN;
      // The floor is Usher's own writes without its layers: how far the work itself lets the ratio go.
      const floorText =
        usher && floor && baseline
          ? `; the floor (Usher's writes alone) ${whole(floor.rps)} req/s = ${fixed((100 * floor.rps) / baseline.rps, 0)}% of baseline, CPU ${cpu(floor)} ms; Usher is ${fixed((100 * usher.rps) / floor.rps, 0)}% of the floor`
          : '';
      out.push({
        target: `${scenario} ≥ 60% of the bare baseline (SQLite, ${connections} connections)`,
        measured:
          usher && baseline
            ? `${whole(usher.rps)} vs ${whole(baseline.rps)} req/s = ${fixed(100 * ratio, 0)}%; server CPU ${cpu(usher)} vs ${cpu(baseline)} ms/request${floorText}`
            : 'not measured',
        pass: Number.isFinite(ratio) ? ratio >= 0.6 : null,
      });
    }
  }
  for (const scenario of ['create', 'accept']) {
    const rows = [10, 100]
      .flatMap((connections) => find(results, 'sqlite', 'usher', scenario, connections) ?? [])
      .filter((row) => row.serverCpuMsPerRequest !== undefined);
    out.push({
      target: `${scenario}: server CPU ≤ 0.5 ms per request (SQLite, 10 and 100 connections)`,
      measured: rows.length ? rows.map((row) => `${cpu(row)} ms at ${row.connections}`).join(', ') : 'not measured',
      pass: rows.length ? rows.every((row) => row.serverCpuMsPerRequest! <= 0.5) : null,
    });
  }
  const atTen = results.scale.filter((row) => row.engine === 'sqlite' && row.connections === 10);
  const slowest = [...atTen].sort((a, b) => b.p99 - a.p99)[0];
  out.push({
    target: `list p99 < 20 ms with ${slowest ? slowest.storeRows.toLocaleString('en') : '1,000,000'} invitations, 10 connections, every filter (SQLite)`,
    measured: slowest
      ? `${atTen.length} queries; the slowest, ${slowest.query}: p99 ${fixed(slowest.p99, 2)} ms (p50 ${fixed(slowest.p50, 2)} ms)`
      : 'not measured',
    pass: slowest ? slowest.p99 < 20 : null,
  });
  const drain = results.drain.find((row) => row.engine === 'sqlite');
  out.push({
    target: 'outbox drain ≥ 1,000 emails/s into SMTP (SQLite)',
    measured: drain
      ? `${whole(drain.warmPerS)} emails/s after the worker's first ${drain.warmup.toLocaleString('en')}, ${whole(drain.overallPerS)} from worker start (${drain.received} of ${drain.emails + drain.warmup})${drain.bare ? `; the bare SMTP sender ${whole(drain.bare.warmPerS)}/s in the same run (${whole((100 * drain.warmPerS) / drain.bare.warmPerS)}%)` : ''}`
      : 'not measured',
    pass: drain ? drain.warmPerS >= 1000 : null,
  });
  const usherMemory = results.memory.filter(
    (row) => row.engine === 'sqlite' && !row.phase.startsWith('baseline') && !row.phase.startsWith('floor'),
  );
  const peak = Math.max(...usherMemory.map((row) => row.hwmMb));
  out.push({
    target: 'Usher server RSS < 200 MB under load (SQLite)',
    measured: usherMemory.length ? `peak ${fixed(peak, 0)} MB (VmHWM, worst phase)` : 'not measured',
    pass: usherMemory.length ? peak < 200 : null,
  });
  return out;
}

/** The whole report as markdown: the run prints it and writes it beside the JSON. */
export function renderReport(results: Results): string {
  const parts: string[] = [];
  const { machine } = results;
  parts.push(
    `Run ${results.startedAt} → ${results.finishedAt ?? '…'}${results.options.quick ? ' (QUICK: smoke-test durations, not for publishing)' : ''}`,
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.ramGb} GB RAM; Node ${machine.node}; SQLite ${machine.sqlite} (better-sqlite3 ${machine.packages['better-sqlite3']})${results.engines.some((e) => e.engine === 'postgres') ? `; PostgreSQL ${results.engines.find((e) => e.engine === 'postgres')!.version}` : ''}; ${fixed(machine.busyCoresAtStart, 2)} cores busy with other work at the start (load average ${fixed(machine.loadAtStart, 2)})`,
  );
  for (const note of results.notes) parts.push(`Note: ${note}`);
  for (const { engine } of results.engines) {
    if (results.load.some((row) => row.engine === engine))
      parts.push(
        `### Throughput and latency, ${engine} (${results.options.durationS} s per run)\n\n${matrixTable(results, engine)}`,
      );
    const postgres = postgresStatsReport(results, engine);
    if (postgres) parts.push(postgres);
    if (results.scale.some((row) => row.engine === engine)) {
      const seed = results.seed.find((row) => row.engine === engine);
      const seeded = seed
        ? ` (seeded ${seed.rows.toLocaleString('en')} rows in ${fixed(seed.seconds, 0)} s${seed.megabytes ? `, store ${whole(seed.megabytes)} MB` : ''})`
        : '';
      parts.push(
        `### List and filter with ${results.scale.find((row) => row.engine === engine)!.storeRows.toLocaleString('en')} invitations, ${engine}${seeded}\n\n${scaleTable(results, engine)}`,
      );
    }
  }
  const processes = processesReport(results);
  if (processes) parts.push(processes);
  if (results.bulk.length > 0) {
    parts.push(
      `### Bulk import\n\n${table(
        ['engine', 'items', 'requests × items', 'created', 'refused', 'items/s', 'request p50 ms', 'request max ms'],
        results.bulk.map((row) =>
          row.available
            ? [
                row.engine,
                row.kind,
                `${row.requests} × ${row.itemsPerRequest}`,
                String(row.created),
                String(row.refused),
                whole(row.itemsPerS),
                whole(row.requestP50Ms),
                whole(row.requestMaxMs),
              ]
            : [row.engine, `not available: ${row.reason}`, '', '', '', '', '', ''],
        ),
      )}`,
    );
  }
  if (results.drain.length > 0) {
    parts.push(
      `### Outbox drain into a local SMTP server\n\n${table(
        [
          'engine',
          'emails timed after warm-up',
          'created via API /s',
          'received',
          'emails/s after warm-up',
          'worker CPU ms/email after warm-up',
          'first to last mail /s',
          'from worker start /s',
          'first mail s',
          'last mail s',
          'outbox empty s',
          'worker CPU ms/email, all',
          'sink CPU ms/email',
          'bare sender emails/s after warm-up',
          'Usher / bare',
          'bare sender CPU ms/email',
        ],
        results.drain.map((row) => [
          // Two workers on one database: how many emails arrived twice (by Message-ID) is the claim's test.
          (row.workers ?? 1) > 1 ? `${row.engine}, ${row.workers} workers, ${row.duplicates} sent twice` : row.engine,
          `${row.emails} after ${row.warmup}`,
          whole(row.createPerS),
          String(row.received),
          whole(row.warmPerS),
          fixed(row.warmWorkerCpuMsPerEmail, 2),
          whole(row.steadyPerS),
          whole(row.overallPerS),
          fixed(row.firstMailAfterS, 2),
          fixed(row.lastMailAfterS, 2),
          row.depthZeroAfterS === null ? 'never' : fixed(row.depthZeroAfterS, 1),
          fixed(row.workerCpuMsPerEmail, 2),
          fixed(row.sinkCpuMsPerEmail, 2),
          row.bare ? whole(row.bare.warmPerS) : '–',
          row.bare ? `${whole((100 * row.warmPerS) / row.bare.warmPerS)}%` : '–',
          row.bare ? fixed(row.bare.senderCpuMsPerEmail, 2) : '–',
        ]),
      )}`,
    );
  }
  if (results.memory.length > 0) {
    parts.push(
      `### Server memory\n\n${table(
        [
          'engine',
          'phase',
          'VmRSS at start MB',
          'peak VmRSS sampled MB',
          'VmHWM MB',
          'V8 heap used / total MB at end',
          'external MB',
        ],
        results.memory.map((row) => [
          row.engine,
          row.phase,
          fixed(row.startRssMb, 0),
          fixed(row.peakRssMb, 0),
          fixed(row.hwmMb, 0),
          row.heapUsedMb === undefined
            ? ''
            : `${fixed(row.heapUsedMb, 0)} / ${fixed(row.heapTotalMb ?? Number.NaN, 0)}`,
          row.externalMb === undefined ? '' : fixed(row.externalMb, 0),
        ]),
      )}`,
    );
  }
  if (results.queries.length > 0) {
    parts.push(
      `### SQL statements per request (SQLite, counted in-process)\n\n${table(
        ['operation', 'statements', 'by kind'],
        results.queries.map((row) => [
          row.operation,
          String(row.statements),
          Object.entries(row.byKind)
            .map(([kind, n]) => `${kind} ${n}`)
            .join(', '),
        ]),
      )}`,
    );
  }
  for (const row of results.statementTimes) {
    parts.push(
      `### Time in SQLite per statement: ${row.operation} (in-process, ${row.connections} at a time, ${row.requests.toLocaleString('en')} requests)\n\n` +
        `CPU ${fixed(row.cpuUsPerRequest, 0)} µs a request, ${fixed(row.sqliteUsPerRequest, 0)} µs of it in SQLite calls.\n\n${table(
          ['µs a request', 'calls a request', 'statement'],
          row.statements
            .slice(0, 12)
            .map((s) => [
              fixed(s.usPerRequest, 1),
              fixed(s.perRequest, 2),
              `\`${s.sql.slice(0, 100).replace(/\|/g, '\\|')}\``,
            ]),
        )}`,
    );
  }
  for (const profile of results.profiles) {
    parts.push(
      `### CPU profile: ${profile.scenario} (self time)\n\n${table(
        ['area', 'self %'],
        profile.byArea.map((a) => [a.area, fixed(a.selfPercent, 1)]),
      )}\n\n${table(
        ['function', 'self %'],
        profile.topFunctions.map((f) => [`\`${f.name}\``, fixed(f.selfPercent, 1)]),
      )}`,
    );
  }
  const judged = verdicts(results);
  // A run of other phases only (profiles, say) measures no target: no table of "not measured".
  if (judged.some((v) => v.pass !== null)) {
    parts.push(
      `### Targets\n\n${table(
        ['target', 'measured', 'verdict'],
        judged.map((v) => [v.target, v.measured, v.pass === null ? 'not measured' : v.pass ? 'PASS' : 'MISS']),
      )}`,
    );
  }
  const postgresTargets = postgresTargetsReport(results);
  if (postgresTargets) parts.push(postgresTargets);
  return `${parts.join('\n\n')}\n`;
}
