// Compiles the server to plain JavaScript (dist/main.js) for production: `npm start` runs it with
// node, so no TypeScript runner transpiles at start or sits in memory (tsx cost ~25 MB and a share
// of every request's CPU in bench/). Dependencies stay in node_modules (imported as they are); only
// Usher's own modules are bundled, with a source map so stack traces can name the TypeScript lines.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
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
