import type { Context, MiddlewareHandler } from 'hono';
import { httpProblem } from './problem';

/** Where, in a parsed JSON value, the first string holding U+0000 is; null when none. */
export function findNulCharacter(value: unknown, root: string): string | null {
  // Iterative on purpose: a hostile body may nest thousands of levels deep.
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return path;
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (key.includes('\u0000')) return `${path}.${key.replace(/\u0000/g, '\\0')}`;
        stack.push([child, `${path}.${key}`]);
      }
    }
  }
  return null;
}

const nulProblem = (field: string) =>
  httpProblem('validation_failed', `${field}: the NUL character (U+0000) is not allowed in text`, {
    field,
    errors: [{ field, code: 'nul_character', message: 'the NUL character (U+0000) is not allowed in text' }],
  });

// Fatal: a byte sequence that is not UTF-8 throws instead of becoming U+FFFD. Like Hono's own
// decoder it drops a leading BOM, so the text is what `c.req.json()` would have seen.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A JSON body's text, checked to be UTF-8; null when it is not, undefined when it cannot be read.
 * The text goes into Hono's body cache, so the route's validator parses it without reading again.
 */
async function readUtf8Body(c: Context): Promise<string | null | undefined> {
  // Hono's types say string; what it keeps there is the promise of one.
  const cache = c.req.bodyCache as { text?: Promise<string> };
  if (cache.text) return cache.text;
  let bytes: ArrayBuffer;
  try {
    bytes = await c.req.arrayBuffer();
  } catch {
    return undefined;
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return null;
  }
  cache.text = Promise.resolve(text);
  return text;
}

/**
 * Refuses, before any route reads them, what no route could store faithfully: U+0000 anywhere in
 * a request's path, query or body (PostgreSQL cannot store it in text and SQLite can, so letting
 * it through would make the engines disagree), a JSON body that is not UTF-8 (decoding would store
 * U+FFFD in its place), and a form body that cannot be parsed (every later read would throw).
 */
export function rejectNulCharacters(): MiddlewareHandler {
  return async (c, next) => {
    // Split by hand: parsing a URL per request cost more than the checks (bench profile).
    const url = c.req.url;
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const search = queryAt < 0 ? '' : url.slice(queryAt);
    if (/%00/i.test(path)) return nulProblem('path');
    if (/%00/i.test(search) || search.includes('\u0000')) return nulProblem('query');
    const type = c.req.header('content-type') ?? '';
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      if (/^application\/([a-z.+-]+\+)?json/i.test(type)) {
        const text = await readUtf8Body(c);
        if (text === null) return httpProblem('invalid_encoding', 'bytes that are not UTF-8', { field: 'body' });
        // Parsed once here; Hono caches it for the route's validator. Bad JSON is the validator's to refuse.
        const body = text === undefined ? undefined : await c.req.json().catch(() => undefined);
        const field = body === undefined ? null : findNulCharacter(body, 'body');
        if (field) return nulProblem(field);
      } else if (/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
        // Hono keeps a failed parse as a rejected promise, so every later read would throw (a 500):
        // refuse it here, once.
        const form = await c.req.parseBody().catch(() => undefined);
        if (form === undefined) return httpProblem('malformed_form', 'not a readable form', { field: 'body' });
        const field = findNulCharacter(form, 'body');
        if (field) return nulProblem(field);
      }
    }
    await next();
  };
}

/**
 * A route whose OpenAPI body is `required` must get one. Hono reads a request without a body
 * or content type as `{}`, which would let an empty request through as if it were valid.
 */
export const requireJsonBody: MiddlewareHandler = async (c, next) => {
  if (!c.req.header('content-type')) {
    return httpProblem('unsupported_media_type', 'this route needs a JSON body sent as application/json', {
      field: 'header.content-type',
    });
  }
  await next();
};

/**
 * Checks a JSON value's depth and serialised size without recursion, so a hostile value cannot
 * overflow the stack. Returns the first limit broken, or null.
 */
export function checkJsonBounds(value: unknown, limits: { maxDepth: number; maxBytes: number }): string | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  let bytes = 0;
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (depth > limits.maxDepth) return `nested more than ${limits.maxDepth} levels`;
    if (current !== null && typeof current === 'object') {
      bytes += 2;
      for (const [key, child] of Object.entries(current)) {
        bytes += key.length + 4;
        stack.push([child, depth + 1]);
      }
    } else {
      bytes += typeof current === 'string' ? current.length + 2 : String(current).length;
    }
    if (bytes > limits.maxBytes) return `larger than ${limits.maxBytes} bytes as JSON`;
  }
  return null;
}
