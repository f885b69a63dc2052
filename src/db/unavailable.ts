/**
 * Which driver errors mean "the database cannot serve now" (down, restarting, unreachable, full)
 * rather than "this request or this code is at fault". Requests that meet one answer 503 with
 * Retry-After (`handleError`), and the same request is expected to work once the database is back.
 */

/** PostgreSQL SQLSTATEs of an outage: class 08 is tested by prefix. */
const POSTGRES_CODES = new Set([
  '57P01', // admin_shutdown: the server is stopping (pg_ctl stop -m fast)
  '57P02', // crash_shutdown: another backend crashed and the server is resetting
  '57P03', // cannot_connect_now: starting up or shutting down
  '53100', // disk_full: PostgreSQL's SQLITE_FULL
  '53200', // out_of_memory
  '53300', // too_many_connections
]);

/** What Node's sockets say when the server went away or cannot be reached. */
const NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * SQLite's result codes (better-sqlite3 names them, extended codes included) for a store that cannot
 * write: disk full, I/O errors, a lock held past busy_timeout, a file gone read-only or unopenable.
 */
const SQLITE_PREFIXES = ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_BUSY', 'SQLITE_READONLY', 'SQLITE_CANTOPEN'];

/**
 * node-pg's own errors carry no code: the connection ended under a query, the pool waited
 * `connectionTimeoutMillis` for a connection, or a client broken by one of those was used again.
 */
const POSTGRES_CLIENT_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /is not queryable$/,
];

/**
 * True when the error, its cause, or one of an AggregateError's errors (a refused connection to each
 * address of a host) is a connection-level or storage failure.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  type Candidate = { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  const { code, message, cause, errors } = error as Candidate;
  if (typeof code === 'string' && isUnavailableCode(code)) return true;
  if (typeof message === 'string' && code === undefined) {
    if (POSTGRES_CLIENT_MESSAGES.some((pattern) => pattern.test(message))) return true;
  }
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}

function isUnavailableCode(code: string): boolean {
  if (code.startsWith('SQLITE_')) {
    return SQLITE_PREFIXES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`));
  }
  return (code.length === 5 && code.startsWith('08')) || POSTGRES_CODES.has(code) || NODE_CODES.has(code);
}
