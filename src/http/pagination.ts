import { AppError } from '#common/errors';

/** A keyset position: the sort column's value and the id that breaks ties. */
export interface Cursor {
  readonly value: string;
  readonly id: string;
}

/** Opaque to clients: base64url of JSON, so it can grow without breaking them. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id]), 'utf8').toString('base64url');
}

/** Every sort column is a stored timestamp, and every id a UUID: a cursor holds nothing else. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Decodes a cursor from a query string; anything Usher did not issue is a 400 on `query.cursor`. */
export function decodeCursor(raw: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      ISO_INSTANT.test(String(parsed[0])) &&
      UUID.test(String(parsed[1]))
    ) {
      return { value: parsed[0] as string, id: parsed[1] as string };
    }
  } catch {
    // fall through to the refusal below
  }
  throw new AppError(
    'invalid_cursor',
    400,
    'The cursor is not valid',
    'pass back nextCursor exactly as received',
    'query.cursor',
  );
}

/** A page of results and where the next one starts (null on the last page). */
export interface Page<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}
