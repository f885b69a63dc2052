import type { MiddlewareHandler } from 'hono';
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

/**
 * Refuses U+0000 anywhere in a request's path, query or body. PostgreSQL cannot store it in text
 * and SQLite can, so letting it through would make the engines disagree; no legitimate value
 * here contains it.
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
        // Parsed once here; Hono caches it for the route's validator. Bad JSON is the validator's to refuse.
        const body = await c.req.json().catch(() => undefined);
        const field = body === undefined ? null : findNulCharacter(body, 'body');
        if (field) return nulProblem(field);
      } else if (/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
        const form = await c.req.parseBody().catch(() => undefined);
        const field = form === undefined ? null : findNulCharacter(form, 'body');
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
    return httpProblem('unsupported_media_type', 'this route needs a JSON body sent as application/json', { field: 'header.content-type' });
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
