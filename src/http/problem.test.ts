import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '#common/errors';
import { handleError } from './problem';

// Each route throws an error the driver really raised; the app's one error handler answers.
describe('handleError with database failures', () => {
  let dir: string;
  let sqlite: SqliteDatabase.Database;
  const logged: unknown[] = [];
  const app = new Hono();
  app.onError((error, c) => handleError(error, c, (failure) => logged.push(failure)));
  app.post('/full', () => {
    sqlite.prepare('insert into t (b) values (zeroblob(100000))').run();
    return new Response(null, { status: 204 });
  });
  app.post('/duplicate', () => {
    sqlite.prepare('insert into t (id) values (1)').run();
    sqlite.prepare('insert into t (id) values (1)').run();
    return new Response(null, { status: 204 });
  });
  app.post('/refused', () => {
    throw new AppError('invitation_not_found', 404, 'No such invitation', 'no invitation 1', 'path.id');
  });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'usher-problem-'));
    sqlite = new SqliteDatabase(join(dir, 'x.db'));
    sqlite.exec('create table t (id integer primary key, b blob)');
    sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true })}`);
  });
  afterAll(() => {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a store that cannot write with 503 database_unavailable and Retry-After, and logs why', async () => {
    const response = await app.request('/full', { method: 'POST' });
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await response.json()).toMatchObject({
      status: 503,
      code: 'database_unavailable',
      type: 'urn:usher:problem:database_unavailable',
    });
    expect((logged.at(-1) as { code?: string }).code).toBe('SQLITE_FULL');
  });

  it('keeps an unexpected database error a 500 without Retry-After, and a refusal its own 4xx', async () => {
    const duplicate = await app.request('/duplicate', { method: 'POST' });
    expect(duplicate.status).toBe(500);
    expect(duplicate.headers.get('retry-after')).toBeNull();
    expect(await duplicate.json()).toMatchObject({ code: 'internal_error' });
    const refused = await app.request('/refused', { method: 'POST' });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ code: 'invitation_not_found', field: 'path.id' });
  });
});
