/** `/metrics` (Prometheus text format) and `/readyz` (can this process serve: is the database answering?). */
import { Hono } from 'hono';
import { sql, type Kysely } from 'kysely';
import type { Database } from '#db';
import type { Metrics } from './metrics';

const READY_TIMEOUT_MS = 2_000;

export function createObservabilityRoutes(options: { readonly db: Kysely<Database>; readonly metrics: Metrics }) {
  return new Hono()
    .get('/metrics', async (c) => c.body(await options.metrics.registry.metrics(), 200, { 'content-type': options.metrics.registry.contentType }))
    .get('/readyz', async (c) => {
      try {
        // An exhausted pool would otherwise make the probe hang instead of saying "not ready".
        await Promise.race([
          sql`select 1`.execute(options.db),
          new Promise((_, reject) => setTimeout(() => reject(new Error(`the database did not answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS).unref()),
        ]);
        return c.json({ status: 'ready' }, 200);
      } catch (error) {
        return c.json({ status: 'unavailable', reason: error instanceof Error ? error.message : String(error) }, 503);
      }
    });
}
