import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Hono } from 'hono';

const require = createRequire(import.meta.url);

/**
 * The rendered API reference at /docs. Its script is served from the installed package, never
 * from a CDN: a self-hosted service must document itself offline. Fonts stay local, and the
 * hosted extras (AI agent, developer toolbar) are off: nothing here calls out to a vendor.
 */
export function createApiReferenceRoutes(openApiPath: string) {
  let script: Promise<Buffer> | undefined;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Usher API reference</title>
</head>
<body>
<div id="app"></div>
<script src="/docs/scalar.js"></script>
<script>Scalar.createApiReference('#app', { url: ${JSON.stringify(openApiPath)}, withDefaultFonts: false, telemetry: false, agent: { disabled: true }, showDeveloperTools: 'never', showToolbar: 'never' });</script>
</body>
</html>`;
  return new Hono()
    .get('/docs', (c) => c.html(html))
    .get('/docs/scalar.js', async (c) => {
      script ??= readFile(require.resolve('@scalar/api-reference/browser/standalone.js')).catch(() =>
        readFile(require.resolve('@scalar/api-reference').replace(/dist\/.*$/, 'dist/browser/standalone.js')),
      );
      return c.body(new Uint8Array(await script), 200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'public, max-age=86400',
      });
    });
}
