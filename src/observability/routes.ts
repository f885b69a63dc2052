/** `/metrics` (Prometheus text format) and `/readyz` (can this process serve: is the database answering?). */
import { Hono } from 'hono';
import { sql, type Kysely } from 'kysely';
import type { Database } from '#db';
import type { Metrics } from './metrics';

export function createObservabilityRoutes(options: { readonly db: Kysely<Database>; readonly metrics: Metrics }) {
  return new Hono()
    .get('/metrics', async (c) => c.body(await options.metrics.registry.metrics(), 200, { 'content-type': options.metrics.registry.contentType }))
    .get('/readyz', async (c) => {
      try {
        await sql`select 1`.execute(options.db);
        return c.json({ status: 'ready' }, 200);
      } catch (error) {
        return c.json({ status: 'unavailable', reason: error instanceof Error ? error.message : String(error) }, 503);
      }
    });
}
