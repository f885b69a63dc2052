import { describe, expect, it } from 'vitest';
import { parseOptions } from '../bench/options';
import { postgresVerdicts } from '../bench/postgres-targets';
import { emptyResults as emptyRun, type LoadRow, type Results } from '../bench/results';
import { alternate, type Contender, type WriteScenario } from '../bench/scenarios/alternate';

/** A run's results on postgres-durable with nothing measured yet. */
function emptyResults(): Results {
  const results = emptyRun(parseOptions([], {}), {} as Results['machine']);
  results.engines.push({ engine: 'postgres-durable', version: '15' });
  return results;
}

const loadRow = (server: LoadRow['server'], scenario: string, connections: number, usher: number, pg?: number) =>
  ({
    engine: 'postgres-durable',
    server,
    scenario,
    connections,
    ok: 1000,
    failed: 0,
    statusCodes: {},
    seconds: 1,
    rps: 1000,
    p50: 1,
    p99: 2,
    mean: 1,
    serverCpuMsPerRequest: usher,
    ...(pg === undefined ? {} : { postgresCpuMsPerRequest: pg }),
  }) satisfies LoadRow;

const verdictOf = (results: Results, target: string) => {
  const found = postgresVerdicts(results, 'postgres-durable').find((v) => v.target.startsWith(target));
  if (!found) throw new Error(`no target ${target}`);
  return found;
};

describe("the report's PostgreSQL targets", () => {
  it('judges Usher + PostgreSQL CPU, with the floor beside it', () => {
    const results = emptyResults();
    results.load.push(
      loadRow('usher', 'create', 10, 0.7, 0.6),
      loadRow('usher', 'create', 100, 0.9, 0.7),
      loadRow('floor', 'create', 10, 0.2, 0.3),
    );
    expect(verdictOf(results, 'create: Usher + PostgreSQL CPU per request, 10 ')).toMatchObject({
      measured: '0.70 + 0.60 = 1.30 ms',
      floor: '0.20 + 0.30 = 0.50 ms',
      pass: true,
    });
    expect(verdictOf(results, 'create: Usher + PostgreSQL CPU per request, 100 ').pass).toBe(false);
  });

  it('says "not measured" where PostgreSQL\'s CPU or the run is missing, never PASS', () => {
    const results = emptyResults();
    // A remote server: Usher's CPU only.
    results.load.push(loadRow('usher', 'accept', 10, 0.1));
    expect(verdictOf(results, 'accept: Usher + PostgreSQL CPU per request, 10 ').pass).toBeNull();
    expect(verdictOf(results, 'accept: Usher + PostgreSQL CPU per request, 100 ').pass).toBeNull();
    expect(verdictOf(results, 'outbox drain').pass).toBeNull();
    expect(verdictOf(results, '2 Usher processes').pass).toBeNull();
  });

  it('judges the list p99 only on a store of 1,000,000 invitations', () => {
    const results = emptyResults();
    const scaleRow = (storeRows: number) => ({
      ...loadRow('usher', 'list', 10, 0.5),
      query: 'list, first page',
      path: '/v1/invitations',
      storeRows,
    });
    results.scale.push(scaleRow(100_000));
    expect(verdictOf(results, 'list p99').pass).toBeNull();
    results.scale.splice(0, 1, scaleRow(1_000_000));
    expect(verdictOf(results, 'list p99').pass).toBe(true);
  });

  it('fails the two-worker drain on an email sent twice, whatever its rate', () => {
    const results = emptyResults();
    const drain = {
      engine: 'postgres-durable' as const,
      workers: 2,
      duplicates: 1,
      emails: 5000,
      warmup: 5000,
      warmPerS: 2000,
      warmWorkerCpuMsPerEmail: 0.5,
      createPerS: 500,
      received: 10_001,
      steadyPerS: 2000,
      overallPerS: 2000,
      firstMailAfterS: 0.1,
      lastMailAfterS: 5,
      depthZeroAfterS: 5,
      workerCpuMsPerEmail: 0.5,
      sinkCpuMsPerEmail: 0.2,
    };
    results.drain.push(drain);
    expect(verdictOf(results, 'outbox drain').pass).toBe(false);
    results.drain.splice(0, 1, { ...drain, duplicates: 0, received: 10_000 });
    expect(verdictOf(results, 'outbox drain').pass).toBe(true);
  });
});

describe("the matrix's alternating order", () => {
  it('runs each step in turn, rotating who goes first, rewarming each, skipping what a server does not run', async () => {
    const ran: string[] = [];
    const contender = (name: LoadRow['server'], levels: (scenario: WriteScenario) => readonly number[]): Contender => ({
      name,
      levels,
      warm: async (scenario) => void ran.push(`${name} warm ${scenario}`),
      rewarm: async (scenario, connections) => void ran.push(`${name} ${scenario} ${connections} rewarm`),
      run: async (scenario, connections) => loadRow(name, scenario, connections, 1),
      record: async (scenario, run) => {
        const row = await run();
        ran.push(`${name} ${scenario} ${row.connections}`);
      },
    });
    await alternate(
      [
        contender('usher', () => [10, 100]),
        contender('baseline', (s) => (s === 'create (email)' ? [] : [10, 100])),
        contender('floor', (s) => (s === 'create (email)' ? [] : [10])),
      ],
      [10, 100],
    );
    // Each measured run right after its short unmeasured one.
    expect(ran.filter((line) => line.endsWith(' rewarm'))).toHaveLength(12);
    ran.forEach((line, i) => {
      if (line.endsWith(' rewarm')) expect(ran[i + 1]).toBe(line.slice(0, -' rewarm'.length));
    });
    expect(ran.filter((line) => !line.endsWith(' rewarm'))).toEqual([
      'usher warm create',
      'baseline warm create',
      'floor warm create',
      'usher create 10',
      'baseline create 10',
      'floor create 10',
      'baseline create 100',
      'usher create 100',
      'usher warm create (email)',
      'usher create (email) 10',
      'usher create (email) 100',
      'usher warm accept',
      'baseline warm accept',
      'floor warm accept',
      'floor accept 10',
      'usher accept 10',
      'baseline accept 10',
      'usher accept 100',
      'baseline accept 100',
    ]);
  });
});
