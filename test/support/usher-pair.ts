import { startUsher, stopAllUshers, type RunningUsher } from './process';
import type { Engine } from '#db';
import { createScratchDatabase, type ScratchDatabase } from './stores';

/** Two Usher processes on loopback, each on its own scratch database, allowed to reach each other. */
export interface UsherPair {
  readonly a: RunningUsher;
  readonly b: RunningUsher;
  /** Stops both processes and drops their databases. */
  stop(): Promise<void>;
}

/** Starts the pair that the federation tests (DIDComm, ActivityPub, providers) talk between. */
export async function startUsherPair(engine: Engine): Promise<UsherPair> {
  const databases: ScratchDatabase[] = await Promise.all([
    createScratchDatabase(engine),
    createScratchDatabase(engine),
  ]);
  const env = { USHER_ALLOW_PRIVATE_NETWORK: 'true', USHER_LOG_LEVEL: 'warn' };
  const [a, b] = await Promise.all(
    databases.map((d) => startUsher({ databaseUrl: d.url, env, startupTimeoutMs: 40_000 })),
  );
  return {
    a: a!,
    b: b!,
    async stop() {
      await stopAllUshers();
      await Promise.all(databases.map((d) => d.drop()));
    },
  };
}
