/**
 * The matrix's floor, on either engine: Usher's own statements for a create and an accept,
 * captured from the real app and replayed straight on the driver (bench/floor-capture.ts,
 * bench/floor-replay.ts). It replaced bench/floor-server.ts, which wrote by hand what Usher writes
 * behind Hono: it measured slower than Usher itself (create 0.47 vs 0.39 ms, 2026-12-06), so it was
 * no floor, and it ran on SQLite only.
 */
import type { DatabaseServer } from '../databases';
import { captureFloor } from '../floor-capture';
import { replayFloor } from '../floor-replay';
import type { BenchOptions } from '../options';
import type { Results } from '../results';
import { describeRun } from './recorder';

export async function runFloor(
  results: Results,
  databases: DatabaseServer,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<void> {
  const database = await databases.create('floor');
  try {
    const capture = await captureFloor(database.url, databases.engine);
    log(
      `  floor: a create runs ${capture.creates[0].length} statements, an accept ${capture.accepts[0].length}, replayed on the driver`,
    );
    const ops = options.quick ? 1_000 : 10_000;
    const runs = await replayFloor(database.url, databases.engine, capture, ops, databases.postmasterPid);
    for (const scenario of ['create', 'accept'] as const) {
      const run = runs[scenario];
      results.load.push({ engine: databases.name, server: 'floor', scenario, ...run });
      log(`  floor    ${scenario.padEnd(16)} c=${String(run.connections).padEnd(3)} ${describeRun(run)}`);
    }
  } finally {
    await database.drop();
  }
}
