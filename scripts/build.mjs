// Compiles the server and the `usher` command to plain JavaScript (dist/main.js, dist/cli.js) for production:
// `node dist/main.js` runs the server, so no TypeScript runner transpiles at start or sits in memory (tsx cost
// ~25 MB and a share of every request's CPU in bench/), and a CLI command starts without transpiling its
// modules first. Dependencies stay in node_modules (imported as they are); only Usher's own modules (and the
// workspace SDK's source, which the CLI imports) are bundled, with a source map so stack traces can name the
// TypeScript lines.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The entries, each a small file that checks the Node version before it imports the rest. */
const ENTRIES = ['src/main.ts', 'src/server.ts', 'src/cli.ts'];
const OUTPUTS = ['dist/main.js', 'dist/server.js', 'dist/cli.js'];
/** What the build reads: a change to any of them makes dist/ stale. */
const INPUT_FILES = ['package.json', 'tsconfig.json', 'scripts/build.mjs'];
const INPUT_DIRS = ['src', 'packages/sdk/src'];

/**
 * Builds dist/ from src/. The server is an entry of its own so that dist/server.js, like src/server.ts, sits
 * one level below the project root (it reads package.json from there); dist/main.js and dist/cli.js are the
 * small entries that check the Node version first.
 */
export async function buildServer() {
  // Imported here, not at the top: `npm start` on an up-to-date dist/ never loads esbuild (nor its service process).
  const { build, stop } = await import('esbuild');
  try {
    const { outputFiles } = await build({
      entryPoints: ENTRIES,
      absWorkingDir: ROOT,
      outdir: 'dist',
      // Modules imported with import() (ActivityPub's Fedify half, the CLI's commands that open a database)
      // become chunks of their own, so they stay lazy.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
      write: false,
    });
    writeAtomically(outputFiles);
  } finally {
    await stop();
  }
}

/**
 * Writes each file under a temporary name and renames it into place, chunks before the entries that import
 * them: two `usher` commands that find dist/ stale at once both build, and neither may import a file the
 * other is half way through writing. Chunks are named by their content, so the old ones stay valid meanwhile.
 */
function writeAtomically(files) {
  const isEntry = (file) => OUTPUTS.some((output) => file.path.startsWith(join(ROOT, output)));
  const ordered = [...files].sort((a, b) => Number(isEntry(a)) - Number(isEntry(b)));
  for (const file of ordered) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

/**
 * True when dist/ is missing, or older than any source file, package.json or this script. An installation
 * without the entries' sources (the image ships dist/ alone) has nothing to build from: what is built runs.
 */
export function distIsStale() {
  let built = Infinity;
  try {
    for (const output of OUTPUTS) built = Math.min(built, statSync(join(ROOT, output)).mtimeMs);
  } catch {
    return true;
  }
  if (!ENTRIES.every((entry) => existsSync(join(ROOT, entry)))) return false;
  return newestInput() > built;
}

/** The newest modification time among the inputs; those absent (an image ships no sources) count for nothing. */
function newestInput() {
  let newest = 0;
  const visit = (path) => {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      return;
    }
    if (!stats.isDirectory()) newest = Math.max(newest, stats.mtimeMs);
    else for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  for (const input of [...INPUT_FILES, ...INPUT_DIRS]) visit(join(ROOT, input));
  return newest;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildServer();
