import { AUTH_HEADERS } from './usher-process';

/** One authenticated JSON call to Usher; throws on a status other than `expect`. */
export async function callJson<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  expect = 200,
): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: AUTH_HEADERS,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (response.status !== expect)
    throw new Error(`${method} ${path}: expected ${expect}, got ${response.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** The token at the end of an invitation link (`…/i/<token>`), as Usher and the baseline answer a create. */
export function tokenFromBody(body: string): string | null {
  return /\/i\/([A-Za-z0-9_-]{43})"/.exec(body)?.[1] ?? null;
}

/** Hands out each prepared token once, across every connection of a load run. */
export function tokenQueue(tokens: readonly string[]): { take(): string | null; readonly left: number } {
  let next = 0;
  return {
    take: () => (next < tokens.length ? tokens[next++]! : null),
    get left() {
      return tokens.length - next;
    },
  };
}

/** Page size used to walk far into a listing: the largest the API allows. */
export const CURSOR_PAGE = 200;

/**
 * Walks a listing by its nextCursor, up to `maxPages` pages, and returns every cursor met with how
 * many rows precede it. A cursor is valid with any page size, so the deep one can be hammered at
 * the default size.
 */
export async function followCursors(
  base: string,
  path: string,
  maxPages: number,
): Promise<{ cursor: string; rowsIn: number }[]> {
  const cursors: { cursor: string; rowsIn: number }[] = [];
  const separator = path.includes('?') ? '&' : '?';
  let cursor: string | null = null;
  for (let page = 1; page <= maxPages; page++) {
    const next: { nextCursor: string | null } = await callJson(
      base,
      'GET',
      `${path}${separator}limit=${CURSOR_PAGE}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    if (!next.nextCursor) break;
    cursor = next.nextCursor;
    cursors.push({ cursor, rowsIn: page * CURSOR_PAGE });
  }
  return cursors;
}

/**
 * Waits until the server answers /healthz promptly again. A run that ends leaves the requests it
 * had in flight still running inside the server (a synchronous SQLite query blocks its event loop
 * for as long as it takes); the next run must not be measured behind them.
 */
export async function settle(base: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let prompt = 0;
  while (prompt < 3) {
    const started = performance.now();
    await fetch(`${base}/healthz`)
      .then((response) => response.arrayBuffer())
      .catch(() => undefined);
    prompt = performance.now() - started < 20 ? prompt + 1 : 0;
    if (Date.now() > deadline) throw new Error(`${base} did not settle within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
