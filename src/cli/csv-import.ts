import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import type { Schemas } from '#sdk';

type CreateInvitation = Schemas['CreateInvitation'];

/** The columns `usher import` reads, besides any `metadata.<key>`; the names match `usher export`'s. */
export const IMPORT_COLUMNS = [
  'email',
  'name',
  'role',
  'message',
  'target_type',
  'target_iri',
  'target_name',
  'purpose',
  'locale',
  'expires_at',
  'channel',
  'label',
  'rules',
  'metadata',
] as const;

/** One data row of the file: what to send, or why it could not be read. */
export interface CsvRow {
  /** The line the row starts on, counting the header as line 1. */
  readonly line: number;
  readonly email: string | null;
  /** The invitation the row describes; null when the row is not valid CSV (`malformed` says why). */
  readonly item: CreateInvitation | null;
  readonly malformed?: string;
  /** How far into the file this row ends, in bytes: progress for a file of any size. */
  readonly bytes: number;
}

/** What the reader reports about the header before the first row. */
export interface CsvHeaderCheck {
  (columns: readonly string[], unknown: readonly string[]): void;
}

const isKnown = (column: string) =>
  (IMPORT_COLUMNS as readonly string[]).includes(column) || /^metadata\..+/.test(column);

/**
 * The file's rows, streamed: a header row, then one invitation a row. Empty cells are left out so the
 * import's defaults apply; a row that is not valid CSV (wrong number of fields) is yielded as malformed
 * instead of ending the import. `checkHeader` may throw to refuse the file before anything is sent.
 */
export async function* readCsvRows(path: string, checkHeader: CsvHeaderCheck): AsyncGenerator<CsvRow> {
  const skipped: CsvRow[] = [];
  const parser = parse({
    bom: true,
    // Spaces around a field go (hand-made files have them); spaces inside quotes stay, as `usher export` wrote them.
    trim: true,
    skip_empty_lines: true,
    info: true,
    columns: (header: string[]) => {
      const columns = header.map((name) => name.trim());
      checkHeader(
        columns,
        columns.filter((name) => !isKnown(name)),
      );
      return columns;
    },
    skip_records_with_error: true,
    on_skip: (error) => {
      const line = typeof error?.lines === 'number' ? error.lines : 0;
      skipped.push({
        line,
        email: null,
        item: null,
        malformed: error?.message ?? 'not valid CSV',
        bytes: parser.info.bytes,
      });
      return undefined;
    },
  });
  // pipeline, not pipe: a read error (a directory, a vanished file) ends the loop below instead of hanging it.
  pipeline(createReadStream(path), parser, () => undefined);
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number; bytes: number };
  }>) {
    yield* skipped.splice(0);
    const values = Object.values(record);
    // info.lines is where the record ends; a quoted value with line breaks started it earlier.
    const line = info.lines - values.reduce((breaks, value) => breaks + (value.match(/\r?\n/g)?.length ?? 0), 0);
    const cells = Object.fromEntries(Object.entries(record).filter(([, value]) => value !== ''));
    yield { line, email: cells.email ?? null, item: invitationFromCells(cells), bytes: info.bytes };
  }
  yield* skipped.splice(0);
}

/**
 * A row's invitation. Doubtful values go as they are (a target without a type, metadata that is not
 * JSON): the server judges every row the same way and its answer names the field.
 */
function invitationFromCells(cells: Readonly<Record<string, string>>): CreateInvitation {
  const recipient = Object.fromEntries(
    Object.entries({ email: cells.email, name: cells.name }).filter(([, value]) => value !== undefined),
  );
  const hasTarget =
    cells.target_type !== undefined || cells.target_iri !== undefined || cells.target_name !== undefined;
  const target =
    cells.target_type === 'tenant'
      ? { type: 'tenant' }
      : { type: cells.target_type, iri: cells.target_iri, name: cells.target_name };
  const metadata = metadataOf(cells);
  const item: Record<string, unknown> = {
    channel: cells.channel,
    recipient: Object.keys(recipient).length > 0 ? recipient : undefined,
    target: hasTarget ? target : undefined,
    role: cells.role,
    rules: cells.rules
      ?.split(';')
      .map((rule) => rule.trim())
      .filter((rule) => rule !== ''),
    message: cells.message,
    label: cells.label,
    purpose: cells.purpose,
    locale: cells.locale,
    expiresAt: cells.expires_at,
    metadata,
  };
  return Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined)) as CreateInvitation;
}

function metadataOf(cells: Readonly<Record<string, string>>): unknown {
  const keyed = Object.entries(cells).filter(([column]) => column.startsWith('metadata.'));
  if (cells.metadata === undefined && keyed.length === 0) return undefined;
  let base: unknown = {};
  if (cells.metadata !== undefined) {
    try {
      base = JSON.parse(cells.metadata);
    } catch {
      return cells.metadata;
    }
  }
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return base;
  return { ...base, ...Object.fromEntries(keyed.map(([column, value]) => [column.slice('metadata.'.length), value])) };
}
