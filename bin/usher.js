#!/usr/bin/env node
// The `usher` command: checks the Node version (package.json's engines, as the server does), then runs the
// compiled CLI, dist/cli.js. Like `npm start` it builds dist/ first when a source is newer (a fresh clone has
// none), saying so on stderr: stdout is the commands' own, and `--json` promises nothing else there.
import { requireNodeVersion } from '../src/node-version.mjs';

requireNodeVersion('usher', new URL('../package.json', import.meta.url));
const { buildServer, distIsStale } = await import('../scripts/build.mjs');
if (distIsStale()) {
  process.stderr.write('usher: building dist/ (sources changed since the last build)\n');
  await buildServer();
}
await import('../dist/cli.js');
