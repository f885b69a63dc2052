import { expect, it } from 'vitest';
import { useTestUsher } from '#support/usher';
import { describe } from 'vitest';

describe('the API description', () => {
  const usher = useTestUsher('sqlite');

  it('publishes OpenAPI 3.1 with a unique operationId on every operation', async () => {
    const res = await usher.request('GET', '/openapi.json', { key: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const operations = Object.entries(
      res.body.paths as Record<string, Record<string, { operationId?: string }>>,
    ).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, id: op.operationId })),
    );
    expect(operations.length).toBeGreaterThan(25);
    for (const op of operations) expect(op.id, `${op.method} ${op.path}`).toBeTruthy();
    expect(new Set(operations.map((o) => o.id)).size).toBe(operations.length);
    expect(Object.keys(res.body.components.securitySchemes)).toEqual(expect.arrayContaining(['bearer', 'apiKey']));
  });

  it('renders the reference at /docs from the installed package, never a CDN', async () => {
    const page = await usher.app.request('/docs');
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('src="/docs/scalar.js"');
    expect(html).not.toMatch(/src="https?:/);
    const script = await usher.app.request('/docs/scalar.js');
    expect(script.status).toBe(200);
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('answers health checks and unknown routes', async () => {
    expect((await usher.request('GET', '/healthz', { key: null })).body.status).toBe('ok');
    const missing = await usher.request('GET', '/nope', { key: null });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
  });
});
