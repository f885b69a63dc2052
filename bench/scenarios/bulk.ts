/**
 * Bulk import rate: POST /v1/invitations/bulk with full batches, one after another, of link
 * invitations and of email invitations (each to its own address, as an imported list would be).
 * The worker is off so the email batches' outbox rows are not drained while the import is timed.
 * Reports "not available" when the running Usher's OpenAPI has no createInvitationsInBulk.
 */
import type { DatabaseServer } from '../databases';
import { callJson } from '../http';
import { percentile } from '../load';
import type { BenchOptions } from '../options';
import type { BulkRow, Results } from '../results';
import { AUTH_HEADERS, startUsher } from '../usher-process';
import { withServer } from '../with-server';

const OPERATION = 'createInvitationsInBulk';

interface BulkResponse {
  readonly summary?: { created?: number; duplicate?: number; invalid?: number };
}

/** The path of the bulk operation in the OpenAPI document, or null. */
async function bulkPath(url: string): Promise<string | null> {
  const document = await callJson<{ paths: Record<string, Record<string, { operationId?: string }>> }>(
    url,
    'GET',
    '/openapi.json',
  );
  for (const [path, operations] of Object.entries(document.paths)) {
    if (Object.values(operations).some((operation) => operation.operationId === OPERATION))
      return path.startsWith('/v1') ? path : `/v1${path}`;
  }
  return null;
}

function items(kind: 'link' | 'email', batch: number, count: number): unknown[] {
  return Array.from({ length: count }, (_, i) =>
    kind === 'link'
      ? { channel: 'link', label: `Bulk ${batch}-${i}` }
      : { channel: 'email', recipient: { email: `bulk-${batch}-${i}@example.org`, name: `Person ${batch}-${i}` } },
  );
}

async function importBatches(
  url: string,
  path: string,
  kind: 'link' | 'email',
  options: BenchOptions,
  engine: DatabaseServer['name'],
  log: (line: string) => void,
): Promise<BulkRow> {
  const latencies: number[] = [];
  let created = 0;
  let refused = 0;
  let size = options.bulkItems;
  const started = performance.now();
  let batch = 0;
  // Up to bulkRequests batches, but no new one after 20 s: a slow engine still gets a full batch measured.
  for (; batch < options.bulkRequests && (batch === 0 || performance.now() - started < 20_000); batch++) {
    const body = JSON.stringify({
      defaults: { role: 'member', message: 'Welcome aboard' },
      items: items(kind, batch, size),
    });
    const sent = performance.now();
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: AUTH_HEADERS, body });
    const text = await response.text();
    latencies.push(performance.now() - sent);
    if (response.status === 413 && size > 1) {
      // Say so rather than fail: a full batch not fitting the body limit is itself a finding.
      log(
        `  ${kind}: ${size} items (${Math.round(body.length / 1024)} KB) refused with 413; trying ${Math.floor(size / 2)}`,
      );
      size = Math.floor(size / 2);
      batch -= 1;
      latencies.pop();
      continue;
    }
    if (!response.ok)
      return { engine, available: false, reason: `${kind} batch answered ${response.status}: ${text.slice(0, 200)}` };
    const summary = (JSON.parse(text) as BulkResponse).summary ?? {};
    created += summary.created ?? 0;
    refused += (summary.duplicate ?? 0) + (summary.invalid ?? 0);
  }
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    engine,
    available: true,
    kind,
    requests: batch,
    itemsPerRequest: size,
    created,
    refused,
    seconds,
    itemsPerS: created / seconds,
    requestP50Ms: percentile(sorted, 50),
    requestMaxMs: sorted.at(-1) ?? Number.NaN,
  };
}

export async function runBulk(
  results: Results,
  databases: DatabaseServer,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<void> {
  const engine = databases.name;
  const database = await databases.create('bulk');
  try {
    await withServer(
      results,
      { engine, phase: 'bulk import' },
      () => startUsher({ databaseUrl: database.url, env: { USHER_RUN_WORKER: 'false' } }),
      async (usher) => {
        const path = await bulkPath(usher.url);
        if (!path) {
          results.bulk.push({ engine, available: false, reason: `/openapi.json has no ${OPERATION} operation yet` });
          log(`  not available: /openapi.json has no ${OPERATION} operation yet`);
          return;
        }
        for (const kind of ['link', 'email'] as const) {
          const row = await importBatches(usher.url, path, kind, options, engine, log);
          results.bulk.push(row);
          log(
            row.available
              ? `  ${kind.padEnd(5)} ${row.created} created in ${row.seconds.toFixed(1)} s = ${row.itemsPerS.toFixed(0)} items/s (request p50 ${row.requestP50Ms.toFixed(0)} ms)`
              : `  ${row.reason}`,
          );
        }
      },
    );
  } finally {
    await database.drop();
  }
}
