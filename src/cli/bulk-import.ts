import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { unwrap, type Schemas, type UsherClient } from '#sdk';
import type { CsvRow } from './csv-import';

type CreateInvitation = Schemas['CreateInvitation'];

/** What became of one row of the file. */
export interface RowResult {
  readonly line: number;
  readonly email: string | null;
  readonly outcome: 'created' | 'duplicate' | 'invalid';
  /** True when the server answered from an earlier run of the same batch: nothing was created this time. */
  readonly replayed: boolean;
  /** The new invitation's id, or for a duplicate the pending one the recipient already has. */
  readonly id: string | null;
  /** The new link: shown once, null when replayed. */
  readonly url: string | null;
  readonly problem: { readonly code: string; readonly detail: string; readonly field: string | null } | null;
}

/** How to send the rows. */
export interface BulkImportOptions {
  /** Fields applied under every row (the flags); a row's own cells win. */
  readonly defaults: CreateInvitation | undefined;
  /** Rows per call to POST /v1/invitations/bulk (at most 5,000). */
  readonly batchSize: number;
  /** Told after each batch, with the batch's results in file order and how far into the file it reached. */
  readonly onBatch: (results: readonly RowResult[], bytes: number) => void | Promise<void>;
}

/** A tenant over its rate limit is told when to come back; a few waits keep a long import going. */
const RATE_LIMIT_RETRIES = 5;

/**
 * The batch's Idempotency-Key: a digest of what it sends. Rerunning an interrupted import sends the
 * same batches, so the ones that finished are replayed instead of created again.
 */
export function batchKey(defaults: CreateInvitation | undefined, items: readonly CreateInvitation[]): string {
  return `import-${createHash('sha256')
    .update(JSON.stringify({ defaults: defaults ?? null, items }))
    .digest('hex')}`;
}

/** Sends the rows in batches, one call at a time, so a large file never sits in memory at once. */
export async function importRows(
  client: UsherClient,
  rows: AsyncIterable<CsvRow>,
  options: BulkImportOptions,
): Promise<void> {
  let batch: CsvRow[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= options.batchSize) {
      await options.onBatch(await sendBatch(client, batch, options.defaults), batch.at(-1)!.bytes);
      batch = [];
    }
  }
  if (batch.length > 0) await options.onBatch(await sendBatch(client, batch, options.defaults), batch.at(-1)!.bytes);
}

async function sendBatch(
  client: UsherClient,
  rows: readonly CsvRow[],
  defaults: CreateInvitation | undefined,
): Promise<RowResult[]> {
  const sendable = rows.filter((row) => row.item !== null);
  const results = new Map<CsvRow, RowResult>();
  for (const row of rows) if (row.item === null) results.set(row, malformedResult(row));
  if (sendable.length > 0) {
    const items = sendable.map((row) => row.item!);
    const { body, replayed } = await postBulk(
      client,
      { ...(defaults ? { defaults } : {}), items },
      batchKey(defaults, items),
    );
    for (const result of body.results) {
      const row = sendable[result.index]!;
      results.set(row, {
        line: row.line,
        email: row.email,
        outcome: result.outcome,
        replayed,
        id: result.invitation?.id ?? result.existingInvitationId ?? null,
        url: result.invitation?.url ?? null,
        problem: result.problem
          ? { code: result.problem.code, detail: result.problem.detail, field: result.problem.field ?? null }
          : null,
      });
    }
  }
  return rows.map((row) => results.get(row)!);
}

async function postBulk(
  client: UsherClient,
  body: Schemas['BulkCreateInvitations'],
  key: string,
): Promise<{ body: Schemas['BulkResult']; replayed: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const call = client.POST('/v1/invitations/bulk', { params: { header: { 'idempotency-key': key } }, body });
    const { response } = await call;
    if (response.status === 429 && attempt < RATE_LIMIT_RETRIES) {
      // Safe to send again: the same key answers once whatever happened to this attempt.
      await sleep(Math.min(Number(response.headers.get('retry-after')) || 1, 60) * 1000);
      continue;
    }
    return { body: await unwrap(call), replayed: response.headers.get('idempotent-replayed') === 'true' };
  }
}

function malformedResult(row: CsvRow): RowResult {
  return {
    line: row.line,
    email: null,
    outcome: 'invalid',
    replayed: false,
    id: null,
    url: null,
    problem: { code: 'malformed_csv', detail: row.malformed ?? 'not valid CSV', field: null },
  };
}
