/** `/metrics` (Prometheus text format) and `/readyz` (can this process serve: does the store answer, can it write?). */
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { checkStore, type Database } from '#db';
import { errorMessage } from '#common/errors';
import { httpProblem } from '#http/problem';
import type { Metrics } from './metrics';

const READY_TIMEOUT_MS = 2_000;

export interface ObservabilityOptions {
  readonly db: Kysely<Database>;
  readonly metrics: Metrics;
  /** True once the process is shutting down: `/readyz` answers 503 so load balancers move traffic off. */
  readonly isShuttingDown?: () => boolean;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
}

export function createObservabilityRoutes(options: ObservabilityOptions) {
  const expected = options.metricsToken === undefined ? undefined : Buffer.from(`Bearer ${options.metricsToken}`);
  return new Hono()
    .get('/metrics', async (c) => {
      if (expected && !sameBytes(expected, c.req.header('authorization'))) {
        return httpProblem(
          'unauthorized',
          'send Authorization: Bearer <USHER_METRICS_TOKEN>',
          { field: 'header.authorization' },
          { 'www-authenticate': 'Bearer realm="metrics"' },
        );
      }
      return c.body(await options.metrics.registry.metrics(), 200, {
        'content-type': options.metrics.registry.contentType,
      });
    })
    .get('/readyz', async (c) => {
      if (options.isShuttingDown?.()) return c.json({ status: 'unavailable', reason: 'shutting down' }, 503);
      try {
        // An exhausted pool would otherwise make the probe hang instead of saying "not ready".
        await Promise.race([
          checkStore(options.db),
          new Promise((_, reject) =>
            setTimeout(
              () => reject(new Error(`the database did not answer within ${READY_TIMEOUT_MS} ms`)),
              READY_TIMEOUT_MS,
            ).unref(),
          ),
        ]);
        return c.json({ status: 'ready' }, 200);
      } catch (error) {
        return c.json({ status: 'unavailable', reason: errorMessage(error) }, 503);
      }
    });
}

/** Compares in constant time, so the token cannot be guessed a byte at a time from response times. */
function sameBytes(expected: Buffer, given: string | undefined): boolean {
  if (given === undefined) return false;
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
