import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { scriptHash, type PagePolicy } from './security-headers';

const require = createRequire(import.meta.url);

/**
 * The rendered API reference at /docs. Its script is served from the installed package, never
 * from a CDN: a self-hosted service must document itself offline. Fonts stay local, and the
 * hosted extras (AI agent, developer toolbar) are off: nothing here calls out to a vendor.
 */
export function createApiReferenceRoutes(openApiPath: string) {
  let script: Promise<Buffer> | undefined;
  const start = startScript(openApiPath);
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
<script>${start}</script>
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

function startScript(openApiPath: string): string {
  const url = JSON.stringify(openApiPath);
  const options = `url: ${url}, withDefaultFonts: false, telemetry: false, agent: { disabled: true }`;
  return `Scalar.createApiReference('#app', { ${options}, showDeveloperTools: 'never', showToolbar: 'never' });`;
}

/**
 * The reference's Content-Security-Policy: its script from this server and its start-up call by
 * hash; Scalar writes its styles inline.
 */
export function apiReferencePolicy(openApiPath: string): PagePolicy {
  const directives = [
    "default-src 'self'",
    `script-src 'self' ${scriptHash(startScript(openApiPath))}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ];
  return { prefix: '/docs', directives: directives.join('; ') };
}
