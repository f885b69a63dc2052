import type { RowResult } from './bulk-import';
import { csvLine } from './csv-format';
import type { LineSink } from './output-file';
import { renderTable, type Column, type TableStyle } from './table';

/** Counts of an import so far. */
export interface ImportTally {
  rows: number;
  created: number;
  /** Created by an earlier run of the same batch and answered again: not new. */
  replayed: number;
  duplicate: number;
  invalid: number;
}

/** The invalid rows kept for the listing at the end; the rest are counted, and all are in --report and --json. */
export const INVALID_LISTED = 100;

/** "1 row", "2 rows". */
export const rowCount = (n: number): string => (n === 1 ? '1 row' : `${n} rows`);

/** A tally before the first batch. */
export const emptyTally = (): ImportTally => ({ rows: 0, created: 0, replayed: 0, duplicate: 0, invalid: 0 });

/** Adds a batch's results to the tally. */
export function countResults(tally: ImportTally, results: readonly RowResult[]): void {
  for (const result of results) {
    tally.rows += 1;
    if (result.outcome === 'created' && result.replayed) tally.replayed += 1;
    else tally[result.outcome] += 1;
  }
}

/** "1995 created, 2 duplicate, 3 invalid", with the replayed ones when there are any. */
export function tallyText(tally: ImportTally): string {
  const parts = [`${tally.created} created`, `${tally.duplicate} duplicate`, `${tally.invalid} invalid`];
  if (tally.replayed > 0) parts.push(`${tally.replayed} already imported by an earlier run`);
  return parts.join(', ');
}

/** How far an import has come, for the progress line: "500 rows (498 created, …)". */
export const progressText = (tally: ImportTally): string => `${rowCount(tally.rows)} (${tallyText(tally)})`;

/** The closing summary, with the rate. */
export function summaryText(tally: ImportTally, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  return `Imported ${rowCount(tally.rows)} in ${seconds.toFixed(1)} s (${Math.round(tally.rows / seconds)} rows/s): ${tallyText(tally)}\n`;
}

/**
 * The CSV column a problem's field names: `body.items.3.recipient.email` → `email`,
 * `body.items.3.target.iri` → `target_iri`, `body.items.3.expiresAt` → `expires_at`.
 */
export function columnOf(field: string | null): string | null {
  if (!field) return null;
  return field
    .replace(/^body\.items\.\d+\./, '')
    .replace(/^recipient\./, '')
    .replace(/^target\./, 'target_')
    .replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

const invalidColumns: readonly Column<RowResult>[] = [
  { header: 'line', value: (r) => r.line },
  { header: 'email', value: (r) => r.email },
  { header: 'code', value: (r) => r.problem?.code },
  { header: 'field', value: (r) => columnOf(r.problem?.field ?? null) },
  { header: 'detail', value: (r) => r.problem?.detail },
];

/** The invalid rows as a table, saying how many more there are beyond the listed ones. */
export function invalidRowsText(listed: readonly RowResult[], total: number, style: TableStyle): string {
  if (total === 0) return '';
  const more =
    total > listed.length ? `… and ${total - listed.length} more invalid rows: see --report <file> or --json\n` : '';
  return `\nInvalid rows (not imported):\n${renderTable(listed, invalidColumns, style)}${more}`;
}

const REPORT_HEADER = ['line', 'email', 'outcome', 'id', 'url', 'code', 'detail'];

/** Writes --report: one CSV line a row, the header first. */
export function createReportWriter(sink: LineSink) {
  let started = false;
  return async (results: readonly RowResult[]) => {
    if (!started) await sink.write(csvLine(REPORT_HEADER));
    started = true;
    // A row created by an earlier run has its id and an empty url: the link was shown to that run only.
    for (const r of results)
      await sink.write(csvLine([r.line, r.email, r.outcome, r.id, r.url, r.problem?.code, r.problem?.detail]));
  };
}
