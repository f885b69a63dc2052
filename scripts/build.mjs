// Compiles the server to plain JavaScript (dist/main.js) for production: `node dist/main.js` runs it, so no
// TypeScript runner transpiles at start or sits in memory (tsx cost ~25 MB and a share of every request's CPU
// in bench/). Dependencies stay in node_modules (imported as they are); only Usher's own modules are bundled,
// with a source map so stack traces can name the TypeScript lines.
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What the build reads besides src/: a change to any of them makes dist/ stale too. */
const INPUTS = ['package.json', 'scripts/build.mjs'];

/**
 * Builds dist/ from src/. The server is an entry of its own so that dist/server.js, like src/server.ts, sits
 * one level below the project root (it reads package.json from there); dist/main.js is the small entry that
 * checks the Node version first.
 */
export async function buildServer() {
  // Imported here, not at the top: `npm start` on an up-to-date dist/ never loads esbuild (nor its service process).
  const { build, stop } = await import('esbuild');
  try {
    await build({
      entryPoints: ['src/main.ts', 'src/server.ts'],
      absWorkingDir: ROOT,
      outdir: 'dist',
      // Modules imported with import() (ActivityPub's Fedify half) become chunks of their own, so they stay lazy.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
    });
  } finally {
    await stop();
  }
}

/** True when dist/ is missing or older than any source file, package.json or this script. */
export function distIsStale() {
  let built;
  try {
    built = Math.min(statSync(join(ROOT, 'dist/main.js')).mtimeMs, statSync(join(ROOT, 'dist/server.js')).mtimeMs);
  } catch {
    return true;
  }
  return newestInput() > built;
}

function newestInput() {
  let newest = 0;
  for (const input of INPUTS) newest = Math.max(newest, statSync(join(ROOT, input)).mtimeMs);
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(ROOT, 'src'));
  return newest;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildServer();
