/**
 * The matrix's floor, on either engine: Usher's own statements for a create, an accept and a list page,
 * captured from the real app and replayed straight on the driver (bench/floor-capture.ts,
 * bench/floor-replay.ts). It replaced bench/floor-server.ts, which wrote by hand what Usher writes
 * behind Hono: it measured slower than Usher itself (create 0.47 vs 0.39 ms, 2026-12-06), so it was
 * no floor, and it ran on SQLite only. It runs in this process, at 10 operations at a time, in turn
 * with Usher and the baseline (scenarios/alternate.ts).
 */
import type { DatabaseServer, ScratchDatabase } from '../databases';
import { captureFloor } from '../floor-capture';
import { FLOOR_CONCURRENCY, openFloor } from '../floor-replay';
import type { BenchOptions } from '../options';
import type { Contender } from './alternate';
import type { RecordRun } from './recorder';

/** The floor as a contender on `database` (a scratch database of `databases`); close() checks and closes it. */
export async function floorContender(
  database: ScratchDatabase,
  databases: DatabaseServer,
  options: BenchOptions,
  record: RecordRun,
  log: (line: string) => void,
): Promise<Contender & { readList(): Promise<void>; close(): Promise<void> }> {
  const capture = await captureFloor(database.url, databases.engine);
  log(
    `  floor: a create runs ${capture.creates[0].length} statements, an accept ${capture.accepts[0].length}, a list page ${capture.lists[0].length}, replayed on the driver`,
  );
  const floor = openFloor(database.url, capture, databases.postmasterPid);
  const ops = options.quick ? 1_000 : 10_000;
  // A tenth as many of each, unmeasured, before the first measured run.
  const warm = Math.max(FLOOR_CONCURRENCY, Math.floor(ops / 10));
  return {
    name: 'floor',
    levels: (scenario) => (scenario === 'create (email)' ? [] : [FLOOR_CONCURRENCY]),
    warm: async (scenario) => void (await (scenario === 'accept' ? floor.accept(warm) : floor.create(warm))),
    // Its pool keeps its connections, and its code stays compiled in this process: nothing to do before a turn.
    rewarm: async () => undefined,
    run: (scenario) => (scenario === 'accept' ? floor.accept(ops) : floor.create(ops)),
    record,
    // The list's floor, beside Usher's first page at 10 connections: reads are not taken in turns (matrix.ts).
    async readList() {
      await floor.list(warm);
      await record('list first page', () => floor.list(ops));
    },
    close: () => floor.close(),
  };
}
